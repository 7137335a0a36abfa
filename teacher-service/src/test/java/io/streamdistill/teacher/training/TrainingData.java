package io.streamdistill.teacher.training;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Small labelled data sets the tests write themselves, one per payload, each learnable in seconds. */
final class TrainingData {
  private TrainingData() {}

  /**
   * Three Gaussian blobs in 8 dimensions, unit variance, centres 4 apart along their own axis (scaled
   * by 100 and shifted by 1000 so that standardisation matters). The optimal classifier errs when a
   * point is nearer another centre: at a centre distance of 4*sqrt(2) = 5.7 sd that is
   * Phi(-2.83) = 0.2% per pair, so about 0.5% in all: a teacher above 95% has learned the blobs.
   */
  static ExampleSource blobs(int count, long seed) {
    Random random = new Random(seed);
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int cls = i % 3;
      float[] v = new float[8];
      for (int d = 0; d < v.length; d++) {
        double x = random.nextGaussian() + (d == cls ? 4 : 0);
        v[d] = (float) (1000 + 100 * x);
      }
      examples.add(new Example(String.format(Locale.ROOT, "blob-%05d", i), null, v, "c" + cls));
    }
    return ExampleSource.of("blobs", examples, List.of("c0", "c1", "c2"));
  }

  /**
   * 8x8 images, one byte per pixel, of three classes: a horizontal bar (2 rows), a vertical bar (2
   * columns), or a hollow square, each at a random position, with a little noise. The classes share
   * no bar position, so a perfect classifier exists; an MLP or a CNN above 90% on held-out images
   * has learned the shapes rather than the positions it saw.
   */
  static byte[][] images(int count, long seed, int[] labels) {
    Random random = new Random(seed);
    byte[][] images = new byte[count][64];
    for (int i = 0; i < count; i++) {
      int cls = random.nextInt(3);
      labels[i] = cls;
      double[] img = new double[64];
      for (int p = 0; p < 64; p++) {
        img[p] = random.nextDouble() * 0.15;
      }
      int at = random.nextInt(7);
      if (cls == 0) {
        for (int x = 0; x < 8; x++) {
          img[at * 8 + x] = 1;
          img[(at + 1) * 8 + x] = 1;
        }
      } else if (cls == 1) {
        for (int y = 0; y < 8; y++) {
          img[y * 8 + at] = 1;
          img[y * 8 + at + 1] = 1;
        }
      } else {
        int x0 = random.nextInt(4);
        int y0 = random.nextInt(4);
        for (int k = 0; k < 5; k++) {
          img[y0 * 8 + x0 + k] = 1;
          img[(y0 + 4) * 8 + x0 + k] = 1;
          img[(y0 + k) * 8 + x0] = 1;
          img[(y0 + k) * 8 + x0 + 4] = 1;
        }
      }
      for (int p = 0; p < 64; p++) {
        images[i][p] = (byte) Math.round(Math.min(1, img[p]) * 255);
      }
    }
    return images;
  }

  /** Writes IDX files (gzipped) of {@link #images}: the images' and the labels' paths. */
  static Path[] writeIdx(Path dir, int count, long seed) throws IOException {
    int[] labels = new int[count];
    byte[][] images = images(count, seed, labels);
    Path imagesFile = dir.resolve("shapes-images-idx3-ubyte.gz");
    Path labelsFile = dir.resolve("shapes-labels-idx1-ubyte.gz");
    try (DataOutputStream out = gzip(imagesFile)) {
      out.writeInt(0x00000803);
      out.writeInt(count);
      out.writeInt(8);
      out.writeInt(8);
      for (byte[] image : images) {
        out.write(image);
      }
    }
    writeLabels(labelsFile, labels);
    return new Path[] {imagesFile, labelsFile};
  }

  /**
   * Writes an IDX file of {@code count} colour images (3 planes of 8x8; images of shape [3, 8, 8])
   * and their labels: a 3x3 square anywhere, drawn in the red, green or blue plane by its class,
   * so only the colour tells the class. Returns the images' and the labels' paths.
   */
  static Path[] writeColourIdx(Path dir, int count, long seed) throws IOException {
    Random random = new Random(seed);
    Path imagesFile = dir.resolve("colours-images-idx4-ubyte.gz");
    Path labelsFile = dir.resolve("colours-labels-idx1-ubyte.gz");
    int[] labels = new int[count];
    try (DataOutputStream out = gzip(imagesFile)) {
      out.writeInt(0x00000804);
      out.writeInt(count);
      out.writeInt(3);
      out.writeInt(8);
      out.writeInt(8);
      for (int i = 0; i < count; i++) {
        labels[i] = random.nextInt(3);
        byte[] image = new byte[3 * 64];
        int x = random.nextInt(6);
        int y = random.nextInt(6);
        for (int dy = 0; dy < 3; dy++) {
          for (int dx = 0; dx < 3; dx++) {
            image[labels[i] * 64 + (y + dy) * 8 + x + dx] = (byte) 255;
          }
        }
        out.write(image);
      }
    }
    writeLabels(labelsFile, labels);
    return new Path[] {imagesFile, labelsFile};
  }

  /** An IDX labels file (gzipped): one unsigned byte per label. */
  private static void writeLabels(Path file, int[] labels) throws IOException {
    try (DataOutputStream out = gzip(file)) {
      out.writeInt(0x00000801);
      out.writeInt(labels.length);
      for (int label : labels) {
        out.writeByte(label);
      }
    }
  }

  private static DataOutputStream gzip(Path file) throws IOException {
    OutputStream out = Files.newOutputStream(file);
    return new DataOutputStream(new GZIPOutputStream(out));
  }

  /**
   * Network-flow-like records: proto (tcp/udp/icmp), flag (SF/S0/REJ), bytes (heavy-tailed) and
   * duration. The class needs both kinds of field: "attack" when (tcp and S0) or (udp and more than
   * 5,000 bytes), else "normal"; 3% of labels are flipped at random, so the best possible accuracy
   * is about 97%.
   */
  static List<Map<String, Object>> flows(int count, long seed, List<String> labels) {
    Random random = new Random(seed);
    String[] protos = {"tcp", "udp", "icmp"};
    String[] flags = {"SF", "S0", "REJ"};
    List<Map<String, Object>> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String proto = protos[random.nextInt(3)];
      String flag = flags[random.nextInt(3)];
      double bytes = Math.floor(Math.exp(random.nextGaussian() * 1.5 + 8));
      double duration = Math.round(random.nextDouble() * 100) / 10.0;
      boolean attack = ("tcp".equals(proto) && "S0".equals(flag)) || ("udp".equals(proto) && bytes > 5000);
      if (random.nextDouble() < 0.03) {
        attack = !attack;
      }
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("duration", duration);
      record.put("proto", proto);
      record.put("flag", flag);
      record.put("bytes", bytes);
      records.add(record);
      labels.add(attack ? "attack" : "normal");
    }
    return records;
  }

  /** {@link #flows} as a source of structured examples. */
  static ExampleSource flowSource(int count, long seed) {
    List<String> labels = new ArrayList<>();
    List<Map<String, Object>> records = flows(count, seed, labels);
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      examples.add(Example.ofFields(String.format(Locale.ROOT, "flow-%05d", i), records.get(i), labels.get(i)));
    }
    return ExampleSource.of("flows", examples, List.of("normal", "attack"));
  }

  /**
   * Short texts of three topics: each has two words of its topic's list among eight noise words in a
   * random order, so the label is in the words and nowhere else.
   */
  static ExampleSource texts(int count, long seed) {
    String[][] topics = {
      {"football", "goalkeeper", "penalty", "striker", "referee", "stadium"},
      {"shares", "dividend", "investor", "bond", "inflation", "bank"},
      {"rain", "forecast", "storm", "sunshine", "temperature", "wind"}};
    String[] classes = {"sport", "finance", "weather"};
    String[] noise = {"the", "a", "of", "today", "people", "said", "new", "after", "city", "report", "week", "many"};
    Random random = new Random(seed);
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int cls = i % 3;
      List<String> words = new ArrayList<>();
      for (int k = 0; k < 8; k++) {
        words.add(noise[random.nextInt(noise.length)]);
      }
      words.add(topics[cls][random.nextInt(6)]);
      words.add(topics[cls][random.nextInt(6)]);
      java.util.Collections.shuffle(words, random);
      examples.add(new Example(String.format(Locale.ROOT, "text-%05d", i), String.join(" ", words), null,
          classes[cls]));
    }
    return ExampleSource.of("topics", examples, List.of(classes));
  }

  /** {@link #flows} as a headerless CSV: duration,proto,flag,bytes,label. */
  static Path writeFlowsCsv(Path file, int count, long seed) throws IOException {
    List<String> labels = new ArrayList<>();
    List<Map<String, Object>> records = flows(count, seed, labels);
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < count; i++) {
      Map<String, Object> r = records.get(i);
      csv.append(r.get("duration")).append(',').append(r.get("proto")).append(',').append(r.get("flag")).append(',')
          .append(String.format(Locale.ROOT, "%.0f", (Double) r.get("bytes"))).append(',').append(labels.get(i))
          .append('\n');
    }
    Files.writeString(file, csv, StandardCharsets.UTF_8);
    return file;
  }
}
