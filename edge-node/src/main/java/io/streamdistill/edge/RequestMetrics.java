package io.streamdistill.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The request meters of a node: {@code distill.edge.requests{path}} and {@code
 * distill.edge.latency{path}} for each way a request was answered, {@code
 * distill.edge.student.share} (answered by the student alone), {@code
 * distill.edge.requests.refused{reason}}. Thread-safe (Micrometer's meters are).
 */
final class RequestMetrics {
  /** How a request was answered. */
  enum Path {
    /** The student was sure enough (or there is no teacher to ask). */
    STUDENT("student"),
    /** The student was unsure and the teacher answered. */
    TEACHER("teacher"),
    /** The student was unsure, the teacher did not answer in time or failed: the student answered. */
    TEACHER_FAILED("teacher_failed");

    final String tag;

    Path(String tag) {
      this.tag = tag;
    }
  }

  private final Map<Path, Counter> requests = new EnumMap<>(Path.class);
  private final Map<Path, Timer> latency = new EnumMap<>(Path.class);
  private final Counter invalid;
  private final Counter notServing;

  RequestMetrics(MeterRegistry registry) {
    for (Path path : Path.values()) {
      requests.put(path, Counter.builder("distill.edge.requests").tag("path", path.tag)
          .description("predict requests, by who answered").register(registry));
      latency.put(path, Timer.builder("distill.edge.latency").tag("path", path.tag)
          .description("time to answer a predict request, by who answered")
          .publishPercentiles(0.5, 0.99).register(registry));
    }
    invalid = Counter.builder("distill.edge.requests.refused").tag("reason", "invalid_input")
        .description("predict requests not answered").register(registry);
    notServing = Counter.builder("distill.edge.requests.refused").tag("reason", "not_serving")
        .description("predict requests not answered").register(registry);
    Gauge.builder("distill.edge.student.share", this, RequestMetrics::studentShare)
        .description("share of answered requests answered by the student alone (NaN before the first)")
        .register(registry);
  }

  void answered(Path path, long nanos) {
    requests.get(path).increment();
    latency.get(path).record(nanos, TimeUnit.NANOSECONDS);
  }

  void invalid() {
    invalid.increment();
  }

  void notServing() {
    notServing.increment();
  }

  double studentShare() {
    double total = 0;
    for (Counter counter : requests.values()) {
      total += counter.count();
    }
    return total == 0 ? Double.NaN : requests.get(Path.STUDENT).count() / total;
  }
}
