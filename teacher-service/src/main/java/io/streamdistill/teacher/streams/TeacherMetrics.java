package io.streamdistill.teacher.streams;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The service's own meters, on a registry the caller owns (Prometheus in the service, a simple
 * registry in tests). Thread-safe, as Micrometer's meters are.
 */
public final class TeacherMetrics {
  private final MeterRegistry registry;
  private final Counter labelled;
  private final Counter lateLabels;
  private final Counter skipped;
  private final DistributionSummary batchSize;

  public TeacherMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.labelled = Counter.builder("distill.teacher.events.labelled")
        .description("input events that got a soft label").register(registry);
    this.lateLabels = Counter.builder("distill.teacher.late.labels")
        .description("late ground-truth labels passed on to the trainer").register(registry);
    this.skipped = Counter.builder("distill.teacher.events.skipped")
        .description("input events not labelled by load control (sampling, uncertain-only)").register(registry);
    this.batchSize = DistributionSummary.builder("distill.teacher.batch.size")
        .description("events per model call").register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Input events labelled so far. */
  public long eventsLabelled() {
    return (long) labelled.count();
  }

  void labelled(int count) {
    labelled.increment(count);
  }

  void lateLabel() {
    lateLabels.increment();
  }

  void skipped() {
    skipped.increment();
  }

  void deadLetter(String kind) {
    Counter.builder("distill.teacher.dead.letters").description("input records sent to the dead-letter topic")
        .tag("kind", kind).register(registry).increment();
  }

  /** Input records sent to the dead-letter topic so far, of every kind. */
  public long deadLetters() {
    return (long) registry.find("distill.teacher.dead.letters").counters().stream().mapToDouble(Counter::count).sum();
  }

  void batch(String teacherId, int size, long nanos) {
    batchSize.record(size);
    Timer.builder("distill.teacher.inference").description("time of one model call on a micro-batch")
        .tag("teacher", teacherId).register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }
}
