package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A file whose payload no flag names is read as what its values are (text, vector or structured record), its
 * label found by its column's name, and the user told which in one line; several text columns are one text.
 */
class PayloadGuessTest {
  @TempDir
  Path dir;

  @Test
  void shouldReadColumnsOfWordsAsOneTextAndFindTheLabelByItsName() throws IOException {
    StringBuilder csv = new StringBuilder("id,title,body,stars,Category\n");
    for (int i = 0; i < 300; i++) {
      String topic = i % 2 == 0 ? "sport" : "food";
      csv.append(i).append(",A ").append(topic).append(" story number ").append(i).append(",\"Some long body about ")
          .append(topic).append(", told ").append(i).append(" times\",").append(i % 5).append(',').append(topic)
          .append('\n');
    }
    Path file = Files.writeString(dir.resolve("news.csv"), csv);
    List<String> notes = new ArrayList<>();

    ExampleSource news = options().open(file.toString(), notes::add);

    assertEquals(300, news.size());
    assertEquals(List.of("sport", "food"), news.classes());
    assertEquals("A sport story number 0\nSome long body about sport, told 0 times", news.get(0).text());
    assertNull(news.get(0).fields());
    assertEquals(1, notes.size(), notes.toString());
    String note = notes.get(0);
    assertTrue(note.startsWith("No payload named, so guessed from the first rows of news.csv: text: columns 'title',"
        + " 'body', joined ("), note);
    assertTrue(note.contains("label: column 'Category' (by its name)"), note);
    assertTrue(note.contains("left out: id, stars"), note);
    assertTrue(note.endsWith("--field-columns or --fields-all, and --label-column."), note);
  }

  @Test
  void shouldTakeOneHotAndMultiLabelFlagColumnsForTheClassRatherThanLeakTheirSiblingsAsFields() throws IOException {
    // One class in three columns of 0/1: the last alone as the label would have the other two give it away.
    StringBuilder onehot = new StringBuilder("text,sports,politics,tech\n");
    String[] topics = {"the match ended two nil", "the senate passed a bill", "the new phone has a chip"};
    for (int i = 0; i < 300; i++) {
      onehot.append(topics[i % 3]).append(" on day ").append(i).append(',').append(i % 3 == 0 ? 1 : 0).append(',')
          .append(i % 3 == 1 ? 1 : 0).append(',').append(i % 3 == 2 ? 1 : 0).append('\n');
    }
    List<String> notes = new ArrayList<>();

    ExampleSource news = options().open(Files.writeString(dir.resolve("news.csv"), onehot).toString(), notes::add);

    assertEquals(List.of("sports", "politics", "tech"), news.classes());
    assertEquals("politics", news.label(1));
    assertEquals("the senate passed a bill on day 1", news.get(1).text());
    assertNull(news.get(1).fields(), "no flag is read as a field");
    assertTrue(notes.get(0).contains("label: the flag columns 'sports', 'politics', 'tech' (one-hot: the class is"
        + " the column holding 1"), notes.toString());

    // Jigsaw's toxic comments: any number of flags a row; none set is a class of its own, several read as the first.
    StringBuilder flags = new StringBuilder("id,comment_text,toxic,obscene,threat\n");
    for (int i = 0; i < 300; i++) {
      int kind = i % 4; // 0 clean, 1 toxic, 2 toxic and obscene, 3 a threat alone
      flags.append("c").append(i).append(',').append(kind == 0 ? "thanks for the edit " : "you idiot ").append(i)
          .append(',').append(kind == 1 || kind == 2 ? 1 : 0).append(',').append(kind == 2 ? 1 : 0).append(',')
          .append(kind == 3 ? "1.0" : "0.0").append('\n');
    }
    flags.append("c300,oops,yes,0,0\n");
    notes.clear();

    ExampleSource comments = options().open(Files.writeString(dir.resolve("train.csv"), flags).toString(),
        notes::add);

    assertEquals(List.of("none", "toxic", "threat"), comments.classes());
    assertEquals(List.of("none", "toxic", "toxic", "threat"), List.of(comments.label(0), comments.label(1),
        comments.label(2), comments.label(3)), "the first flag set, 'none' when none is");
    assertTrue(notes.get(0).contains("label: the flag columns 'toxic', 'obscene', 'threat' (0/1 flags, any number a"
        + " row: the class is the first set, 'none' when none is"), notes.toString());
    assertEquals(1, comments.skipped().count());
    assertTrue(comments.skipped().firstReasons().get(0).contains("column 'toxic': 'yes' is not a flag (1 or 0, true"
        + " or false)"), comments.skipped().firstReasons().toString());

    // Named by the user, any of them; and flags among the features of a table whose label has its name stay fields.
    ExampleSource chosen = options("--label-column", "threat,obscene").open(dir.resolve("train.csv").toString(),
        notes::add);
    assertEquals(List.of("none", "obscene", "threat"), chosen.classes());
    StringBuilder features = new StringBuilder("age,label,has_phone,has_email\n");
    for (int i = 0; i < 100; i++) {
      features.append(20 + i % 50).append(',').append(i % 2 == 0 ? "churn" : "stay").append(',')
          .append(i % 5 == 0 ? 1 : 0)
          .append(',').append(i % 3 == 0 ? 1 : 0).append('\n');
    }
    ExampleSource customers = options().open(Files.writeString(dir.resolve("customers.csv"), features).toString(),
        notes::add);
    assertEquals(List.of("churn", "stay"), customers.classes());
    assertEquals(Set.of("age", "has_phone", "has_email"), customers.get(0).fields().keySet());
  }

