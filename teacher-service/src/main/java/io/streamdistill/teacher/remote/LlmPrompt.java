package io.streamdistill.teacher.remote;

import io.streamdistill.teacher.model.TeacherInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a large language model is asked to classify, and how its answer becomes a distribution over the classes: the
 * part of {@link LlmProtocol} that knows nothing of JSON.
 *
 * <p>The model is told the classes and asked to answer with one of them ({@link Answers#NAMES}) or with its letter
 * ({@link Answers#LETTERS}: {@code A. very positive}, {@code B. very negative}, for names a first token cannot tell
 * apart). The soft label is read from the log-probabilities the server gives for the answer's first token that is
 * not blank or markup ({@link #distribution}): each listed token that is a class's name, or the start of exactly one
 * class's name, adds its probability to that class; a class no listed token names gets at most the probability left
 * over, and no more than the least likely token listed (the server lists the most likely ones). The distribution is
 * renormalised over the classes: the model's belief given that it answers with a class. A server that gives no
 * log-probabilities can still teach, from its answer's text alone ({@link #fromText}), at a stated confidence.
 *
 * @param classes the class names, in the teacher's order
 * @param instructions the system prompt, with {@code {classes}} replaced by the list the model is shown
 * @param answers how the model answers: the class's name or its letter
 * @param maxChars the longest text sent; longer ones are cut (a model's context is bounded)
 */
record LlmPrompt(List<String> classes, String instructions, Answers answers, int maxChars) {
  /** The placeholder in {@link #instructions} for the list of classes. */
  static final String CLASSES = "{classes}";
  /** The instructions when teacher.json gives none. */
  static final String DEFAULT_INSTRUCTIONS = "You are a classifier. Read the input and decide which one of these"
      + " classes it belongs to:\n" + CLASSES + "\nAnswer with the class only, nothing else.";
  /** Texts longer than this are cut when teacher.json does not say. */
  static final int DEFAULT_MAX_CHARS = 8_000;
  /** At most this many classes in letters. */
  static final int MAX_LETTERS = 26;
  private static final String MARKUP = "*\"'`#:.,;()[]<>_-";

  /** What the model answers with. */
  enum Answers {
    NAMES, LETTERS;

    /** The option's value, as teacher.json spells it. */
    String value() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  LlmPrompt {
    classes = List.copyOf(classes);
    if (classes.size() < 2) {
      throw new IllegalArgumentException("an LLM teacher needs two classes at least, has " + classes);
    }
    if (answers == Answers.LETTERS && classes.size() > MAX_LETTERS) {
      throw new IllegalArgumentException("teacher.json options: answers=letters takes at most " + MAX_LETTERS
          + " classes, not " + classes.size() + " (answers=names)");
    }
    if (maxChars < 1) {
      throw new IllegalArgumentException("teacher.json options: maxChars must be >= 1, is " + maxChars);
    }
    if (answers == Answers.NAMES) {
      for (String name : classes) {
        if (normalise(name).isEmpty()) {
          throw new IllegalArgumentException("the class '" + name + "' has no letter or digit for a model to answer"
              + " with: answers=letters");
        }
      }
    }
  }

  /**
   * The answers to use when teacher.json does not say: names, unless two names start alike (their first three
   * letters, or one the start of another), where a model's first token could be either; then letters.
   */
  static Answers answersFor(List<String> classes) {
    for (int i = 0; i < classes.size(); i++) {
      String a = normalise(classes.get(i));
      for (int j = i + 1; j < classes.size(); j++) {
        String b = normalise(classes.get(j));
        if (a.isEmpty() || b.isEmpty() || a.startsWith(b) || b.startsWith(a)
            || a.regionMatches(0, b, 0, Math.min(3, Math.min(a.length(), b.length())))) {
          return classes.size() <= MAX_LETTERS ? Answers.LETTERS : Answers.NAMES;
        }
      }
    }
    return Answers.NAMES;
  }

  /** The system prompt: the instructions with the classes listed as the model should answer them. */
  String system() {
    StringBuilder list = new StringBuilder();
    for (int c = 0; c < classes.size(); c++) {
      list.append(c == 0 ? "" : "\n").append(answers == Answers.LETTERS ? letter(c) + ". " : "- ")
          .append(classes.get(c));
    }
    String system = instructions.replace(CLASSES, list);
    return answers == Answers.LETTERS ? system + "\nAnswer with the class's letter (" + letter(0) + " to "
        + letter(classes.size() - 1) + ") only." : system;
  }

  /**
   * The user's turn: the text, cut to {@link #maxChars}, or a record's fields one per line ({@code name: value}).
   */
  String user(TeacherInput input) {
    String text;
    if (input.text() != null) {
      text = input.text();
    } else if (input.fields() != null) {
      StringBuilder lines = new StringBuilder();
      for (Map.Entry<String, Object> field : input.fields().entrySet()) {
        Object value = field.getValue();
        lines.append(lines.isEmpty() ? "" : "\n").append(field.getKey()).append(": ")
            .append(value == null ? "(missing)" : (value instanceof Double d && d == Math.rint(d)
                && Math.abs(d) < 1e15) ? String.valueOf(d.longValue()) : value);
      }
      text = lines.toString();
    } else {
      throw new IllegalArgumentException("an LLM teacher reads text or records, not vectors");
    }
    return text.length() <= maxChars ? text : text.substring(0, maxChars) + " ...";
  }

  /** One prompt for a completion endpoint (no chat roles): the instructions, the input, and the answer's cue. */
  String completionPrompt(TeacherInput input) {
    return system() + "\n\nInput:\n" + user(input) + "\n\nClass:";
  }

  /**
   * The class distribution of one answer, from the log-probabilities listed at each of its tokens.
   *
   * @param chosen each position's token, as generated
   * @param top each position's most likely tokens with their log-probabilities (may be shorter than {@code chosen}
   *     when the server lists none at a position)
   * @return the log-probability of each class (logits whose softmax is the distribution)
   * @throws IllegalArgumentException when the answer names no class, quoting it
   */
  float[] distribution(List<String> chosen, List<Map<String, Double>> top) {
    int position = 0;
    while (position < chosen.size() && normalise(chosen.get(position)).isEmpty()) {
      position++; // a leading space, a quote, markdown's ** before the answer
    }
    if (position >= chosen.size() || position >= top.size()) {
      throw new IllegalArgumentException("the model answered '" + String.join("", chosen) + "', no class"
          + (position < chosen.size() ? " (and no log-probabilities at its token " + position + ")" : ""));
    }
    if (classOf(chosen.get(position)) < 0) {
      throw new IllegalArgumentException("the model answered '" + String.join("", chosen) + "', not one of the"
          + " classes " + shown() + ": tell it what to answer with the option instructions");
    }
    double[] mass = new double[classes.size()];
    double listed = 0;
    double least = 1;
    for (Map.Entry<String, Double> token : top.get(position).entrySet()) {
      double p = Math.exp(token.getValue());
      listed += p;
      least = Math.min(least, p);
      int c = classOf(token.getKey());
      if (c >= 0) {
        mass[c] += p;
      }
    }
    List<Integer> unnamed = new ArrayList<>();
    for (int c = 0; c < mass.length; c++) {
      if (mass[c] == 0) {
        unnamed.add(c);
      }
    }
    if (!unnamed.isEmpty()) {
      double each = Math.min(least, Math.max(0, 1 - listed) / unnamed.size());
      for (int c : unnamed) {
        mass[c] = each;
      }
    }
    return logits(mass);
  }

  /**
   * The class distribution of an answer's text alone: {@code confidence} on the class it names, the rest shared by
   * the others.
   *
   * @throws IllegalArgumentException when the text names no class, quoting it
   */
  float[] fromText(String answer, double confidence) {
    int named = classOfText(answer);
    if (named < 0) {
      throw new IllegalArgumentException("the model answered '" + abbreviate(answer) + "', not one of the classes "
          + shown() + ": tell it what to answer with the option instructions");
    }
    double[] mass = new double[classes.size()];
    java.util.Arrays.fill(mass, (1 - confidence) / (classes.size() - 1));
    mass[named] = confidence;
    return logits(mass);
  }

  /** The class a token names: a class's name or letter, or the start of exactly one class's name; else -1. */
  int classOf(String token) {
    String t = normalise(token);
    if (t.isEmpty()) {
      return -1;
    }
    if (answers == Answers.LETTERS) {
      if (t.length() != 1) {
        return -1;
      }
      int c = Character.toUpperCase(t.charAt(0)) - 'A';
      return c >= 0 && c < classes.size() ? c : -1;
    }
    int found = -1;
    for (int c = 0; c < classes.size(); c++) {
      String name = normalise(classes.get(c));
      if (name.equals(t)) {
        return c;
      }
      if (name.startsWith(t)) {
        if (found >= 0) {
          return -1; // the start of two names: says nothing of which
        }
        found = c;
      }
    }
    return found;
  }

  /** The class an answer's text names: the longest name (or the letter) it starts with, else -1. */
  private int classOfText(String answer) {
    String text = normalise(answer);
    if (answers == Answers.LETTERS) {
      boolean alone = text.length() == 1 || (text.length() > 1 && !Character.isLetterOrDigit(text.charAt(1)));
      return alone ? classOf(text.substring(0, 1)) : -1;
    }
    int found = -1;
    int longest = 0;
    for (int c = 0; c < classes.size(); c++) {
      String name = normalise(classes.get(c));
      boolean whole = text.length() == name.length() || (text.length() > name.length()
          && !Character.isLetterOrDigit(text.charAt(name.length())));
      if (text.startsWith(name) && whole && name.length() > longest) {
        found = c;
        longest = name.length();
      }
    }
    return found;
  }

  /** Lower case, with blanks and markup around it cut: what a token or an answer says. */
  static String normalise(String token) {
    String t = token.strip().toLowerCase(Locale.ROOT);
    int start = 0;
    int end = t.length();
    while (start < end && (MARKUP.indexOf(t.charAt(start)) >= 0 || Character.isWhitespace(t.charAt(start)))) {
      start++;
    }
    while (end > start && (MARKUP.indexOf(t.charAt(end - 1)) >= 0 || Character.isWhitespace(t.charAt(end - 1)))) {
      end--;
    }
    return t.substring(start, end).replace('_', ' ');
  }

  private static float[] logits(double[] mass) {
    double total = 0;
    for (double m : mass) {
      total += m;
    }
    float[] logits = new float[mass.length];
    for (int c = 0; c < mass.length; c++) {
      logits[c] = (float) Math.log(Math.max(RemoteScores.MIN_PROBABILITY, mass[c] / total));
    }
    return logits;
  }

  private String shown() {
    if (answers == Answers.NAMES) {
      return classes.toString();
    }
    List<String> lettered = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      lettered.add(letter(c) + "=" + classes.get(c));
    }
    return lettered.toString();
  }

  private static char letter(int c) {
    return (char) ('A' + c);
  }

  private static String abbreviate(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }
}
