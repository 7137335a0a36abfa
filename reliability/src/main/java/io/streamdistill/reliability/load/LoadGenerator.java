package io.streamdistill.reliability.load;

import io.streamdistill.config.Commands;
import io.streamdistill.config.Durations;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Loads an edge node's {@code POST /predict} from a process of its own, as clients would: several
 * threads, each with its own JDK HttpClient on one kept-alive HTTP/1.1 connection, for a fixed time,
 * at a fixed rate or as fast as answers come. Every request is recorded (start, latency, status, the
 * version and digit the answer named) and written as CSV for the campaign to cut into windows.
 *
 * <p>Why the JDK client and not wrk: it needs nothing installed, and it records each request with a
 * timestamp the campaign can line up with the edge's swap events; wrk reports only totals unless
 * scripted. Its own cost (about half a millisecond a request here) is the same in steady and swap
 * windows, so the comparison holds.
 */
@Command(name = "load-generator", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Loads POST /predict of an edge node and writes every request to a CSV file.")
public final class LoadGenerator implements Callable<Integer> {
  /** An MNIST-sized image; the campaign's versions answer the same digit for any input. */
  static final String IMAGE = "{\"vector\": [" + "0.5,".repeat(783) + "0.5]}";

  @Spec
  private CommandSpec spec;

  @Option(names = "--url", required = true, paramLabel = "URL", description = "The predict endpoint.")
  private URI url;

  @Option(names = "--threads", defaultValue = "4", paramLabel = "N",
      description = "Client threads. Default: ${DEFAULT-VALUE}.")
  private int threads;

  @Option(names = "--duration", defaultValue = "60s", paramLabel = "DURATION",
      description = "Default: ${DEFAULT-VALUE}.")
  private String duration;

  @Option(names = "--rate", defaultValue = "0", paramLabel = "PER_SECOND",
      description = "Requests a second over all threads; 0 for as fast as answers come. Default: ${DEFAULT-VALUE}.")
  private double rate;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where the requests go (CSV).")
  private Path out;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    return Commands.withExitCodes(new LoadGenerator(), "load-generator");
  }

  @Override
  public Integer call() throws Exception {
    if (threads < 1 || rate < 0) {
      throw new IllegalArgumentException("--threads must be at least 1 and --rate at least 0");
    }
    Duration length = Durations.parse("--duration", duration);
    // Epoch microseconds from one reading of the wall clock, advanced by the monotonic clock.
    long baseEpochMicros = System.currentTimeMillis() * 1_000;
    long baseNanos = System.nanoTime();
    long deadline = baseNanos + length.toNanos();
    long interval = rate == 0 ? 0 : (long) (1e9 * threads / rate);
    List<LoadSamples> perThread = new ArrayList<>();
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      LoadSamples samples = new LoadSamples();
      perThread.add(samples);
      // Spread the paced threads' first requests over one interval.
      long first = baseNanos + interval * t / threads;
      Thread thread = new Thread(() -> load(samples, first, interval, deadline, baseEpochMicros, baseNanos),
          "load-" + t);
      thread.start();
      running.add(thread);
    }
    for (Thread thread : running) {
      thread.join();
    }
    LoadSamples all = new LoadSamples();
    perThread.forEach(all::addAll);
    all.write(out);
    long failed = 0;
    for (int i = 0; i < all.size(); i++) {
      failed += all.failed(i) ? 1 : 0;
    }
    PrintWriter printer = spec.commandLine().getOut();
    printer.printf(Locale.ROOT, "load done: %d requests in %.1f s, %d failed; written to %s%n", all.size(),
        length.toMillis() / 1000.0, failed, out);
    printer.flush();
    return 0;
  }

  private void load(LoadSamples samples, long first, long interval, long deadline, long baseEpochMicros,
      long baseNanos) {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(IMAGE)).build();
    long next = first;
    while (true) {
      if (interval > 0) {
        long now = System.nanoTime();
        while (next - now > 0) {
          LockSupport.parkNanos(next - now);
          now = System.nanoTime();
        }
        next += interval;
      }
      long started = System.nanoTime();
      if (started - deadline >= 0) {
        return;
      }
      int status;
      long version = -1;
      int digit = -1;
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        status = response.statusCode();
        version = number(response.body(), "\"modelVersion\":");
        digit = (int) number(response.body(), "\"label\":\"");
      } catch (java.io.IOException e) {
        status = -1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long latencyMicros = (System.nanoTime() - started) / 1_000;
      samples.add(baseEpochMicros + (started - baseNanos) / 1_000, latencyMicros, status, version, digit);
    }
  }

  /** The non-negative integer right after {@code field} in a JSON answer, or -1. Cheaper than a parser per request. */
  static long number(String json, String field) {
    int at = json.indexOf(field);
    if (at < 0) {
      return -1;
    }
    int i = at + field.length();
    while (i < json.length() && json.charAt(i) == ' ') {
      i++;
    }
    long value = 0;
    int digits = 0;
    while (i < json.length() && Character.isDigit(json.charAt(i))) {
      value = value * 10 + (json.charAt(i++) - '0');
      digits++;
    }
    return digits == 0 ? -1 : value;
  }
}