  @Test
  void shouldReadNumbersAndRepeatedCategoriesAsAStructuredRecord() throws IOException {
    StringBuilder csv = new StringBuilder("age,city,income,target\n");
    String[] cities = {"New York City", "San Francisco Bay", "Los Angeles County"};
    for (int i = 0; i < 200; i++) {
      csv.append(20 + i % 40).append(',').append(cities[i % 3]).append(',').append(1000 * i).append(',')
          .append(i % 2 == 0 ? ">50K" : "<=50K").append('\n');
    }
    Path file = Files.writeString(dir.resolve("people.csv"), csv);
    List<String> notes = new ArrayList<>();

    ExampleSource people = options().open(file.toString(), notes::add);

    assertEquals(Map.of("age", FieldType.NUMERIC, "city", FieldType.CATEGORICAL, "income", FieldType.NUMERIC),
        people.fieldTypes());
    assertEquals(List.of(">50K", "<=50K"), people.classes());
    assertNull(people.get(0).text());
    assertTrue(notes.get(0).contains("a structured record of the 3 other columns (2 numeric, 1 categorical);"
        + " label: column 'target' (by its name)"), notes.toString());
  }

  @Test
  void shouldReadAShortTextAmongFieldsAsAFieldOfWordsAndLeaveOutAColumnNamedAsAnId() throws IOException {
    // The Titanic table's layout: its label named Survived, not last; its names a few words each; an id column.
    StringBuilder csv = new StringBuilder("PassengerId,Survived,Pclass,Name,Sex,Age,Ticket,Embarked\n");
    String[] titles = {"Mr.", "Mrs.", "Miss.", "Master."};
    for (int i = 0; i < 300; i++) {
      csv.append(i + 1).append(',').append(i % 3 == 0 ? 1 : 0).append(',').append(1 + i % 3).append(",\"Family")
          .append(i % 17).append(", ").append(titles[i % 4]).append(" Given").append(i).append("\",")
          .append(i % 4 == 1 || i % 4 == 2 ? "female" : "male").append(',').append(i % 7 == 0 ? "" : 20 + i % 50)
          .append(",A/5 ").append(2000 + i).append(',').append("SCQ".charAt(i % 3)).append('\n');
    }
    Path file = Files.writeString(dir.resolve("titanic.csv"), csv);
    List<String> notes = new ArrayList<>();

    ExampleSource passengers = options().open(file.toString(), notes::add);

    assertEquals(List.of("1", "0"), passengers.classes());
    assertEquals(List.of("Pclass", "Name", "Sex", "Age", "Ticket", "Embarked"),
        List.copyOf(passengers.fieldTypes().keySet()));
    assertEquals("Family0, Mr. Given0", passengers.get(0).fields().get("Name"));
    String note = notes.get(0);
    assertTrue(note.contains("a structured record of the 6 other columns (2 numeric, 3 categorical, 1 of words:"
        + " 'Name', 3.0 words a value, read as a field beside the others; --text-column Name reads it alone);"
        + " label: column 'Survived' (by its name); left out: PassengerId (an id)"), note);

    // The same names with a single field beside them: the text alone.
    StringBuilder two = new StringBuilder("Name,Sex,Survived\n");
    for (int i = 0; i < 300; i++) {
      two.append("\"Family").append(i % 17).append(", ").append(titles[i % 4]).append(" Given").append(i)
          .append("\",").append(i % 4 == 1 ? "female" : "male").append(',').append(i % 3 == 0 ? 1 : 0).append('\n');
    }
    notes.clear();
    ExampleSource alone = options().open(Files.writeString(dir.resolve("names.csv"), two).toString(), notes::add);
    assertEquals("Family0, Mr. Given0", alone.get(0).text());
    assertTrue(notes.get(0).contains("text: column 'Name' (3.0 words a value)"), notes.toString());
  }

