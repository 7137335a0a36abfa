package io.streamdistill.teacher.streams;

import io.streamdistill.teacher.model.Teacher;
import java.util.List;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many events a {@link BatchingLabeller}'s batch holds now: {@code --batch-size}, or fewer while a teacher's
 * calls go slower than the service's transactions were sized for ({@link Teacher#batchLimit}: a remote model's
 * server that said it is over its rate); said in the log when batches are first cut, and when they are whole again,
 * not at each change of the cut. Not thread-safe: one per labeller, used on its stream thread.
 */
final class BatchLimit {
  private static final Logger LOGGER = LoggerFactory.getLogger(BatchLimit.class);

  private final List<Teacher> teachers;
  private final int batchSize;
  private final TaskId taskId;
  private int last;

  BatchLimit(List<Teacher> teachers, int batchSize, TaskId taskId) {
    this.teachers = teachers;
    this.batchSize = batchSize;
    this.taskId = taskId;
    this.last = batchSize;
  }

  int now() {
    int limit = batchSize;
    for (Teacher teacher : teachers) {
      limit = Math.min(limit, Math.max(1, teacher.batchLimit(batchSize)));
    }
    if ((limit < batchSize) != (last < batchSize)) {
      LOGGER.atInfo().addKeyValue("taskId", taskId).addKeyValue("batch", limit).addKeyValue("batchSize", batchSize)
          .log(limit < batchSize ? "batches cut: a teacher's server takes calls slower than the transactions were"
              + " sized for" : "batches back to --batch-size");
    }
    last = limit;
    return limit;
  }
}
