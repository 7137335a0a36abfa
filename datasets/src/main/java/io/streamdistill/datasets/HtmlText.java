package io.streamdistill.datasets;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML as the text a reader sees: tags dropped (block-level ones become line breaks), scripts,
 * styles and comments removed, character references decoded, white space collapsed as a browser
 * does. Not an HTML parser: it is meant for the HTML of e-mails, which is often broken, and must
 * never fail on it.
 *
 * <p>Inline tags vanish without a space, as when rendered: spam splits words with them
 * ({@code V<b></b>iagra}), and the reader sees the whole word.
 */
final class HtmlText {
  private static final Set<String> BLOCK_TAGS = Set.of("address", "article", "blockquote", "br", "center", "dd",
      "div", "dl", "dt", "fieldset", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "option", "p",
      "pre", "section", "table", "tbody", "td", "th", "title", "tr", "ul");
  private static final Set<String> SKIPPED_CONTENT_TAGS = Set.of("script", "style", "head");
  private static final Map<String, Integer> ENTITIES = Map.ofEntries(
      Map.entry("nbsp", 0xa0), Map.entry("amp", (int) '&'), Map.entry("lt", (int) '<'), Map.entry("gt", (int) '>'),
      Map.entry("quot", (int) '"'), Map.entry("apos", (int) '\''), Map.entry("copy", 0xa9), Map.entry("reg", 0xae),
      Map.entry("trade", 0x2122), Map.entry("hellip", 0x2026), Map.entry("mdash", 0x2014),
      Map.entry("ndash", 0x2013), Map.entry("lsquo", 0x2018), Map.entry("rsquo", 0x2019),
      Map.entry("ldquo", 0x201c), Map.entry("rdquo", 0x201d), Map.entry("bull", 0x2022),
      Map.entry("middot", 0xb7), Map.entry("euro", 0x20ac), Map.entry("pound", 0xa3), Map.entry("yen", 0xa5),
      Map.entry("cent", 0xa2), Map.entry("sect", 0xa7), Map.entry("deg", 0xb0), Map.entry("plusmn", 0xb1),
      Map.entry("times", 0xd7), Map.entry("divide", 0xf7), Map.entry("frac12", 0xbd),
      Map.entry("frac14", 0xbc), Map.entry("frac34", 0xbe), Map.entry("laquo", 0xab), Map.entry("raquo", 0xbb),
      Map.entry("iexcl", 0xa1), Map.entry("iquest", 0xbf), Map.entry("eacute", 0xe9), Map.entry("egrave", 0xe8),
      Map.entry("aacute", 0xe1), Map.entry("agrave", 0xe0), Map.entry("ouml", 0xf6), Map.entry("uuml", 0xfc),
      Map.entry("auml", 0xe4), Map.entry("szlig", 0xdf), Map.entry("ccedil", 0xe7), Map.entry("ntilde", 0xf1),
      Map.entry("shy", 0xad), Map.entry("para", 0xb6), Map.entry("micro", 0xb5), Map.entry("ordm", 0xba),
      Map.entry("ordf", 0xaa), Map.entry("sup2", 0xb2), Map.entry("sup3", 0xb3), Map.entry("dagger", 0x2020),
      Map.entry("larr", 0x2190), Map.entry("rarr", 0x2192), Map.entry("uarr", 0x2191), Map.entry("darr", 0x2193));
  private static final Pattern ALT = Pattern.compile("(?i)\\salt\\s*=\\s*(\"([^\"]*)\"|'([^']*)'|([^\\s>]+))");
  // Longest entity name above, so that a stray '&' does not make us scan far.
  private static final int MAX_ENTITY_LENGTH = 10;

  private HtmlText() {
  }

  /** The visible text of {@code html}. */
  static String toText(String html) {
    StringBuilder out = new StringBuilder(html.length() / 2);
    int i = 0;
    int n = html.length();
    boolean pendingSpace = false;
    while (i < n) {
      char c = html.charAt(i);
      if (c == '<') {
        if (html.startsWith("<!--", i)) {
          int end = html.indexOf("-->", i + 4);
          if (end >= 0) {
            i = end + 3;
            continue;
          }
          // Never closed: a browser would hide the rest, but spam uses that to hide nothing
          // ("<!--#rotate>" before the text); taken as a tag up to '>' the text stays visible.
        }
        int end = tagEnd(html, i + 1);
        if (end < 0 || !looksLikeTag(html, i + 1)) {
          pendingSpace = append(out, "<", pendingSpace);
          i++;
          continue;
        }
        String name = tagName(html, i + 1);
        boolean closing = i + 1 < n && html.charAt(i + 1) == '/';
        if (name.equals("img")) {
          // Mail readers block remote images and show their alt text instead; so the reader sees it.
          Matcher alt = ALT.matcher(html).region(i, end);
          if (alt.find()) {
            String text = alt.group(2) != null ? alt.group(2) : alt.group(3) != null ? alt.group(3) : alt.group(4);
            String altText = toText(text).strip();
            if (!altText.isEmpty()) {
              append(out, altText, true);
              pendingSpace = true;
            }
          }
        }
        i = end + 1;
        if (!closing && SKIPPED_CONTENT_TAGS.contains(name)) {
          i = skipElement(html, i, name);
          pendingSpace = true;
        } else if (BLOCK_TAGS.contains(name)) {
          newline(out);
          pendingSpace = false;
        }
        continue;
      }
      if (c == '&') {
        int[] decoded = entity(html, i);
        if (decoded != null) {
          pendingSpace = appendCodePoint(out, decoded[0], pendingSpace);
          i = decoded[1];
          continue;
        }
      }
      if (Character.isWhitespace(c)) {
        pendingSpace = true;
        i++;
        continue;
      }
      pendingSpace = append(out, String.valueOf(c), pendingSpace);
      i++;
    }
    return out.toString().replace('\u00a0', ' ').strip();
  }

