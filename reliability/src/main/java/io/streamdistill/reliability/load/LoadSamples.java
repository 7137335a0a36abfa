package io.streamdistill.reliability.load;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Every request of a load run, column by column (a minute of load is a few hundred thousand requests):
 * when it started (epoch microseconds, comparable with the edge's deployment timestamps on the same
 * machine), how long it took, the HTTP status (-1: no answer), and the version and digit the answer
 * named (-1: none). Written by the load generator as CSV, read back by the campaign.
 *
 * <p>Not thread-safe: one per load thread, merged at the end.
 */
public final class LoadSamples {
  static final String HEADER = "startMicros,latencyMicros,status,modelVersion,label";

  private long[] start = new long[1024];
  private long[] latency = new long[1024];
  private int[] status = new int[1024];
  private long[] version = new long[1024];
  private int[] label = new int[1024];
  private int size;

  public void add(long startMicros, long latencyMicros, int httpStatus, long modelVersion, int digit) {
    if (size == start.length) {
      int capacity = size * 2;
      start = Arrays.copyOf(start, capacity);
      latency = Arrays.copyOf(latency, capacity);
      status = Arrays.copyOf(status, capacity);
      version = Arrays.copyOf(version, capacity);
      label = Arrays.copyOf(label, capacity);
    }
    start[size] = startMicros;
    latency[size] = latencyMicros;
    status[size] = httpStatus;
    version[size] = modelVersion;
    label[size] = digit;
    size++;
  }

  public void addAll(LoadSamples other) {
    for (int i = 0; i < other.size; i++) {
      add(other.start[i], other.latency[i], other.status[i], other.version[i], other.label[i]);
    }
  }

  public int size() {
    return size;
  }

  public long startMicros(int i) {
    return start[i];
  }

  public long latencyMicros(int i) {
    return latency[i];
  }

  public int status(int i) {
    return status[i];
  }

  public long modelVersion(int i) {
    return version[i];
  }

  public int label(int i) {
    return label[i];
  }

  /**
   * Whether request {@code i} failed: no answer, a status other than 200, or an answer whose digit is
   * not the one its version gives (half of one version, half of another).
   */
  public boolean failed(int i) {
    return status[i] != 200 || version[i] < 0 || label[i] != Math.floorMod(version[i], 10);
  }

  public void write(Path file) {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(HEADER);
      out.newLine();
      for (int i = 0; i < size; i++) {
        out.write(start[i] + "," + latency[i] + "," + status[i] + "," + version[i] + "," + label[i]);
        out.newLine();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
  }

  public static LoadSamples read(Path file) {
    LoadSamples samples = new LoadSamples();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line = in.readLine();
      if (!HEADER.equals(line)) {
        throw new IllegalArgumentException(file + " is not a load generator's output (header " + line + ")");
      }
      while ((line = in.readLine()) != null) {
        String[] f = line.split(",", -1);
        samples.add(Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]),
            Integer.parseInt(f[4]));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file, e);
    }
    return samples;
  }
}
