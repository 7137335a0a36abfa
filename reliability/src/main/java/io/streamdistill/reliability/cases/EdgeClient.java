package io.streamdistill.reliability.cases;

import io.streamdistill.reliability.process.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The campaign as a client of an edge node's {@code POST /predict}: one request, or a prober thread
 * that asks all the time and counts which version answered, so that "the node kept serving the good
 * version throughout" is measured rather than assumed. Thread-safe (the JDK HttpClient is).
 */
final class EdgeClient {
  private static final long PROBE_EVERY_MILLIS = 5;
  private static final String IMAGE = "{\"vector\": [" + "0.5,".repeat(783) + "0.5]}";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final URI predict;

  EdgeClient(int port) {
    this.predict = URI.create("http://127.0.0.1:" + port + "/predict");
  }

  URI predictUri() {
    return predict;
  }

  /** One answer: the status and the version it names (-1 when it names none or there was no answer). */
  record Answer(int status, long version) {}

  Answer predict() {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(predict).timeout(Duration.ofSeconds(10))
          .POST(HttpRequest.BodyPublishers.ofString(IMAGE)).build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), number(response.body()));
    } catch (IOException e) {
      return new Answer(-1, -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, -1);
    }
  }

  /** Waits until the node answers with {@code version}. */
  void awaitServing(long version, Duration timeout) {
    Await.until("the edge node to serve version " + version, timeout, () -> {
      Answer answer = predict();
      return answer.status() == 200 && answer.version() == version;
    }, () -> "last answer " + predict());
  }

  private static long number(String json) {
    int at = json.indexOf("\"modelVersion\":");
    if (at < 0) {
      return -1;
    }
    int i = at + "\"modelVersion\":".length();
    int end = i;
    while (end < json.length() && Character.isDigit(json.charAt(end))) {
      end++;
    }
    return end == i ? -1 : Long.parseLong(json.substring(i, end));
  }

  /** Asks on its own thread until closed; counts answers by version, and failures. */
  final class Prober implements AutoCloseable {
    private final Thread thread;
    private final Map<Long, LongAdder> byVersion = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean running = true;

    Prober() {
      thread = new Thread(() -> {
        while (running) {
          Answer answer = predict();
          if (answer.status() != 200) {
            failures.incrementAndGet();
          } else {
            byVersion.computeIfAbsent(answer.version(), v -> new LongAdder()).increment();
          }
          // A steady trickle is enough to see every moment; the load case is the one that loads.
          Await.pause(PROBE_EVERY_MILLIS);
        }
      }, "edge-prober");
      thread.setDaemon(true);
      thread.start();
    }

    /** Answers by the version that gave them. */
    Map<Long, Long> answers() {
      Map<Long, Long> answers = new java.util.TreeMap<>();
      byVersion.forEach((v, n) -> answers.put(v, n.sum()));
      return answers;
    }

    long failures() {
      return failures.get();
    }

    @Override
    public void close() {
      running = false;
      try {
        thread.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  Prober prober() {
    return new Prober();
  }
}
