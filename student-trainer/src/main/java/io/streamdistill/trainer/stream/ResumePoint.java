package io.streamdistill.trainer.stream;

import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.student.StudentWeights;
import io.streamdistill.student.VerificationException;
import io.streamdistill.student.VersionVerifier;
import io.streamdistill.trainer.TrainerConfig;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a trainer starts: the newest published version of its line (verified, of the configured
 * architecture), and, per soft-label partition, the position its lineage was trained through. The
 * lineage is the truth, since the offsets were committed with it in one transaction; the group's
 * committed offsets say how far bad records have been written to dead letters, by a version's
 * transaction or ahead of the next version ({@link VersionPublisher#flush}).
 *
 * @param version the version to resume from, or null when the line has none yet
 * @param weights its weights, or null
 * @param positions per partition, where reading starts
 * @param deadLetteredThrough per partition, the offset below which bad records were already written
 *     to dead letters (absent: none)
 */
record ResumePoint(StudentModelVersion version, StudentWeights weights, Map<Integer, Long> positions,
    Map<Integer, Long> deadLetteredThrough) {
  private static final Logger LOGGER = LoggerFactory.getLogger(ResumePoint.class);

  /**
   * The offsets to commit with a transaction of this run: per partition, where the run has read to,
   * or the mark an earlier run left when that is further (a run reads its partitions at different
   * paces, and a commit must never move a mark back: the bad records below it are written).
   */
  Map<Integer, Long> committable(Map<Integer, Long> through) {
    Map<Integer, Long> offsets = new TreeMap<>(through);
    deadLetteredThrough.forEach((partition, mark) -> offsets.merge(partition, mark, Math::max));
    return offsets;
  }

  /** Whether the bad record at this offset was written to dead letters by an earlier run. */
  boolean alreadyDeadLettered(int partition, long offset) {
    Long mark = deadLetteredThrough.get(partition);
    return mark != null && offset < mark;
  }

  /**
   * Finds the resume point, assigns every partition of the soft-label topic to {@code consumer} and
   * seeks it there.
   *
   * @throws IllegalStateException when the newest version cannot be trusted or has another
   *     architecture, or the topic does not exist
   */
  static ResumePoint find(TrainerConfig config, Map<String, Object> clientConfig,
      KafkaConsumer<byte[], byte[]> consumer) {
    Optional<StudentModelVersion> latest = VersionHistory.latest(clientConfig, config.modelTopic(),
        config.modelName(), Duration.ofSeconds(60));
    Map<TopicPartition, Long> lineage = new HashMap<>();
    StudentWeights weights = null;
    if (latest.isPresent()) {
      StudentModelVersion version = latest.get();
      verify(config, version);
      weights = ShippedWeights.decode(version);
      for (InputPosition p : version.getLineage().getTrainedThrough()) {
        if (p.getTopic().equals(config.softLabelTopic())) {
          lineage.put(new TopicPartition(p.getTopic(), p.getPartition()), p.getOffset());
        }
      }
    }
    List<PartitionInfo> partitions = consumer.partitionsFor(config.softLabelTopic(), Duration.ofSeconds(60));
    if (partitions == null || partitions.isEmpty()) {
      throw new IllegalStateException("topic " + config.softLabelTopic() + " does not exist");
    }
    List<TopicPartition> assigned = partitions.stream()
        .map(p -> new TopicPartition(config.softLabelTopic(), p.partition()))
        .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
    consumer.assign(assigned);
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(assigned),
        Duration.ofSeconds(60));
    Map<Integer, Long> deadLettered = new TreeMap<>();
    for (TopicPartition tp : assigned) {
      Long offset = lineage.get(tp);
      OffsetAndMetadata group = committed.get(tp);
      if (offset != null) {
        if (group != null && group.offset() < offset) {
          LOGGER.atWarn().addKeyValue("partition", tp.partition()).addKeyValue("lineageOffset", offset)
              .addKeyValue("groupOffset", group.offset())
              .log("group offset behind the last version's lineage; resuming at the lineage");
        }
        consumer.seek(tp, offset);
      } else if (group != null && !VersionPublisher.marksDeadLetters(group)) {
        // Offsets without a version on the models topic (its versions deleted, say): go on from them.
        consumer.seek(tp, group.offset());
      } else {
        // No version yet: everything read before was trained into none, so it is read again.
        consumer.seekToBeginning(List.of(tp));
      }
      if (group != null) {
        // Every commit (a version's or a dead-letter flush's) covers the bad records below it.
        deadLettered.put(tp.partition(), group.offset());
      }
    }
    Map<Integer, Long> positions = new TreeMap<>();
    for (TopicPartition tp : assigned) {
      positions.put(tp.partition(), consumer.position(tp));
    }
    return new ResumePoint(latest.orElse(null), weights, positions, deadLettered);
  }

  private static void verify(TrainerConfig config, StudentModelVersion version) {
    List<PublicKey> trusted = new ArrayList<>(config.trustedKeys());
    trusted.add(config.signingKeys().getPublic());
    VersionVerifier.Verified verified;
    try {
      verified = new VersionVerifier(trusted).verify(version);
    } catch (VerificationException e) {
      throw new IllegalStateException("cannot resume from the last published version: " + e.getMessage()
          + " (trust its key with --trust-key, or publish under a new model name)", e);
    }
    if (!verified.model().spec().equals(config.spec())) {
      throw new IllegalStateException("the last published version of " + config.modelName() + " (v"
          + version.getVersion() + ") has architecture " + version.getArchitecture() + ", not the configured "
          + config.spec().toJson() + "; publish a new architecture under a new model name");
    }
  }

  /**
   * Refills the held-out window from the soft labels just before the resume point, so that a
   * restarted trainer can judge its next candidate at once instead of waiting for new held-out
   * traffic (which may never come if the stream has ended). Held-out samples are never trained on,
   * so reading them again changes no lineage.
   *
   * @return how many samples were added
   */
  int refillHeldOut(TrainerConfig config, Map<String, Object> consumerConfig, Deserializer<SoftLabel> labels,
      SoftLabelReader reader, HeldOutSlice slice, HeldOutWindow window) {
    if (positions.values().stream().allMatch(offset -> offset == 0)) {
      return 0;
    }
    // Enough records, at the held-out share, to fill the window; at most 100,000 per partition.
    long lookback = Math.min(100_000, (long) Math.ceil(config.heldOutWindow() * 100.0 / config.heldOutPercent()
        / positions.size()));
    Map<String, Object> readerConfig = new HashMap<>(consumerConfig);
    readerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
    int refilled = 0;
    try (KafkaConsumer<byte[], byte[]> past = new KafkaConsumer<>(readerConfig, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = positions.keySet().stream()
          .map(p -> new TopicPartition(config.softLabelTopic(), p)).toList();
      past.assign(partitions);
      Map<TopicPartition, Long> beginning = past.beginningOffsets(partitions, Duration.ofSeconds(30));
      for (TopicPartition tp : partitions) {
        past.seek(tp, Math.max(beginning.get(tp), positions.get(tp.partition()) - lookback));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline
          && partitions.stream().anyMatch(tp -> past.position(tp) < positions.get(tp.partition()))) {
        for (var record : past.poll(Duration.ofMillis(200))) {
          if (record.offset() >= positions.get(record.partition())) {
            continue;
          }
          try {
            SoftLabel label = labels.deserialize(record.topic(), record.value());
            if (label != null && !SoftLabelReader.isLateLabel(label) && slice.isHeldOut(label.getEvent())) {
              window.add(reader.read(label));
              refilled++;
            }
          } catch (RuntimeException | BadSoftLabelException e) {
            // Dead-lettered when it was first read; nothing to evaluate on.
          }
        }
      }
    }
    return refilled;
  }
}
