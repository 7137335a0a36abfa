package io.streamdistill.teacher.remote;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link RemoteTeacher}'s counts of what its calls did, and their meters: {@code
 * distill.teacher.remote.breaker.open} (1 while open or probing), {@code .calls} (a timer), {@code .failures} by
 * reason, {@code .retries}, {@code .refused} (calls not made: breaker open), {@code .unavailable} (batches failed
 * for an outage), {@code .mismatched} (answers with other tensors than the metadata's: refused batches), {@code
 * .cache.hits} and {@code .cache.misses}. Thread-safe: the counts are {@link LongAdder}s.
 */
final class RemoteTeacherMeters {
  final LongAdder calls = new LongAdder();
  final LongAdder callNanos = new LongAdder();
  final LongAdder timeouts = new LongAdder();
  final LongAdder connectionFailures = new LongAdder();
  final LongAdder badStatus = new LongAdder();
  final LongAdder malformed = new LongAdder();
  final LongAdder mismatched = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder unavailable = new LongAdder();
  final LongAdder overRate = new LongAdder();

  /** Registers the meters, tagged {@code teacher=id}. */
  void bindTo(MeterRegistry registry, String id, CircuitBreaker breaker, AnswerCache cache, CallPacer pacer) {
    FunctionCounter.builder("distill.teacher.remote.over.rate", overRate, LongAdder::sum)
        .description("answers saying the server is over its rate (429, or Retry-After)").tag("teacher", id)
        .register(registry);
    Gauge.builder("distill.teacher.remote.calls.allowed", pacer, CallPacer::limit)
        .description("calls the remote teacher may have in flight, as its server's rate allows").tag("teacher", id)
        .register(registry);
    Gauge.builder("distill.teacher.remote.breaker.open", breaker,
            b -> b.state() == CircuitBreaker.State.CLOSED ? 0 : 1)
        .description("1 while the remote teacher's circuit breaker is open or probing").tag("teacher", id)
        .register(registry);
    FunctionTimer.builder("distill.teacher.remote.calls", this, t -> t.calls.sum(), t -> t.callNanos.sum(),
        TimeUnit.NANOSECONDS).description("HTTP inference calls to the remote teacher").tag("teacher", id)
        .register(registry);
    failures(registry, id, "timeout", timeouts);
    failures(registry, id, "connection", connectionFailures);
    failures(registry, id, "status", badStatus);
    failures(registry, id, "malformed", malformed);
    FunctionCounter.builder("distill.teacher.remote.mismatched", mismatched, LongAdder::sum)
        .description("answers with other tensors than the metadata promised (the batch is refused)")
        .tag("teacher", id).register(registry);
    FunctionCounter.builder("distill.teacher.remote.retries", retries, LongAdder::sum)
        .description("calls repeated after a failure").tag("teacher", id).register(registry);
    FunctionCounter.builder("distill.teacher.remote.refused", refused, LongAdder::sum)
        .description("batches not sent because the circuit breaker stayed open").tag("teacher", id).register(registry);
    FunctionCounter.builder("distill.teacher.remote.cache.hits", cache, AnswerCache::hits)
        .description("inputs answered from the remote teacher's recent answers, not asked again").tag("teacher", id)
        .register(registry);
    FunctionCounter.builder("distill.teacher.remote.cache.misses", cache, AnswerCache::misses)
        .description("inputs not among the recent answers, asked of the server").tag("teacher", id)
        .register(registry);
    FunctionCounter.builder("distill.teacher.remote.unavailable", unavailable, LongAdder::sum)
        .description("batches failed (and held to be asked again) for a remote outage")
        .tag("teacher", id).register(registry);
  }

  private static void failures(MeterRegistry registry, String id, String reason, LongAdder count) {
    FunctionCounter.builder("distill.teacher.remote.failures", count, LongAdder::sum)
        .description("failed calls to the remote teacher, by reason").tag("teacher", id).tag("reason", reason)
        .register(registry);
  }
}
