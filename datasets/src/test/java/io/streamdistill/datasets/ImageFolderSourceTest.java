package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ImageFolderSourceTest {
  /** An image of {@code size} x {@code size} filled with {@code color}, its top-left pixel {@code corner}. */
  private static Path image(Path file, int size, Color color, Color corner, String format) throws IOException {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(color);
    g.fillRect(0, 0, size, size);
    g.dispose();
    image.setRGB(0, 0, corner.getRGB());
    Files.createDirectories(file.getParent());
    assertTrue(ImageIO.write(image, format, file.toFile()), format);
    return file;
  }

  private static Path shapes(Path dir) throws IOException {
    image(dir.resolve("square/10.png"), 8, Color.WHITE, Color.BLACK, "png");
    image(dir.resolve("square/2.png"), 8, Color.BLACK, Color.WHITE, "png");
    image(dir.resolve("circle/deeper/a.bmp"), 16, Color.WHITE, Color.WHITE, "bmp"); // scaled to 8x8
    image(dir.resolve("circle/b.jpg"), 8, Color.WHITE, Color.WHITE, "jpg");
    image(dir.resolve("unsorted.png"), 8, Color.RED, Color.RED, "png");
    Files.writeString(dir.resolve("square/notes.txt"), "not an image", StandardCharsets.UTF_8);
    Files.write(dir.resolve("circle/broken.png"), new byte[] {1, 2, 3});
    Files.writeString(dir.resolve(".DS_Store"), "hidden", StandardCharsets.UTF_8);
    Files.createDirectories(dir.resolve(".thumbs"));
    Files.writeString(dir.resolve(".thumbs/x.png"), "hidden", StandardCharsets.UTF_8);
    return dir;
  }

  @Test
  void shouldKeepASampleOfAFoldersFilesTheSameEachTime(@TempDir Path dir) throws Exception {
    for (int i = 0; i < 10; i++) {
      image(dir.resolve("many/" + (i % 2 == 0 ? "even" : "odd") + "/" + i + ".png"), 8, Color.WHITE,
          i % 2 == 0 ? Color.BLACK : Color.WHITE, "png");
    }
    SourceOptions sampled = picocli.CommandLine.populateCommand(new SourceOptions(), "--sample", "4");

    ExampleSource four = sampled.open(dir.resolve("many").toString());

    assertEquals(4, four.size());
    List<String> ids = java.util.stream.IntStream.range(0, 4).mapToObj(i -> four.get(i).id()).toList();
    assertEquals(ids.stream().sorted(NaturalOrder.COMPARATOR).toList(), ids, "in the folder's order");
    ExampleSource again = sampled.open(dir.resolve("many").toString());
    assertEquals(ids, java.util.stream.IntStream.range(0, 4).mapToObj(i -> again.get(i).id()).toList());
    assertEquals(10, picocli.CommandLine.populateCommand(new SourceOptions()).open(dir.resolve("many").toString())
        .size());
  }

  @Test
  void shouldReadOneClassPerSubfolderScaledToTheFirstImageInGray(@TempDir Path dir) throws Exception {
    ImageFolderSource source = ImageFolderSource.read(shapes(dir.resolve("shapes")),
        ImageFolderSource.Options.parse(null, "gray"));

    assertEquals("shapes", source.name());
    assertEquals(List.of("circle", "square"), source.classes());
    assertArrayEquals(new int[] {8, 8}, source.imageShape());
    // Natural order of the paths: circle/b.jpg, circle/deeper/a.bmp, square/2.png, square/10.png, unsorted.png
    assertEquals(5, source.size());
    assertEquals("circle/b.jpg", source.get(0).id());
    assertEquals("circle/deeper/a.bmp", source.get(1).id());
    assertEquals("square/2.png", source.get(2).id());
    assertEquals("square/10.png", source.get(3).id());
    assertEquals("square", source.label(3));
    assertNull(source.label(4), "an image directly in the folder has no label");

    float[] whiteWithBlackCorner = source.get(3).vector();
    assertEquals(64, whiteWithBlackCorner.length);
    assertEquals(0f, whiteWithBlackCorner[0], 1e-6f, "row by row: the top-left pixel first");
    assertEquals(1f, whiteWithBlackCorner[63], 1e-6f);
    float[] scaled = source.get(1).vector();
    for (float v : scaled) {
      assertEquals(1f, v, 1e-6f, "a white 16x16 image scaled to 8x8 stays white");
    }
    float[] red = source.get(4).vector();
    assertEquals(0.299f, red[5], 1f / 255, "red's luma (ITU-R 601, as PIL's convert('L')), not its red");

    assertEquals(2, source.skipped().count(), source.skipped().toString());
    String skipped = source.skipped().toString();
    assertTrue(skipped.contains("circle/broken.png: cannot be decoded"), skipped);
    assertTrue(skipped.contains("square/notes.txt: not an image"), skipped);
  }

  @Test
  void shouldKeepAGrayFilesValuesAsTheyAreAndAverageWhatAPixelCoversWhenScaling(@TempDir Path dir) throws Exception {
    // Java would read a gray PNG's 128 as linear light and give 186 through getRGB; PIL and we read 128.
    BufferedImage gray = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_GRAY);
    int[] values = {128, 0, 255, 255, 64, 64, 10, 30};
    gray.getRaster().setPixels(0, 0, 4, 2, values);
    Files.createDirectories(dir.resolve("g"));
    assertTrue(ImageIO.write(gray, "png", dir.resolve("g/x.png").toFile()));

    float[] asIs = ImageFolderSource.read(dir, ImageFolderSource.Options.DEFAULT).get(0).vector();
    for (int i = 0; i < values.length; i++) {
      assertEquals(values[i] / 255f, asIs[i], 1e-6f, "pixel " + i);
    }
    float[] halved = ImageFolderSource.read(dir, ImageFolderSource.Options.parse("1x2", null)).get(0).vector();
    assertEquals((128 + 0 + 64 + 64) / 4f / 255f, halved[0], 1f / 255, "the mean of the 2x2 block it covers");
    assertEquals((255 + 255 + 10 + 30) / 4f / 255f, halved[1], 1f / 255);
  }

  @Test
  void shouldScaleToTheSizeAskedAndKeepTheColourPlanesInRgb(@TempDir Path dir) throws Exception {
    ImageFolderSource source = ImageFolderSource.read(shapes(dir), ImageFolderSource.Options.parse("4x6", "rgb"));
    assertArrayEquals(new int[] {3, 4, 6}, source.imageShape());
    float[] red = source.get(4).vector();
    assertEquals(72, red.length);
    assertEquals(1f, red[0], 1e-6f, "the red plane first");
    assertEquals(0f, red[24], 1e-6f, "then green");
    assertEquals(0f, red[48], 1e-6f, "then blue");
  }

  @Test
  void shouldReadAFolderInColourByDefaultOnlyWhenItsImagesAreInColour(@TempDir Path dir) throws Exception {
    // Black and white drawn into colour files (PNG, BMP, JPEG), and a gray PNG: gray.
    image(dir.resolve("plain/a/1.png"), 8, Color.WHITE, Color.BLACK, "png");
    image(dir.resolve("plain/a/2.jpg"), 8, Color.BLACK, Color.WHITE, "jpg");
    image(dir.resolve("plain/b/3.bmp"), 8, Color.GRAY, Color.WHITE, "bmp");
    BufferedImage gray = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
    assertTrue(ImageIO.write(gray, "png", dir.resolve("plain/b/4.png").toFile()));
    assertArrayEquals(new int[] {8, 8}, ImageFolderSource.read(dir.resolve("plain"), ImageFolderSource.Options.DEFAULT)
        .imageShape());
    // One coloured image among them: the folder is read in colour, every image three planes.
    image(dir.resolve("plain/b/5.png"), 8, new Color(40, 160, 90), Color.WHITE, "png");
    ImageFolderSource colour = ImageFolderSource.read(dir.resolve("plain"), ImageFolderSource.Options.DEFAULT);
    assertArrayEquals(new int[] {3, 8, 8}, colour.imageShape());
    assertEquals(192, colour.get(0).vector().length);
    // Asked for, gray stays gray.
    assertArrayEquals(new int[] {8, 8}, ImageFolderSource.read(dir.resolve("plain"),
        ImageFolderSource.Options.parse(null, "gray")).imageShape());
  }

  @Test
  void shouldBringALargeFirstImageDownToSixtyFourOnItsLongerSideByDefault() {
    assertArrayEquals(new int[] {48, 64}, ImageFolderSource.defaultSize(768, 1024));
    assertArrayEquals(new int[] {64, 21}, ImageFolderSource.defaultSize(300, 100));
    assertArrayEquals(new int[] {64, 64}, ImageFolderSource.defaultSize(64, 64));
    assertArrayEquals(new int[] {28, 28}, ImageFolderSource.defaultSize(28, 28));
  }

  @Test
  void shouldRefuseAFolderWithoutImagesOrOverItsBoundAndBadOptionsNamingTheFlag(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("readme.txt"), "nothing to see", StandardCharsets.UTF_8);
    DatasetException none = assertThrows(DatasetException.class,
        () -> ImageFolderSource.read(dir, ImageFolderSource.Options.DEFAULT));
    assertTrue(none.getMessage().contains("holds no image that could be read"), none.getMessage());

    Path many = shapes(dir.resolve("many"));
    DatasetException tooBig = assertThrows(DatasetException.class,
        () -> ImageFolderSource.read(many, new ImageFolderSource.Options(0, 0, ImageFolderSource.Color.GRAY, 100)));
    assertTrue(tooBig.getMessage().contains("scale them down with --image-size"), tooBig.getMessage());
    // With the size given, refused from the number of files, before any is decoded.
    DatasetException sized = assertThrows(DatasetException.class,
        () -> ImageFolderSource.read(many, new ImageFolderSource.Options(10, 10, ImageFolderSource.Color.RGB, 100)));
    assertTrue(sized.getMessage().contains("images: at 10x10 RGB that is")
        && sized.getMessage().endsWith("or keep a sample of its files (--sample 1)"), sized.getMessage());
    // The same images a table lists: a sample of its rows is the subset to give.
    List<Path> files = ClassFolders.files(many);
    DatasetException listed = assertThrows(DatasetException.class, () -> ImageFolderSource.ofFiles(
        many.resolve("train.csv"), "train", files, files.stream().map(Path::toString).toList(),
        files.stream().map(f -> "x").toList(), new ImageFolderSource.Options(10, 10, ImageFolderSource.Color.RGB, 600),
        note -> { }));
    assertTrue(listed.getMessage().endsWith("keep a sample of the table's rows (--sample 2)"), listed.getMessage());

    assertEquals("--image-size must be ROWSxCOLS (e.g. 28x28), not '28'",
        assertThrows(IllegalArgumentException.class, () -> ImageFolderSource.Options.parse("28", null)).getMessage());
    assertEquals("--image-color must be auto, gray or rgb, not 'cmyk'",
        assertThrows(IllegalArgumentException.class, () -> ImageFolderSource.Options.parse(null, "cmyk"))
            .getMessage());
  }

  @Test
  void shouldReadTheImagesATableNamesLabelledByItsRows(@TempDir Path dir) throws Exception {
    // Kaggle's image sets: train.csv of file names and labels beside an images/ folder; test.csv alike.
    image(dir.resolve("images/a.png"), 8, Color.WHITE, Color.BLACK, "png");
    image(dir.resolve("images/b.jpg"), 8, Color.BLACK, Color.BLACK, "jpg");
    image(dir.resolve("images/c.png"), 16, Color.BLACK, Color.WHITE, "png"); // scaled to 8x8
    Path train = Files.writeString(dir.resolve("train.csv"), """
        file,label,width
        images/a.png,light,8
        images/b.jpg,dark,8
        images/gone.png,dark,8
        images/c.png,dark,16
        """, StandardCharsets.UTF_8);
    List<String> notes = new java.util.ArrayList<>();
    SourceOptions options = new SourceOptions();

    ExampleSource source = options.open(train.toString(), notes::add);

    assertTrue(notes.get(0).contains("images: the files column 'file' names (relative to the table's folder);"
        + " label: column 'label' (by its name); left out: width"), notes.toString());
    assertEquals(3, source.size());
    assertArrayEquals(new int[] {8, 8}, source.imageShape(), "gray: no image is in colour");
    assertEquals(List.of("train.csv:2", "train.csv:3", "train.csv:5"),
        List.of(source.get(0).id(), source.get(1).id(), source.get(2).id()));
    assertEquals(List.of("light", "dark", "dark"), List.of(source.label(0), source.label(1), source.label(2)));
    assertEquals(1f, source.get(0).vector()[1], 1e-6f, "white");
    assertEquals(0f, source.get(1).vector()[1], 1e-6f, "black");
    assertEquals(1, source.skipped().count());
    assertTrue(source.skipped().firstReasons().get(0).contains("no such file: " + dir.resolve("images/gone.png")
        .toAbsolutePath()), source.skipped().toString());
    // A test table is read as the training table was: images too.
    Path test = Files.writeString(dir.resolve("test.csv"), "file,label,width\nimages/c.png,dark,16\n");
    ExampleSource requests = options.openLike(test.toString(), notes::add);
    assertArrayEquals(new int[] {8, 8}, requests.imageShape());
    assertEquals("dark", requests.label(0));

    // Named by the flag, when fewer than nine names in ten end in an image's extension; at the size asked.
    Path mixed = Files.writeString(dir.resolve("mixed.csv"), "path,y\nimages/a.png,light\nimages/notes.txt,x\n");
    ExampleSource named = CommandLine.populateCommand(new SourceOptions(), "--image-column", "path",
        "--label-column", "y", "--image-size", "4x4").open(mixed.toString());
    assertEquals(1, named.size());
    assertArrayEquals(new int[] {4, 4}, named.imageShape());
    assertTrue(named.skipped().firstReasons().get(0).contains("not an image"), named.skipped().toString());
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> CommandLine.populateCommand(
        new SourceOptions(), "--image-column", "path", "--text-column", "y").open(mixed.toString()));
    assertTrue(both.getMessage().startsWith("--image-column: the images it names are the examples"),
        both.getMessage());
    // A test folder is read at the training images' size: its first image is 16x16, read at 8x8.
    image(dir.resolve("testfolder/dark/c.png"), 16, Color.BLACK, Color.WHITE, "png");
    assertArrayEquals(new int[] {8, 8}, options.openLike(dir.resolve("testfolder").toString(), notes::add)
        .imageShape());
  }

  @Test
  void shouldFindTheImagesATableNamesByIdInASubfolder(@TempDir Path dir) throws Exception {
    // Kaggle's CIFAR-10: trainLabels.csv of "id,label" beside train/1.png, train/2.png, ...; test/ beside it.
    StringBuilder csv = new StringBuilder("id,label\n");
    for (int i = 1; i <= 30; i++) {
      boolean light = i % 3 == 0;
      image(dir.resolve("train/" + i + ".png"), 4, light ? Color.WHITE : Color.BLACK, Color.RED, "png");
      csv.append(i).append(',').append(light ? "light" : "dark").append('\n');
    }
    image(dir.resolve("test/31.png"), 8, Color.WHITE, Color.RED, "png");
    Files.createDirectories(dir.resolve("abc")); // a folder sorted first, holding nothing named
    Path train = Files.writeString(dir.resolve("trainLabels.csv"), csv);
    List<String> notes = new java.util.ArrayList<>();
    SourceOptions options = new SourceOptions();

    ExampleSource source = options.open(train.toString(), notes::add);

    assertTrue(notes.get(0).contains("images: the files column 'id' names (in train/, each name + .png); label:"
        + " column 'label' (by its name)"), notes.toString());
    assertEquals(30, source.size());
    assertArrayEquals(new int[] {3, 4, 4}, source.imageShape(), "a red corner: colour");
    assertEquals("light", source.label(2));
    assertEquals(1f, source.get(2).vector()[1], 1e-6f, "white");
    // A test table is read as the training one was, its files found where they are (test/).
    Path test = Files.writeString(dir.resolve("test.csv"), "id,label\n31,light\n");
    ExampleSource requests = options.openLike(test.toString(), notes::add);
    assertEquals(1, requests.size(), requests.skipped().toString());
    assertArrayEquals(new int[] {3, 4, 4}, requests.imageShape(), "read at the training images' size");
    // Named by the flag: the same search.
    ExampleSource named = CommandLine.populateCommand(new SourceOptions(), "--image-column", "id",
        "--label-column", "label").open(train.toString());
    assertEquals(30, named.size());
  }

  @Test
  void shouldTakeTheOnlyOtherColumnForTheLabelOfImagesNamedById(@TempDir Path dir) throws Exception {
    // The dog breeds' labels.csv (id, breed) beside train/<id>.jpg: 120 breeds, too many for a label by place.
    StringBuilder csv = new StringBuilder("id,breed\n");
    for (int i = 0; i < 160; i++) {
      String id = String.format(Locale.ROOT, "%08x", i * 2_654_435_761L);
      image(dir.resolve("train/" + id + ".jpg"), 4, i % 2 == 0 ? Color.WHITE : Color.BLACK, Color.BLACK, "jpg");
      csv.append(id).append(",breed_").append(i % 120).append('\n');
    }
    Path labels = Files.writeString(dir.resolve("labels.csv"), csv);
    List<String> notes = new java.util.ArrayList<>();

    ExampleSource source = new SourceOptions().open(labels.toString(), notes::add);

    assertTrue(notes.get(0).contains("images: the files column 'id' names (in train/, each name + .jpg); label:"
        + " column 'breed' (the only other column, 120 values)"), notes.toString());
    assertEquals(160, source.size());
    assertEquals(120, source.classes().size());
    // The folder given whole: its labels.csv names the images, so train/ is no class of its own.
    notes.clear();
    ExampleSource folder = new SourceOptions().open(dir.toString(), notes::add);
    assertEquals(160, folder.size());
    assertEquals(120, folder.classes().size(), "the breeds, not one class called train");
    assertTrue(notes.get(0).startsWith(dir + " holds images and labels.csv, which names them with their classes"),
        notes.toString());
    // The same table elsewhere, without the files: no images, the ids a column like any other.
    Path elsewhere = Files.writeString(Files.createDirectories(dir.resolve("elsewhere")).resolve("labels.csv"), csv);
    List<String> elsewhereNotes = new java.util.ArrayList<>();
    new SourceOptions().open(elsewhere.toString(), elsewhereNotes::add);
    assertTrue(elsewhereNotes.get(0).startsWith("No payload named") && !elsewhereNotes.get(0).contains("images"),
        elsewhereNotes.toString());
  }

  @Test
  void shouldLabelAFolderWithoutSubfoldersByItsFileNamesWhenTheyAreAClassAndANumber(@TempDir Path dir)
      throws Exception {
    // Kaggle's Dogs vs. Cats (train/cat.0.jpg, train/dog.0.jpg), the Oxford-IIIT Pets (american_bulldog_10.jpg),
    // ImageNet (n02085620_10074.JPEG).
    Path flat = dir.resolve("train");
    for (int i = 0; i < 6; i++) {
      image(flat.resolve("cat." + i + ".jpg"), 4, Color.WHITE, Color.WHITE, "jpg");
      image(flat.resolve("american_bulldog_" + (i + 10) + ".jpg"), 4, Color.BLACK, Color.BLACK, "jpg");
      image(flat.resolve("n02085620_1007" + i + ".png"), 4, Color.GRAY, Color.GRAY, "png");
    }
    List<String> notes = new java.util.ArrayList<>();
    SourceOptions options = new SourceOptions();

    ExampleSource source = options.open(flat.toString(), notes::add);

    assertEquals(List.of("american_bulldog", "cat", "n02085620"), source.classes());
    assertEquals(18, source.size());
    assertEquals("cat", source.label(source.size() - 12), "cat.0.jpg sorts after the bulldogs");
    assertTrue(notes.get(0).startsWith("train has no subfolders, one per class: each file's class is its name before"
        + " the number (") && notes.get(0).endsWith("3 classes"), notes.toString());
    // Numbers alone (ids), or one name for all (IMG_0001.jpg), are no classes.
    Path ids = dir.resolve("ids");
    Path camera = dir.resolve("camera");
    for (int i = 1; i <= 12; i++) {
      image(ids.resolve(i + ".png"), 4, Color.WHITE, Color.WHITE, "png");
      image(camera.resolve(String.format(Locale.ROOT, "IMG_%04d.jpg", i)), 4, Color.WHITE, Color.WHITE, "jpg");
    }
    List<String> none = new java.util.ArrayList<>();
    assertEquals(List.of(), new SourceOptions().open(ids.toString(), none::add).classes());
    assertEquals(List.of(), new SourceOptions().open(camera.toString(), none::add).classes());
    assertEquals(List.of(), none);
  }

  @Test
  void shouldOpenAFolderGivenAsTheSourceAndRefuseColumnOptionsForIt(@TempDir Path dir) throws Exception {
    Path folder = shapes(dir.resolve("shapes"));
    SourceOptions options = CommandLine.populateCommand(new SourceOptions(), "--image-size", "2x2");
    ExampleSource source = options.open(folder.toString());
    // The folder holds a red image: read in colour by default (--image-color auto).
    assertEquals(12, source.get(0).vector().length);
    assertArrayEquals(new int[] {3, 2, 2}, source.imageShape());

    SourceOptions columns = CommandLine.populateCommand(new SourceOptions(), "--label-column", "y");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> columns.open(folder.toString()));
    assertTrue(e.getMessage().contains("not for a folder of images"), e.getMessage());
    Path csv = Files.writeString(dir.resolve("a.csv"), "x,y\n1,2\n", StandardCharsets.UTF_8);
    SourceOptions sized = CommandLine.populateCommand(new SourceOptions(), "--image-size", "2x2", "--fields-all");
    IllegalArgumentException forFile = assertThrows(IllegalArgumentException.class, () -> sized.open(csv.toString()));
    assertTrue(forFile.getMessage().contains("--image-size: the table's vector is the image's pixels, and no vector"
        + " is named"), forFile.getMessage());
    IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
        () -> new SourceOptions().open(folder.resolve("square/2.png").toString()));
    assertTrue(one.getMessage().endsWith("2.png is one image: give the folder that holds the images, one subfolder"
        + " per class"), one.getMessage());
  }
}
