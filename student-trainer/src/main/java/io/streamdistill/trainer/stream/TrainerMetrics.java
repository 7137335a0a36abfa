package io.streamdistill.trainer.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;

/** The trainer's meters, on a registry the caller owns. */
public final class TrainerMetrics {
  final Counter consumed;
  final Counter trained;
  final Counter heldOut;
  final Counter deadLetters;
  final Counter published;
  final Counter rejected;
  final Counter held;
  final Counter restarts;
  final Timer step;

  public TrainerMetrics(MeterRegistry registry, Supplier<TrainerStatus> status) {
    consumed = Counter.builder("distill.trainer.consumed").description("Soft labels read").register(registry);
    trained = Counter.builder("distill.trainer.trained").description("Samples trained on").register(registry);
    heldOut = Counter.builder("distill.trainer.held.out").description("Samples kept apart for evaluation")
        .register(registry);
    deadLetters = Counter.builder("distill.trainer.dead.letters").description("Bad soft labels").register(registry);
    published = Counter.builder("distill.trainer.versions.published").register(registry);
    rejected = Counter.builder("distill.trainer.candidates.rejected").description("Candidates the gate refused")
        .register(registry);
    held = Counter.builder("distill.trainer.candidates.held")
        .description("Candidates the gate held: within the tolerance, not better enough to ship yet")
        .register(registry);
    restarts = Counter.builder("distill.trainer.learner.restarts")
        .description("Times the learner started again from the version in service after refused candidates")
        .register(registry);
    step = Timer.builder("distill.trainer.step").description("One training step (forward, backward, update)")
        .register(registry);
    Gauge.builder("distill.trainer.lag", () -> status.get().lag()).description("Soft labels not yet read")
        .register(registry);
    Gauge.builder("distill.trainer.version", () -> status.get().version()).description("Version in service")
        .register(registry);
    Gauge.builder("distill.trainer.prequential.agreement", () -> status.get().prequentialAgreement())
        .register(registry);
    Gauge.builder("distill.trainer.heldout.agreement", () -> status.get().heldOutAgreement()).register(registry);
  }
}
