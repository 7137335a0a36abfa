package io.streamdistill.stack.junit;

import io.streamdistill.stack.CommittedRecords;
import io.streamdistill.stack.LocalStack;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Audits for integration tests: everything committed on a topic, read to its end. */
public final class TopicRecords {
  private TopicRecords() {}

  /**
   * Every committed record of every partition of {@code topic}, from the beginning to the end offsets
   * as they are when called, in partition then offset order ({@link CommittedRecords}).
   */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(LocalStack stack, String topic) {
    return CommittedRecords.readAll(stack.clientConfig(), topic, Duration.ofMinutes(3));
  }
}