  @Test
  void shouldFindTheOnlyColumnOfNamedClassesAmongMeasuresAndLeaveOutARowNumber() throws IOException {
    // wdbc.data's layout: no header, an id counting up, the diagnosis, then measures.
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      csv.append(842302 + 37 * i).append(',').append(i % 3 == 0 ? "M" : "B").append(',').append(0.5 + i % 7)
          .append(',').append(1.25 * (i % 5)).append('\n');
    }
    Path file = Files.writeString(dir.resolve("wdbc.data"), csv);
    List<String> notes = new ArrayList<>();

    ExampleSource wdbc = options().open(file.toString(), notes::add);

    assertEquals(List.of("M", "B"), wdbc.classes());
    assertEquals(List.of("c2", "c3"), List.copyOf(wdbc.fieldTypes().keySet()));
    assertTrue(String.join("\n", notes).contains("label: column 'c1' (the only column of a few named classes, 2"
        + " values); left out: c0 (an id)"), notes.toString());
  }

  @Test
  void shouldNotTakeALastColumnOfDatesForTheLabel() throws IOException {
    StringBuilder csv = new StringBuilder("review,helpful_votes,date\n");
    for (int i = 0; i < 100; i++) {
      csv.append(i % 2 == 0 ? "\"works well, would buy again " : "\"broke after a week, poor ").append(i).append("\",")
          .append(1 + i % 5).append(",2024-0").append(1 + i % 9).append("-1").append(i % 9).append('\n');
    }
    List<String> notes = new ArrayList<>();
    assertTrue(options().open(Files.writeString(dir.resolve("r.csv"), csv).toString(), notes::add).classes()
        .isEmpty(), "no label: the demo refuses it, naming --label-column");
    assertTrue(notes.get(0).contains("no label column"), notes.toString());
    // Called rating, the stars are the label.
    notes.clear();
    ExampleSource reviews = options().open(Files.writeString(dir.resolve("reviews.csv"),
        csv.toString().replace("helpful_votes", "rating")).toString(), notes::add);
    assertEquals(List.of("1", "2", "3", "4", "5"), reviews.classes().stream().sorted().toList());
    assertTrue(notes.get(0).contains("label: column 'rating' (by its name); left out: date"), notes.toString());
    // So are they when a label's name is a word of the column's.
    notes.clear();
    options().open(Files.writeString(dir.resolve("stars.csv"), csv.toString().replace("helpful_votes", "stars_given"))
        .toString(), notes::add);
    assertTrue(notes.get(0).contains("label: column 'stars_given' (by its name)"), notes.toString());
  }

  @Test
  void shouldReadAFileOfNamesAsTextWhenTheLabelIsNamed() throws IOException {
    StringBuilder csv = new StringBuilder("name,gender\n");
    for (int i = 0; i < 100; i++) {
      csv.append(i % 2 == 0 ? "Mary" : "John").append((char) ('a' + i % 26)).append(i).append(',')
          .append(i % 2 == 0 ? "F" : "M").append('\n');
    }
    Path file = Files.writeString(dir.resolve("names.csv"), csv);
    List<String> notes = new ArrayList<>();

    ExampleSource names = options("--label-column", "gender").open(file.toString(), notes::add);

    assertEquals("Marya0", names.get(0).text());
    assertEquals("F", names.label(0));
    assertTrue(notes.get(0).contains("text: column 'name' (1.0 words a value)"), notes.toString());
    assertTrue(notes.get(0).endsWith("--field-columns or --fields-all."), notes.toString());
  }

  @Test
  void shouldReadArraysOfNumbersAsTheVector() throws IOException {
    Path file = Files.writeString(dir.resolve("points.jsonl"), """
        {"x": [0.5, 1], "label": "a"}
        {"x": [2, 3.5], "label": "b"}
        """);
    List<String> notes = new ArrayList<>();

    ExampleSource points = options().open(file.toString(), notes::add);

    assertArrayEquals(new float[] {2f, 3.5f}, points.get(1).vector());
    assertEquals("b", points.label(1));
    assertTrue(notes.get(0).contains("vector: key 'x' (arrays of numbers); label: column 'label'"), notes.toString());
  }

  @Test
  void shouldSayWhenNoColumnIsCalledLikeALabel() throws IOException {
    Path file = Files.writeString(dir.resolve("flows.data"), "0,tcp,181,normal\n1,udp,239,smurf\n");
    List<String> notes = new ArrayList<>();

    ExampleSource flows = options("--format", "csv", "--no-header").open(file.toString(), notes::add);

    assertEquals(List.of("c0", "c1", "c2", "c3"), List.copyOf(flows.fieldTypes().keySet()));
    assertTrue(flows.classes().isEmpty());
    assertTrue(notes.get(0).contains("no label column (none is called label, labels, class, target, y,"
        + " category, sentiment or another name a label goes by, and neither the last nor the first holds a few"
        + " classes)"), notes.toString());
  }

  @Test
  void shouldReadAFileOfUnknownExtensionWhoseFirstLineIsDataWithoutAHeaderAndItsLastColumnAsTheLabel()
      throws IOException {
    // UCI's iris.data: no header line, no extension that says CSV, the class last.
    StringBuilder rows = new StringBuilder();
    String[] classes = {"Iris-setosa", "Iris-versicolor", "Iris-virginica"};
    for (int i = 0; i < 150; i++) {
      rows.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f,%.1f,0.2,%s%n", 4 + i / 50.0, 3 + i % 7 / 10.0,
          1 + i % 5 / 10.0, classes[i / 50]));
    }
    Path file = Files.writeString(dir.resolve("iris.data"), rows);
    List<String> notes = new ArrayList<>();

    ExampleSource iris = options().open(file.toString(), notes::add);

    assertEquals(150, iris.size());
    assertEquals(List.of(classes), iris.classes());
    assertEquals(List.of("c0", "c1", "c2", "c3"), List.copyOf(iris.fieldTypes().keySet()));
    assertEquals(List.of("iris.data: no known extension, so read as delimited text (CSV) by its first characters"
        + " (--format to choose)"), notes.subList(0, 1));
    assertTrue(notes.get(1).contains("a structured record of the 4 other columns (4 numeric, 0 categorical); no"
        + " header line (its first line holds numbers): columns c0 to c4; label: column 'c4' (the last column, 3"
        + " values)"), notes.toString());
  }

  @Test
  void shouldTakeTheFirstColumnAsTheLabelWhenTheLastIsText() throws IOException {
    // The SMS Spam Collection: tab-separated, no header, the class first.
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      rows.append(i % 4 == 0 ? "spam\tWIN a free prize now, call " : "ham\tSee you at lunch then, ").append(i)
          .append('\n');
    }
    Path file = Files.writeString(dir.resolve("SMSSpamCollection"), rows);
    List<String> notes = new ArrayList<>();

    ExampleSource sms = options("--no-header").open(file.toString(), notes::add);

    assertEquals(List.of("spam", "ham"), sms.classes());
    assertEquals("See you at lunch then, 1", sms.get(1).text());
    assertTrue(notes.get(1).contains("text: column 'c1' (6.3 words a value); label: column 'c0' (the first column, 2"
        + " values)"), notes.toString());
  }

  @Test
  void shouldReadPixelColumnsOfASquareAsAnImageScaledIntoTheUnitRange() throws IOException {
    // Kaggle's MNIST layout: label, pixel0 ... pixel63 (here 8x8), values 0-255.
    StringBuilder csv = new StringBuilder("label");
    for (int p = 0; p < 64; p++) {
      csv.append(",pixel").append(p);
    }
    csv.append('\n');
    for (int row = 0; row < 30; row++) {
      csv.append(row % 3);
      for (int p = 0; p < 64; p++) {
        csv.append(',').append(p == row ? 255 : p % 2 == 0 ? 51 : 0);
      }
      csv.append('\n');
    }
    Path file = Files.writeString(dir.resolve("digits.csv"), csv);
    List<String> notes = new ArrayList<>();

    ExampleSource digits = options().open(file.toString(), notes::add);

    assertArrayEquals(new int[] {8, 8}, digits.imageShape());
    float[] first = digits.get(0).vector();
    assertEquals(64, first.length);
    assertEquals(1f, first[0], 1e-6f);
    assertEquals(0.2f, first[2], 1e-6f);
    assertEquals(0f, first[1], 1e-6f);
    assertEquals(List.of("0", "1", "2"), digits.classes());
    assertTrue(notes.get(0).contains("an image of 8x8 pixels in gray: the 64 columns pixel0 to pixel63; label: column"
        + " 'label' (by its name)"), notes.toString());
    assertTrue(notes.get(0).endsWith("and --label-column, and --image-size."), notes.toString());

    // Named by the flags: the same image, and a table of 63 columns is no square (a structured record).
    ExampleSource named = CommandLine.populateCommand(new SourceOptions(), "--vector-prefix", "pixel",
        "--label-column", "label", "--image-size", "8x8").open(file.toString());
    assertArrayEquals(new int[] {8, 8}, named.imageShape());
    assertEquals(0.2f, named.get(0).vector()[2], 1e-6f);
    IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
        () -> CommandLine.populateCommand(new SourceOptions(), "--vector-prefix", "pixel", "--label-column", "label",
            "--image-size", "4x4").open(file.toString()));
    assertTrue(size.getMessage().contains("an image of 4x4 is 16 values, but the vector of digits.csv:2 has 64"),
        size.getMessage());
    Path narrow = Files.writeString(dir.resolve("narrow.csv"), csv.toString().replace(",pixel63", ""));
    assertEquals(0, options("--no-header", "--label-column", "c0").open(narrow.toString()).imageShape().length);
  }

  @Test
  void shouldRefuseAFileOfUnknownExtensionThatIsNotText() throws IOException {
    // Excel 97's .xls (OLE2), unlike an .xlsx.
    Path file = Files.write(dir.resolve("table.xls"), new byte[] {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, 0, 1});

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> options().open(file.toString()));

    assertTrue(e.getMessage().startsWith("cannot tell the format of 'table.xls' from its extension"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("and it is not text (a NUL byte in its first bytes): CSV, JSON, fastText"
        + " lines, ARFF, Parquet, .xlsx or IDX images are read; write it as CSV first, e.g. python3 -c \"import"
        + " pandas as pd; pd.read_excel('table.xls').to_csv('table.csv', index=False)\""), e.getMessage());
    // Kaggle's downloads are zip files: unpacked first.
    Path zip = Files.write(dir.resolve("dogs-vs-cats.zip"), new byte[] {'P', 'K', 3, 4, 0, 0});
    IllegalArgumentException archive = assertThrows(IllegalArgumentException.class,
        () -> options().open(zip.toString()));
    assertTrue(archive.getMessage().endsWith("it is an archive: unpack it first (unzip dogs-vs-cats.zip -d"
        + " dogs-vs-cats) and give the file or folder inside"), archive.getMessage());
  }

  @Test
  void shouldReadArffAsOpenMlServesIt() throws IOException {
    // Weka's ARFF: comments, quoted names and values, ? for missing, the class last.
    StringBuilder arff = new StringBuilder("""
        % The credit data set, as OpenML serves it
        @relation 'credit-g'

        @attribute checking_status {'<0','0<=X<200','no checking'}
        @attribute 'credit amount' numeric
        @ATTRIBUTE purpose\tstring
        @attribute class {good,bad}

        @data
        """);
    for (int i = 0; i < 40; i++) {
      arff.append(i % 3 == 0 ? "'<0'," : "'no checking',").append(i % 7 == 0 ? "?" : String.valueOf(100 * i))
          .append(",'radio, \\'tv\\'',").append(i % 2 == 0 ? "bad" : "good").append('\n');
    }
    arff.append("% a comment among the records\n{0 '<0', 3 bad}\n'<0',5,x\n");
    Path file = Files.writeString(dir.resolve("credit-g.arff"), arff);
    List<String> notes = new ArrayList<>();

    ExampleSource source = options().open(file.toString(), notes::add);

    assertTrue(notes.get(0).contains("a structured record of the 3 other columns (1 numeric, 2 categorical); label:"
        + " column 'class' (by its name)"), notes.toString());
    assertEquals(40, source.size(), source.skipped().toString());
    assertEquals(List.of("bad", "good"), source.classes());
    assertEquals(List.of("checking_status", "credit amount", "purpose"), List.copyOf(source.fieldTypes().keySet()));
    assertEquals(2, source.skipped().count(), source.skipped().toString());
    assertTrue(source.skipped().firstReasons().get(0).contains("a sparse ARFF record"), source.skipped().toString());
    assertTrue(source.skipped().firstReasons().get(1).contains("has 3 values, the header 4 attributes"),
        source.skipped().toString());
    assertEquals(List.of("", "radio, 'tv'", "radio, 'tv'"), List.of(
        ArffRows.split("a,,b", ',', 9).get(1), ArffRows.split("'radio, \\'tv\\''", ',', 9).get(0),
        ArffRows.split(" \"radio, 'tv'\" ", ',', 9).get(0).strip()));
    // Told by its first characters without the extension; a header of attributes and no @data is refused.
    Path renamed = Files.writeString(dir.resolve("credit"), arff);
    assertEquals(40, options().open(renamed.toString(), notes::add).size());
    assertTrue(notes.contains("credit: no known extension, so read as ARFF (@relation, @attribute, @data) by its"
        + " first characters (--format to choose)"), notes.toString());
    Path headerOnly = Files.writeString(dir.resolve("empty.arff"), "@relation x\n@attribute a numeric\n");
    DatasetException empty = assertThrows(DatasetException.class,
        () -> options("--fields-all").open(headerOnly.toString()));
    assertTrue(empty.getMessage().endsWith("not an ARFF file with data: no @data line in its header"),
        empty.getMessage());
  }

  @Test
  void shouldTakeAColumnForTheLabelWhenALabelsNameIsOneWordOfItsName() throws IOException {
    // Kaggle's airline tweets: the label is airline_sentiment, beside its confidence (decimals), and the last column
    // (user_timezone, a few dozen values) is no label.
    StringBuilder csv = new StringBuilder("tweet_id,airline_sentiment,airline_sentiment_confidence,airline,text,"
        + "user_timezone\n");
    String[] sentiments = {"negative", "neutral", "positive"};
    for (int i = 0; i < 300; i++) {
      csv.append(570_000_000L + i * 7919L).append(',').append(sentiments[i % 3]).append(',')
          .append(0.5 + (i % 50) / 100.0).append(',').append(i % 2 == 0 ? "United" : "Delta").append(",@airline ")
          .append(sentiments[i % 3]).append(" flight number ").append(i).append(" today,Zone ").append(i % 30)
          .append('\n');
    }
    Path file = Files.writeString(dir.resolve("Tweets.csv"), csv);
    List<String> notes = new ArrayList<>();

    ExampleSource source = options().open(file.toString(), notes::add);

    assertTrue(notes.get(0).contains("label: column 'airline_sentiment' (by its name)"), notes.toString());
    assertEquals(List.of("negative", "neutral", "positive"), source.classes());
  }

  @Test
  void shouldLeaveOutAColumnThatIsTheLabelByAnotherName() throws IOException {
    // HuggingFace's datasets written as JSON Lines: label (a number) and label_text (its name) side by side.
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      boolean good = i % 3 != 0;
      lines.append("{\"text\": \"").append(good ? "a fine film, loved it " : "dull and far too long ").append(i)
          .append(" and more words\", \"label\": ").append(good ? 1 : 0).append(", \"label_text\": \"")
          .append(good ? "positive" : "negative").append("\", \"stars\": ").append(good ? 4 + i % 2 : 1 + i % 2)
          .append(", \"platform\": \"").append(i % 2 == 0 ? "web" : "app").append("\"}\n");
    }
    Path file = Files.writeString(dir.resolve("reviews.jsonl"), lines);
    List<String> notes = new ArrayList<>();

    ExampleSource source = options().open(file.toString(), notes::add);

    // The classes by their names (the edge answers "positive"), the numbers left out as their copy.
    assertTrue(notes.get(0).contains("label: column 'label_text' (the names of the classes 'label' numbers)")
        && notes.get(0).contains("left out: label (the label again: one value a class)"), notes.toString());
    assertEquals(List.of("negative", "positive"), source.classes());
    // stars says much of the label, but not one value a class: it stays (left out here as the text is read alone).
    assertTrue(!notes.get(0).contains("stars (the label again"), notes.toString());
    // Named by the user, the label is what was named, and the other column its copy.
    List<String> named = new ArrayList<>();
    ExampleSource numbers = options("--label-column", "label").open(file.toString(), named::add);
    assertTrue(named.get(0).contains("left out: label_text (the label again: one value a class)"), named.toString());
    assertEquals(List.of("0", "1"), numbers.classes());
  }

  @Test
  void shouldReadAListOfClassesNamedAsALabelWithItsFirst() throws IOException {
    // GoEmotions as HuggingFace writes it to JSON Lines: "labels" a list, most of one class.
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      lines.append("{\"text\": \"").append(i % 2 == 0 ? "so happy about it, " : "this makes me angry, ").append(i)
          .append("\", \"labels\": ").append(i % 10 == 9 ? "[" + i % 2 + ", 7]" : i == 58 ? "[]" : "[" + i % 2 + "]")
          .append(", \"id\": \"e").append(i).append("\"}\n");
    }
    Path file = Files.writeString(dir.resolve("goemotions.jsonl"), lines);
    List<String> notes = new ArrayList<>();

    ExampleSource source = options().open(file.toString(), notes::add);

    assertTrue(notes.get(0).contains("label: column 'labels' (by its name; a list of classes a row, the first of each"
        + " read)"), notes.toString());
    assertEquals(List.of("0", "1"), source.classes().stream().sorted().toList());
    assertEquals("1", source.label(9), "[1, 7]: its first");
    assertEquals(null, source.label(58), "an empty list: no label");
  }

  @Test
  void shouldSkipATitleLineBeforeAHeaderlessFilesRows() throws IOException {
    // UCI's adult.test: "|1x3 Cross validator", then the rows; read as adult.data is (no header).
    StringBuilder rows = new StringBuilder("|1x3 Cross validator\n");
    StringBuilder single = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      rows.append(20 + i).append(", Private, ").append(i % 2 == 0 ? "Bachelors" : "HS-grad").append(", ")
          .append(i % 3 == 0 ? ">50K." : "<=50K.").append('\n');
      single.append("word").append(i).append('\n');
    }
    Path file = Files.writeString(dir.resolve("adult.test"), rows);

    ExampleSource source = options("--format", "csv", "--no-header", "--label-column", "c3", "--fields-all")
        .open(file.toString());

    assertEquals(40, source.size());
    assertEquals(List.of("adult.test line 1: a title line: 1 field where the next line has 4"),
        source.skipped().firstReasons());
    // A file of one column: its first line is a row like the others.
    Path words = Files.writeString(dir.resolve("words.txt"), single);
    assertEquals(40, options("--format", "csv", "--no-header", "--text-column", "c0").open(words.toString()).size());
  }

  @Test
  void shouldSayThatATableHasNoRowsRatherThanGuessFromNone() throws IOException {
    Path file = Files.writeString(dir.resolve("header.csv"), "text,label\n");

    DatasetException e = assertThrows(DatasetException.class, () -> options().open(file.toString()));

    assertTrue(e.getMessage().endsWith("header.csv has no rows after its header line (text,label)"), e.getMessage());
  }

  @Test
  void shouldRefuseALabelColumnOfAmounts() throws IOException {
    // A house-price table: its target is a price (regression), not 1,500 classes of one example each.
    StringBuilder csv = new StringBuilder("rooms,area,city,target\n");
    StringBuilder counts = new StringBuilder("rooms,visits\n");
    for (int i = 0; i < 1_500; i++) {
      csv.append(1 + i % 6).append(',').append(30 + i % 170).append(".5,").append("abc".charAt(i % 3)).append(',')
          .append(40_000 + 97 * i).append('.').append(i % 100).append('\n');
      counts.append(1 + i % 6).append(',').append(i).append('\n');
    }
    Path prices = Files.writeString(dir.resolve("houses.csv"), csv);

    DatasetException guessed = assertThrows(DatasetException.class, () -> options().open(prices.toString()));
    DatasetException named = assertThrows(DatasetException.class,
        () -> options("--label-column", "target", "--fields-all").open(prices.toString()));

    for (DatasetException e : List.of(guessed, named)) {
      assertTrue(e.getMessage().startsWith("houses.csv: the label column 'target' holds 1,500 distinct numbers"
          + " (40000.0, 40097.1, 40194.2, ...), 1,485 of them with fractions: an amount to predict (regression), not"
          + " classes"), e.getMessage());
      assertTrue(e.getMessage().endsWith("Read it as ranges of its values with --label-bins 5 (five classes of about"
          + " as many rows each), or give a column of classes with --label-column"), e.getMessage());
    }
    // A price beside a column of a few names, guessed: the names are the label, and the note says how to read the
    // price instead.
    List<String> guessedNotes = new ArrayList<>();
    StringBuilder pricedCsv = new StringBuilder("area,city,price\n");
    for (int i = 0; i < 300; i++) {
      pricedCsv.append(30 + i % 170).append(".5,").append("abc".charAt(i % 3)).append(',').append(40_000 + 97 * i)
          .append('\n');
    }
    Path priced = Files.writeString(dir.resolve("priced.csv"), pricedCsv);
    assertEquals(List.of("a", "b", "c"), options().open(priced.toString(), guessedNotes::add).classes());
    assertTrue(String.join("\n", guessedNotes).contains("label: column 'city' (the only column of a few named"
        + " classes, 3 values; the last column, 'price', holds numbers to predict, which --label-column price"
        + " --label-bins 5 reads as five ranges of its values)"), guessedNotes.toString());
    // With --label-bins, guessed or named: five ranges of 300 rows each, and a test file's labels in the same ranges.
    List<String> said = new ArrayList<>();
    SourceOptions binned = options("--label-bins", "5");
    ExampleSource ranges = binned.open(prices.toString(), said::add);
    assertEquals(List.of("below 69100", "69100 to 98200", "98200 to 127000", "127000 to 156000", "156000 and above"),
        ranges.classes());
    assertTrue(said.get(said.size() - 1).startsWith("label: column 'target' read as 5 ranges of its values"),
        String.join("\n", said));
    Map<String, Integer> perClass = new java.util.TreeMap<>();
    for (int i = 0; i < ranges.size(); i++) {
      perClass.merge(ranges.get(i).label(), 1, Integer::sum);
      assertEquals(ranges.get(i).label(), ranges.label(i));
    }
    assertEquals(5, perClass.size());
    assertTrue(perClass.values().stream().allMatch(n -> n >= 290 && n <= 310), perClass.toString());
    assertEquals(ranges.classes(), options("--label-column", "target", "--fields-all", "--label-bins", "5")
        .open(prices.toString()).classes());
    Path test = Files.writeString(dir.resolve("houses-test.csv"), """
        rooms,area,city,target
        2,50.5,a,500000
        3,60.5,b,70000
        """);
    ExampleSource tested = binned.openTestSource(test.toString(), prices.toString(), note -> { }, "");
    assertEquals(ranges.classes(), tested.classes(), "the training file's ranges");
    assertEquals(List.of("156000 and above", "69100 to 98200"), List.of(tested.label(0), tested.label(1)));
    IllegalArgumentException names = assertThrows(IllegalArgumentException.class,
        () -> options("--label-column", "city", "--fields-all", "--label-bins", "3").open(prices.toString()));
    assertTrue(names.getMessage().startsWith("--label-bins: the label column 'city' holds 0 numbers, too few for 3"
        + " classes (it holds names such as 'a': a column of classes already"), names.getMessage());
    // Whole numbers: classes up to a thousand of them (ratings, digits, codes), beyond that a count.
    assertEquals(6, options("--label-column", "rooms", "--fields-all").open(prices.toString()).classes().size());
    Path visits = Files.writeString(dir.resolve("visits.csv"), counts);
    DatasetException count = assertThrows(DatasetException.class,
        () -> options("--label-column", "visits", "--fields-all").open(visits.toString()));
    assertTrue(count.getMessage().contains("holds 1,500 distinct numbers (0, 1, 2, ...): an amount"),
        count.getMessage());
  }

  @Test
  void shouldReadFastTextLinesByTheirFirstCharacters() throws IOException {
    // fastText's supervised format, as the Amazon and Yelp review sets circulate (train.ft.txt).
    StringBuilder lines = new StringBuilder("\uFEFF");
    for (int i = 0; i < 30; i++) {
      lines.append(i % 3 == 0 ? "__label__1 Terrible, it broke after a day: " : "__label__2 Great CD, my wife loves"
          + " it ").append(i).append('\n');
    }
    lines.append("\n__label__2 __label__3 Two labels, the first taken\nno label on this line\n__label__ empty\n");
    Path file = Files.writeString(dir.resolve("train.ft.txt"), lines);
    List<String> notes = new ArrayList<>();

    ExampleSource source = options().open(file.toString(), notes::add);

    assertEquals("train.ft.txt: no known extension, so read as fastText lines (__label__LABEL, then the text) by its"
        + " first characters (--format to choose)", notes.get(0));
    assertTrue(notes.get(1).contains("text: column 'text'") && notes.get(1).contains("label: column 'label' (by its"
        + " name)"), notes.toString());
    assertEquals(31, source.size());
    assertEquals(List.of("1", "2"), source.classes());
    assertEquals("Terrible, it broke after a day: 0", source.get(0).text());
    assertEquals("1", source.label(0));
    assertEquals("Two labels, the first taken", source.get(30).text());
    assertEquals("2", source.label(30));
    assertEquals(2, source.skipped().count(), source.skipped().toString());
    assertTrue(source.skipped().firstReasons().get(0).contains("no label: a fastText line starts with __label__NAME"),
        source.skipped().toString());
    // As the review sets ship: bzip2-compressed (train.ft.txt.bz2), read as they are.
    Path bz2 = dir.resolve("train.ft.txt.bz2");
    try (var out = new org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream(
        Files.newOutputStream(bz2))) {
      out.write(lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    assertEquals(31, options().open(bz2.toString(), notes::add).size());
    // Zstandard, as large corpora ship (train.ft.txt.zst), read as it is too.
    Path zst = dir.resolve("train.ft.txt.zst");
    try (var out = new com.github.luben.zstd.ZstdOutputStream(Files.newOutputStream(zst))) {
      out.write(lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    assertEquals(31, options().open(zst.toString(), notes::add).size());
    // Named: --format fasttext, whatever the extension; CSV's options refused for it.
    Path named = Files.writeString(dir.resolve("reviews.csv"), "__label__a one two three\n__label__b four five\n");
    assertEquals(2, options("--format", "fasttext").open(named.toString()).size());
    IllegalArgumentException header = assertThrows(IllegalArgumentException.class,
        () -> options("--format", "fasttext", "--no-header").open(named.toString()));
    assertTrue(header.getMessage().endsWith("for CSV only; fastText lines are a label and a text (columns label,"
        + " text)"), header.getMessage());
  }

  @Test
  void shouldTakeForcedTypesWithoutAPayloadAsEveryFieldAndSayNothingWhenThePayloadIsNamed() throws IOException {
    Path file = Files.writeString(dir.resolve("codes.csv"), "code,size,label\n7,1.5,a\n9,2.5,b\n");
    List<String> notes = new ArrayList<>();

    ExampleSource codes = options("--categorical-columns", "code", "--label-column", "label")
        .open(file.toString(), notes::add);

    assertEquals(Map.of("code", FieldType.CATEGORICAL, "size", FieldType.NUMERIC), codes.fieldTypes());
    assertEquals(List.of(), notes);
  }

  @Test
  void shouldJoinSeveralTextColumnsNamedByTheFlagLeavingOutBlankOnesAndSkippingRowsWithNone() throws IOException {
    Path file = Files.writeString(dir.resolve("tickets.csv"), """
        subject,body,label
        help,my disk died,hw
        refund,,billing
        , ,billing
        """);

    ExampleSource tickets = options("--text-column", "subject,body", "--label-column", "label").open(file.toString());

    assertEquals("help\nmy disk died", tickets.get(0).text());
    assertEquals("refund", tickets.get(1).text());
    assertEquals(2, tickets.size());
    assertEquals(List.of("tickets.csv line 4: no text (columns 'subject', 'body')"),
        tickets.skipped().firstReasons());
  }

  private static SourceOptions options(String... args) {
    return CommandLine.populateCommand(new SourceOptions(), args);
  }
}
