package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpamAssassinSourceTest {
  private static final Pattern SUBJECT_HEADER = Pattern.compile("(?im)^subject:");
  private static final Pattern HEADER_END = Pattern.compile("\\r?\\n\\r?\\n");

  private static DatasetCache cache;
  private static SpamAssassinSource corpus;

  @BeforeAll
  static void readRealCorpus() {
    cache = TestDatasets.cache();
    corpus = SpamAssassinSource.load(cache);
  }

  @Test
  void shouldReadAll6046MailsWithTheirLabels() {
    // Nothing in the corpus is undecodable: every mail is read, none skipped.
    assertEquals(0, corpus.skipped().count(), corpus.skipped().toString());
    assertEquals(6_046, corpus.size());
    int spam = 0;
    int ham = 0;
    for (int i = 0; i < corpus.size(); i++) {
      String label = corpus.label(i);
      assertEquals(label, corpus.get(i).label());
      if (label.equals("spam")) {
        spam++;
      } else if (label.equals("ham")) {
        ham++;
      } else {
        throw new AssertionError("unexpected label " + label);
      }
    }
    assertEquals(1_896, spam);
    assertEquals(4_150, ham);
    assertEquals(List.of("ham", "spam"), corpus.classes());
  }

  @Test
  void shouldCountEachGroupAsPublished() {
    int[] counts = new int[5];
    List<String> groups = List.of("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2");
    for (int i = 0; i < corpus.size(); i++) {
      String group = corpus.get(i).id().split("/", -1)[1];
      counts[groups.indexOf(group)]++;
    }
    assertEquals(List.of(2_500, 1_400, 250, 500, 1_396), List.of(counts[0], counts[1], counts[2], counts[3],
        counts[4]));
  }

  @Test
  void shouldKeepAStableOrderByPathWithUniqueIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < corpus.size(); i++) {
      ids.add(corpus.get(i).id());
    }
    assertEquals(ids.stream().sorted().toList(), ids);
    assertEquals(ids.size(), ids.stream().distinct().count());
    assertEquals("spamassassin/easy-ham-1/00001.7c53336b37003a9286aba55d2945844c", ids.get(0));
    assertTrue(ids.get(ids.size() - 1).startsWith("spamassassin/spam-2/"), ids.get(ids.size() - 1));
  }

  @Test
  void shouldGiveTheGatewayViewOfAMail() {
    Example first = corpus.get(0);
    String text = first.text();
    assertNull(first.vector());
    assertEquals("ham", first.label());
    assertTrue(text.startsWith("From: Robert Elz <kre@munnari.OZ.AU>\n"), text);
    assertTrue(text.contains("\nSubject: Re: New Sequences Window\n"), text);
    assertTrue(text.contains("\n\n"), "a blank line separates headers and body");
    // Trace headers and the corpus' own X-Spam-* verdicts are not what a gateway classifier gets.
    assertFalse(text.contains("Received:"), text);
    assertFalse(text.contains("X-Spam"), text);
  }

  @Test
  void shouldKeepTheSubjectOfEveryMailThatHasOne() throws IOException {
    Path data = cache.entryDirectory(NpmDataset.SPAM_ASSASSIN).resolve("package").resolve("data");
    int withoutSubject = 0;
    for (int i = 0; i < corpus.size(); i++) {
      Example example = corpus.get(i);
      String relative = example.id().substring("spamassassin/".length()) + ".txt";
      String raw = new String(Files.readAllBytes(data.resolve(relative)), StandardCharsets.ISO_8859_1);
      String header = HEADER_END.split(raw, 2)[0];
      boolean rawHasSubject = SUBJECT_HEADER.matcher(header).find();
      assertEquals(rawHasSubject, example.text().contains("\nSubject: ") || example.text().startsWith("Subject: "),
          example.id());
      if (!rawHasSubject) {
        withoutSubject++;
      }
    }
    // Six mails of the corpus genuinely have no Subject header.
    assertEquals(6, withoutSubject);
  }

  @Test
  void shouldDecodeEncodedWordsAndHtmlFromTheRealCorpus() {
    // A Big5 spam whose subject is an RFC 2047 encoded word.
    assertTrue(textOf("spamassassin/spam-1/00307.7ed50c6d80c6e37c8cc1b132f4a19e4d")
        .contains("Subject: 免費無限次任打中港長途電話\n"));
    // An HTML-only spam (quoted-printable) hiding its text behind an unclosed comment.
    String html = textOf("spamassassin/spam-2/00384.ffe5f36fc3c40673d4313db5e579e33d");
    assertTrue(html.contains("This is the strongest concentration of HUMAN Pheromones"), html);
    assertFalse(html.contains("<FONT"), html);
  }

  // ------------------------------------------------------------ synthetic corpus

  @Test
  void shouldSkipBadMailsAndReportThemByFile(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("spam-1"));
    Files.createDirectories(dir.resolve("easy-ham-1"));
    Files.createDirectories(dir.resolve("other"));
    Files.writeString(dir.resolve("spam-1/00001.aaa.txt"), "Subject: buy now\n\ncheap\n");
    Files.writeString(dir.resolve("spam-1/00001.aaa.json"), "{\"text\": \"the JSON copy is ignored\"}");
    Files.write(dir.resolve("spam-1/00002.bbb.txt"), new byte[0]);
    Files.writeString(dir.resolve("easy-ham-1/00003.ccc.txt"), "From: a@b.example\nSubject: lunch?\n\nat noon\n");
    Files.writeString(dir.resolve("other/00004.ddd.txt"), "Subject: not in a labelled group\n\nx\n");

    SpamAssassinSource source = SpamAssassinSource.fromDirectory(dir);

    assertEquals(2, source.size());
    assertEquals("spamassassin/easy-ham-1/00003.ccc", source.get(0).id());
    assertEquals("From: a@b.example\nSubject: lunch?\n\nat noon", source.get(0).text());
    assertEquals("ham", source.label(0));
    assertEquals("spamassassin/spam-1/00001.aaa", source.get(1).id());
    assertEquals("spam", source.label(1));
    assertEquals(1, source.skipped().count());
    assertEquals(List.of("spamassassin/spam-1/00002.bbb: empty mail"), source.skipped().firstReasons());
  }

  @Test
  void shouldReadTheOriginalCorpusLayoutWithoutTxtNames(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("spam"));
    Files.writeString(dir.resolve("spam/00001.317e78fa8ee2f54cd4890fdc09ba8176"), "Subject: hi\n\nbody\n");
    Files.writeString(dir.resolve("spam/cmds"), "mv 00001 ...\n");
    SpamAssassinSource source = SpamAssassinSource.fromDirectory(dir);
    assertEquals(1, source.size());
    assertEquals("spamassassin/spam/00001.317e78fa8ee2f54cd4890fdc09ba8176", source.get(0).id());
  }

  @Test
  void shouldRefuseADirectoryWithoutGroups(@TempDir Path dir) {
    DatasetException e = assertThrows(DatasetException.class, () -> SpamAssassinSource.fromDirectory(dir));
    assertTrue(e.getMessage().contains("holds no spam or ham directory"), e.getMessage());
  }

  private static String textOf(String id) {
    try (Stream<Integer> indexes = Stream.iterate(0, i -> i < corpus.size(), i -> i + 1)) {
      return indexes.map(corpus::get).filter(e -> e.id().equals(id)).findFirst()
          .orElseThrow(() -> new AssertionError("no example " + id)).text();
    }
  }
}
