package io.streamdistill.datasets;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;
import org.apache.james.mime4j.util.ByteSequence;

/**
 * A raw e-mail as the text a mail gateway's classifier sees: a fixed set of headers as
 * {@code Name: value} lines, a blank line, then the readable body.
 *
 * <p>The body is what a reader would see: the MIME tree is walked, of alternatives the plain-text one
 * is preferred (HTML is turned into text only when an alternative has no plain part), attachments
 * and non-text parts are left out, quoted-printable and base64 are decoded and each part's charset
 * is honoured. Header values have RFC 2047 encoded-words decoded and are unfolded onto one line.
 *
 * <p>Nothing in a mail can make this throw except a mail that has no header at all (or is empty):
 * an unknown or wrong charset falls back to UTF-8 when the bytes are valid UTF-8 and to
 * windows-1252 otherwise, and malformed bytes become U+FFFD. windows-1252 rather than ISO-8859-1:
 * it is ISO-8859-1 with printable characters (curly quotes, dashes, euro) where ISO-8859-1 has
 * invisible control codes, and it is what mail clients and browsers use for "latin-1" text.
 *
 * <p>The edge node should build its text with this class too, so that the student is served the
 * same view of a mail that it was trained on.
 *
 * <p>Stateless and thread-safe.
 */
public final class MailText {
  /** The headers kept, in this order; each appears at most once (the first occurrence). */
  public static final List<String> GATEWAY_HEADERS =
      List.of("From", "To", "Cc", "Reply-To", "Subject", "Date", "Content-Type");

  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");
  private static final Pattern FOLDING = Pattern.compile("\\r?\\n[ \\t]*|\\r[ \\t]*");
  private static final Pattern SPACES = Pattern.compile("[\\s\\u0000-\\u001f\\u007f]+");
  private static final Pattern THREE_OR_MORE_NEWLINES = Pattern.compile("\\n{3,}");
  private static final Pattern TRAILING_SPACES = Pattern.compile("[ \\t]+\\n");
  // C0 controls other than tab and newline, which a classifier should not see (NULs occur in spam).
  private static final Pattern CONTROLS = Pattern.compile("[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]");

  private MailText() {
  }

  /**
   * The gateway text of a raw mail (RFC 5322 bytes, optionally preceded by an mbox {@code From }
   * line).
   *
   * @throws DatasetException when the bytes are empty or hold no header field, i.e. are not a mail
   */
  public static String of(byte[] raw) {
    int start = skipMboxFromLine(raw);
    if (isBlank(raw, start)) {
      throw new DatasetException("empty mail");
    }
    Part root;
    Map<String, String> headers;
    try {
      Parsed parsed = parse(raw, start);
      root = parsed.root;
      headers = parsed.headers;
    } catch (IOException | MimeException | RuntimeException e) {
      // mime4j is permissive and should not fail; if it does, the mail is unreadable as a whole.
      throw new DatasetException("cannot parse the mail: " + e, e);
    }
    if (!root.sawAnyField) {
      throw new DatasetException("no mail header found");
    }
    StringBuilder text = new StringBuilder();
    for (String name : GATEWAY_HEADERS) {
      String value = headers.get(name.toLowerCase(Locale.ROOT));
      if (value != null) {
        text.append(name).append(": ").append(value).append('\n');
      }
    }
    text.append('\n').append(tidyBody(textOf(root)));
    return text.toString();
  }

  /** The MIME tree as far as text is concerned. */
  private static final class Part {
    final List<Part> children = new ArrayList<>();
    String mimeType = "text/plain";
    boolean attachment;
    boolean sawAnyField;
    String text; // decoded text of a leaf text part, HTML already converted
    boolean html;
    String preamble; // of a multipart: shown only when no boundary was found (a broken mail)
  }

  private record Parsed(Part root, Map<String, String> headers) {
  }

