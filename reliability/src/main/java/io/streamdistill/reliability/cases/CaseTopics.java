package io.streamdistill.reliability.cases;

import io.streamdistill.schemas.Topics;
import io.streamdistill.stack.LocalStack;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The five topics of the system, for one case: the default names under the case's name
 * ({@code bad-input.distill.dead-letters}), so that each case audits only its own records and the
 * topics say which case wrote them. Input events and soft labels have two partitions (the services
 * must keep order and offsets per partition); student versions one, sized for versions, as the system
 * creates it.
 */
record CaseTopics(String inputEvents, String softLabels, String studentModels, String deployments,
    String deadLetters) {

  static CaseTopics create(LocalStack stack, String caseName) {
    return create(stack, caseName, 2);
  }

  /** The topics with {@code partitions} partitions of input events and soft labels. */
  static CaseTopics create(LocalStack stack, String caseName, int partitions) {
    CaseTopics topics = new CaseTopics(caseName + "." + Topics.INPUT_EVENTS, caseName + "." + Topics.SOFT_LABELS,
        caseName + "." + Topics.STUDENT_MODELS, caseName + "." + Topics.DEPLOYMENTS,
        caseName + "." + Topics.DEAD_LETTERS);
    stack.createTopics(List.of(
        new NewTopic(topics.inputEvents(), partitions, (short) 1),
        new NewTopic(topics.softLabels(), partitions, (short) 1),
        new NewTopic(topics.studentModels(), 1, (short) 1).configs(Topics.studentModelTopicConfig()),
        new NewTopic(topics.deployments(), 1, (short) 1),
        new NewTopic(topics.deadLetters(), 1, (short) 1)));
    return topics;
  }
}