  private static boolean append(StringBuilder out, String s, boolean pendingSpace) {
    if (pendingSpace && out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
      out.append(' ');
    }
    out.append(s);
    return false;
  }

  private static boolean appendCodePoint(StringBuilder out, int codePoint, boolean pendingSpace) {
    return append(out, new String(Character.toChars(codePoint)), pendingSpace);
  }

  private static void newline(StringBuilder out) {
    // At most one blank line in a row: block tags pile up in table layouts.
    int len = out.length();
    if (len == 0 || (len >= 2 && out.charAt(len - 1) == '\n' && out.charAt(len - 2) == '\n')) {
      return;
    }
    out.append('\n');
  }

  private static boolean looksLikeTag(String html, int from) {
    if (from >= html.length()) {
      return false;
    }
    char c = html.charAt(from);
    return Character.isLetter(c) || c == '/' || c == '!' || c == '?';
  }

  /** The index of the '>' that ends the tag starting at {@code from}, quotes respected; -1 if none. */
  private static int tagEnd(String html, int from) {
    char quote = 0;
    for (int i = from; i < html.length(); i++) {
      char c = html.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        // Only a quote right after '=' opens a value; a stray apostrophe must not swallow the mail.
        if (i > from && html.charAt(i - 1) == '=') {
          quote = c;
        }
      } else if (c == '>') {
        return i;
      }
    }
    return -1;
  }

  private static String tagName(String html, int from) {
    int i = from;
    if (i < html.length() && html.charAt(i) == '/') {
      i++;
    }
    int start = i;
    while (i < html.length() && Character.isLetterOrDigit(html.charAt(i))) {
      i++;
    }
    return html.substring(start, i).toLowerCase(Locale.ROOT);
  }

  /** Skips to after {@code </name>}; to the end when it is never closed (as browsers do for script). */
  private static int skipElement(String html, int from, String name) {
    int close = indexOfIgnoreCase(html, "</" + name, from);
    if (close < 0) {
      // An unclosed <head> is common in spam; the body text after it must survive.
      return name.equals("head") ? from : html.length();
    }
    int end = html.indexOf('>', close);
    return end < 0 ? html.length() : end + 1;
  }

  private static int indexOfIgnoreCase(String text, String what, int from) {
    for (int i = from; i + what.length() <= text.length(); i++) {
      if (text.regionMatches(true, i, what, 0, what.length())) {
        return i;
      }
    }
    return -1;
  }

  /** The code point of the character reference at {@code amp} and the index after it, or null. */
  private static int[] entity(String html, int amp) {
    int n = html.length();
    int i = amp + 1;
    if (i < n && html.charAt(i) == '#') {
      i++;
      boolean hex = i < n && (html.charAt(i) == 'x' || html.charAt(i) == 'X');
      if (hex) {
        i++;
      }
      int start = i;
      while (i < n && i - start < 8 && Character.digit(html.charAt(i), hex ? 16 : 10) >= 0) {
        i++;
      }
      if (i == start) {
        return null;
      }
      long value = Long.parseLong(html.substring(start, i), hex ? 16 : 10);
      int codePoint = value == 0 || value > Character.MAX_CODE_POINT || (value >= 0xd800 && value <= 0xdfff)
          ? 0xfffd : (int) value;
      return new int[] {codePoint, i < n && html.charAt(i) == ';' ? i + 1 : i};
    }
    int start = i;
    while (i < n && i - start <= MAX_ENTITY_LENGTH && Character.isLetterOrDigit(html.charAt(i))) {
      i++;
    }
    Integer codePoint = ENTITIES.get(html.substring(start, i));
    if (codePoint == null) {
      codePoint = ENTITIES.get(html.substring(start, i).toLowerCase(Locale.ROOT));
    }
    if (codePoint == null) {
      return null;
    }
    return new int[] {codePoint, i < n && html.charAt(i) == ';' ? i + 1 : i};
  }
}
