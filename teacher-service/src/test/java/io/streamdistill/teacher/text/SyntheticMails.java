package io.streamdistill.teacher.text;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.SkipReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/** A small labelled mail corpus made from templates: quick to embed, clearly ham or spam. */
final class SyntheticMails implements ExampleSource {
  private static final String[] PRODUCTS = {"watches", "pills", "software", "loans", "diplomas", "casino chips"};
  private static final String[] HOOKS = {"Limited offer", "Act now", "You have been selected", "Congratulations",
      "Final notice", "Exclusive deal"};
  private static final String[] PRIZES = {"cash prize", "free gift card", "bonus", "reward", "free vacation"};
  private static final String[] TOPICS = {"design review", "quarterly budget", "release plan", "team offsite",
      "bug triage", "hiring committee"};
  private static final String[] NAMES = {"Alice", "Bob", "Carol", "Dave", "Erin", "Frank"};
  private static final String[] ASKS = {"could you send me the latest draft", "can we move it to Thursday",
      "please review the attached notes", "I updated the spreadsheet with the new numbers",
      "let me know if the agenda works for you", "the build is green again after the fix"};

  private final List<Example> examples = new ArrayList<>();

  SyntheticMails(int perClass, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < perClass; i++) {
      examples.add(new Example("synthetic/spam/" + i, "From: promo" + i + "@deals.example\nSubject: "
          + pick(random, HOOKS) + ": cheap " + pick(random, PRODUCTS) + " at " + (50 + random.nextInt(45))
          + "% off!!!\n\n" + pick(random, HOOKS) + "! Order " + pick(random, PRODUCTS) + " today and claim your "
          + pick(random, PRIZES) + ". Click here http://deals.example/" + i + " before it expires.", null, "spam"));
      examples.add(new Example("synthetic/ham/" + i, "From: " + pick(random, NAMES).toLowerCase(Locale.ROOT)
          + "@corp.example\nSubject: " + pick(random, TOPICS) + "\n\nHi " + pick(random, NAMES) + ", about the "
          + pick(random, TOPICS) + ": " + pick(random, ASKS) + ". Thanks, " + pick(random, NAMES), null, "ham"));
    }
  }

  private static String pick(SplittableRandom random, String[] choices) {
    return choices[random.nextInt(choices.length)];
  }

  @Override
  public String name() {
    return "synthetic-mails";
  }

  @Override
  public int size() {
    return examples.size();
  }

  @Override
  public Example get(int index) {
    return examples.get(index);
  }

  @Override
  public String label(int index) {
    return examples.get(index).label();
  }

  @Override
  public List<String> classes() {
    return TextTeacherTrainer.CLASSES;
  }

  @Override
  public SkipReport skipped() {
    return new SkipReport();
  }
}