  private static Parsed parse(byte[] raw, int start) throws IOException, MimeException {
    // Permissive: no limit on line length or header count (spam has both), and, not being strict,
    // mime4j decodes with its silent monitor, skipping bad base64 and quoted-printable instead of failing.
    MimeTokenStream stream = new MimeTokenStream(MimeConfig.PERMISSIVE);
    // Recurse into message/rfc822 parts: a forwarded mail's text is part of what the reader sees.
    stream.setRecursionMode(RecursionMode.M_RECURSE);
    stream.parse(new ByteArrayInputStream(raw, start, raw.length - start));

    Map<String, String> headers = new LinkedHashMap<>();
    Deque<Part> open = new ArrayDeque<>();
    Part root = null;
    for (EntityState state = stream.getState(); state != EntityState.T_END_OF_STREAM; state = stream.next()) {
      switch (state) {
        case T_START_MESSAGE, T_START_BODYPART -> {
          Part part = new Part();
          if (open.isEmpty()) {
            root = part;
          } else {
            open.peek().children.add(part);
          }
          open.push(part);
        }
        case T_FIELD -> {
          Part part = open.peek();
          part.sawAnyField = true;
          Field field = stream.getField();
          String name = field.getName().strip().toLowerCase(Locale.ROOT);
          if (name.equals("content-disposition")) {
            part.attachment = headerValue(field).toLowerCase(Locale.ROOT).startsWith("attachment");
          }
          // Only the outer message's headers are the gateway's headers.
          if (open.size() == 1 && !headers.containsKey(name) && isGatewayHeader(name)) {
            headers.put(name, headerValue(field));
          }
        }
        case T_START_MULTIPART ->
            open.peek().mimeType = stream.getBodyDescriptor().getMimeType().toLowerCase(Locale.ROOT);
        case T_BODY -> readBody(stream, open.peek());
        case T_PREAMBLE -> open.peek().preamble = readPreamble(stream);
        case T_END_MESSAGE, T_END_BODYPART -> open.pop();
        default -> {
          // The epilogue is not shown by mail readers; headers end without anything to do.
        }
      }
    }
    return new Parsed(root == null ? new Part() : root, headers);
  }

  private static void readBody(MimeTokenStream stream, Part part) throws IOException {
    BodyDescriptor body = stream.getBodyDescriptor();
    String mimeType = body.getMimeType() == null ? "text/plain" : body.getMimeType().toLowerCase(Locale.ROOT);
    part.mimeType = mimeType;
    if (part.attachment || !mimeType.startsWith("text/")) {
      return; // the stream skips what is not read
    }
    byte[] bytes;
    try (InputStream in = stream.getDecodedInputStream()) {
      bytes = in.readAllBytes();
    }
    String text = decode(bytes, body.getCharset());
    part.html = mimeType.equals("text/html");
    part.text = part.html ? HtmlText.toText(text) : text;
  }

  private static String readPreamble(MimeTokenStream stream) throws IOException {
    try (InputStream in = stream.getInputStream()) {
      return decode(in.readAllBytes(), null);
    }
  }

  /** The readable text of a part: alternatives pick plain text when there is some, others join. */
  private static String textOf(Part part) {
    if (part.attachment) {
      return "";
    }
    if (part.children.isEmpty()) {
      if (part.mimeType.startsWith("multipart/")) {
        // No part at all: the boundary is wrong and the whole body was taken for the preamble.
        // Mail readers then show the body as it is; so does the gateway view.
        return part.preamble == null ? "" : part.preamble;
      }
      return part.text == null ? "" : part.text;
    }
    if (part.mimeType.equals("multipart/alternative")) {
      Part chosen = null;
      for (Part child : part.children) {
        if (hasPlainText(child)) {
          chosen = child;
          break;
        }
      }
      if (chosen == null) {
        for (Part child : part.children) {
          if (!textOf(child).isBlank()) {
            chosen = child;
            break;
          }
        }
      }
      return chosen == null ? "" : textOf(chosen);
    }
    StringBuilder joined = new StringBuilder();
    for (Part child : part.children) {
      String text = textOf(child).strip();
      if (!text.isEmpty()) {
        if (joined.length() > 0) {
          joined.append("\n\n");
        }
        joined.append(text);
      }
    }
    return joined.toString();
  }

