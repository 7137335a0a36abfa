package io.streamdistill.demo;

import io.streamdistill.config.Durations;
import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.CommittedRecords;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.teacher.streams.LabellingConfig;
import io.streamdistill.trainer.AutoStudent;
import io.streamdistill.trainer.ImageShape;
import io.streamdistill.trainer.StudentPresets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The demo's student: a preset or spec file by name, or {@code auto} as the trainer picks it. */
final class DemoStudent {
  private DemoStudent() {}

  /**
   * The spec for {@code name}; with {@code auto}, read from the first soft labels (the call waits for them
   * until {@code giveUp} gives a reason not to: the run stopped, or the teacher labels nothing).
   *
   * @param image the shape of the data set's images, for which auto picks a cnn; null when they are not images
   */
  static StudentSpec resolve(String name, Map<String, Object> client, String model, ImageShape image,
      Consumer<String> progress, Supplier<String> giveUp) {
    if (!AutoStudent.NAME.equals(name)) {
      return StudentPresets.resolve(name);
    }
    progress.accept("Picking a student from the first soft labels...");
    AutoStudent.Choice choice = AutoStudent.resolve(client, Topics.SOFT_LABELS, Topics.STUDENT_MODELS, model,
        AutoStudent.DEFAULT_SAMPLE, Durations.parse("--auto-wait", AutoStudent.DEFAULT_WAIT), image, giveUp);
    progress.accept("Student: " + choice.reason() + ".");
    return choice.spec();
  }

  /**
   * The give-up rule for picking a student, as the demo runs it: stop when the run is stopped (Ctrl-C)
   * or past its deadline, and when the teacher has dead-lettered events and labelled none for {@value
   * #NOTHING_LABELLED_SECONDS} s, say why with the first dead letter's reason. A teacher that cannot
   * label (a remote one down, slow or answering garbage: the service waits, nothing is lost) is said on
   * {@code progress} when its reason changes, and in the deadline's reason. Not thread-safe: one caller
   * polls it.
   */
  static Supplier<String> giveUp(BooleanSupplier stopped, long deadlineNanos, String maxDuration,
      LongSupplier labelled, LongSupplier deadLettered, Supplier<Optional<String>> outage, Consumer<String> progress,
      Map<String, Object> client) {
    long[] rejectingSince = {0L};
    String[] lastOutage = {null};
    return () -> {
      if (stopped.getAsBoolean()) {
        return "the run was stopped";
      }
      String failing = outage.get().orElse(null);
      if (failing != null && !failing.equals(lastOutage[0])) {
        progress.accept("The teacher cannot label yet (the service waits and retries; nothing is lost): " + failing);
      }
      lastOutage[0] = failing != null ? failing : lastOutage[0];
      if (System.nanoTime() > deadlineNanos) {
        return "--max-duration (" + maxDuration + ") reached before the teacher labelled an event"
            + (lastOutage[0] == null ? "" : "; the teacher was failing: " + lastOutage[0]);
      }
      long rejected = deadLettered.getAsLong();
      if (rejected == 0 || labelled.getAsLong() > 0) {
        // Nothing refused yet, or labels on their way (committed within a second or so).
        rejectingSince[0] = 0L;
        return null;
      }
      if (rejectingSince[0] == 0L) {
        rejectingSince[0] = System.nanoTime();
        return null;
      }
      if (System.nanoTime() - rejectingSince[0] < NOTHING_LABELLED_SECONDS * 1_000_000_000L) {
        return null;
      }
      return String.format(Locale.ROOT, "the teacher has sent %,d events to %s and labelled none; the first's"
          + " reason: %s", rejected, Topics.DEAD_LETTERS, firstDeadLetterReason(client, LabellingConfig.SERVICE));
    };
  }

  /** Seconds the teacher may dead-letter events before it labels one. */
  static final int NOTHING_LABELLED_SECONDS = 15;

  /**
   * The reason of the first record {@code service} wrote on the dead-letter topic (read_committed), or
   * a note that none was read.
   */
  static String firstDeadLetterReason(Map<String, Object> client, String service) {
    try (AvroSerde<DeadLetter> serde = AvroSerde.forValues(DeadLetter.class, client)) {
      for (ConsumerRecord<byte[], byte[]> record : CommittedRecords.readAll(client, Topics.DEAD_LETTERS,
          Duration.ofSeconds(10))) {
        DeadLetter letter = serde.deserializer().deserialize(Topics.DEAD_LETTERS, record.value());
        if (letter.getService().equals(service)) {
          return letter.getReason();
        }
      }
      return "(no dead letter was read)";
    } catch (RuntimeException e) {
      return "(the dead letters could not be read: " + e.getMessage() + ")";
    }
  }
}