  private static boolean hasPlainText(Part part) {
    if (part.attachment) {
      return false;
    }
    if (part.children.isEmpty()) {
      return part.text != null && !part.html && !part.text.isBlank();
    }
    for (Part child : part.children) {
      if (hasPlainText(child)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isGatewayHeader(String lowerCaseName) {
    for (String kept : GATEWAY_HEADERS) {
      if (kept.equalsIgnoreCase(lowerCaseName)) {
        return true;
      }
    }
    return false;
  }

  /** A header's value on one line: raw 8-bit bytes decoded, unfolded, encoded-words decoded. */
  private static String headerValue(Field field) {
    ByteSequence raw = field.getRaw();
    String value;
    if (raw != null) {
      // From the raw bytes, not Field.getBody(): spam puts unencoded 8-bit text in headers.
      String whole = decode(raw.toByteArray(), null);
      int colon = whole.indexOf(':');
      value = colon < 0 ? "" : whole.substring(colon + 1);
    } else {
      value = field.getBody() == null ? "" : field.getBody();
    }
    value = FOLDING.matcher(value).replaceAll(" ");
    value = DecoderUtil.decodeEncodedWords(value, DecodeMonitor.SILENT);
    // An encoded word may hold a newline or a control code; a header stays one clean line.
    return SPACES.matcher(value).replaceAll(" ").strip();
  }

  /**
   * Decodes text bytes in the declared charset, or guesses when there is none (or it is
   * US-ASCII, which 8-bit mail often wrongly declares, or it is unknown to Java): UTF-8 when the
   * bytes are valid UTF-8, windows-1252 otherwise. Never fails; bad bytes become U+FFFD.
   */
  static String decode(byte[] bytes, String declaredCharset) {
    Charset charset = lookup(declaredCharset);
    if (charset != null && !charset.equals(StandardCharsets.US_ASCII)) {
      if (charset.equals(StandardCharsets.ISO_8859_1)) {
        charset = WINDOWS_1252;
      }
      try {
        return charset.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes)).toString();
      } catch (CharacterCodingException | RuntimeException e) {
        // REPLACE makes coding errors impossible, but some exotic decoders throw anyway: guess instead.
      }
    }
    if (isAscii(bytes)) {
      return new String(bytes, StandardCharsets.US_ASCII);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return new String(bytes, WINDOWS_1252);
    }
  }

  private static Charset lookup(String name) {
    if (name == null) {
      return null;
    }
    String cleaned = name.strip().replace("\"", "").replace("'", "");
    if (cleaned.isEmpty()) {
      return null;
    }
    try {
      return Charset.forName(cleaned);
    } catch (IllegalArgumentException e) { // IllegalCharsetName- and UnsupportedCharsetException
      return null;
    }
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private static String tidyBody(String body) {
    String text = body.replace("\r\n", "\n").replace('\r', '\n');
    text = CONTROLS.matcher(text).replaceAll("");
    text = TRAILING_SPACES.matcher(text).replaceAll("\n");
    text = THREE_OR_MORE_NEWLINES.matcher(text).replaceAll("\n\n");
    return text.strip();
  }

  /** Where the RFC 5322 message starts: after an mbox "From " separator line, if there is one. */
  private static int skipMboxFromLine(byte[] raw) {
    if (raw.length >= 5 && raw[0] == 'F' && raw[1] == 'r' && raw[2] == 'o' && raw[3] == 'm' && raw[4] == ' ') {
      for (int i = 5; i < raw.length; i++) {
        if (raw[i] == '\n') {
          return i + 1;
        }
      }
      return raw.length;
    }
    return 0;
  }

  private static boolean isBlank(byte[] raw, int from) {
    for (int i = from; i < raw.length; i++) {
      if (raw[i] != ' ' && raw[i] != '\t' && raw[i] != '\r' && raw[i] != '\n') {
        return false;
      }
    }
    return true;
  }
}
