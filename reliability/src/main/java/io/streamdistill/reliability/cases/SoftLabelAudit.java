package io.streamdistill.reliability.cases;

import io.streamdistill.reliability.CaseContext;
import io.streamdistill.reliability.audit.IdAudit;
import io.streamdistill.reliability.audit.TopicReader;
import io.streamdistill.reliability.traffic.MnistTraffic;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Exactly one committed soft label per input event and teacher, audited by id over the case's whole topics
 * (read_committed): what the teacher-service cases check.
 *
 * @param events the input events on the topic
 * @param softLabels the soft labels (one per event and teacher) on the topic
 * @param ids lost, duplicated and unexpected labels
 */
record SoftLabelAudit(int events, int softLabels, IdAudit.Report ids) {

  static SoftLabelAudit of(CaseContext context, CaseTopics topics) {
    String teacherId = MnistTraffic.teacherId();
    List<String> expected = new ArrayList<>();
    for (var record : TopicReader.readAll(context.clientConfig(), topics.inputEvents())) {
      expected.add(new String(record.key(), StandardCharsets.UTF_8) + " by " + teacherId);
    }
    List<String> labelled = new ArrayList<>();
    for (SoftLabel label : TopicReader.readValues(context.clientConfig(), topics.softLabels(), SoftLabel.class)) {
      for (TeacherOutput output : label.getTeachers()) {
        labelled.add(label.getEvent().getId() + " by " + output.getTeacherId());
      }
    }
    return new SoftLabelAudit(expected.size(), labelled.size(), IdAudit.audit(expected, labelled));
  }

  /** The failures: lost, duplicated or unexpected labels, or an input topic that does not hold what was sent. */
  List<String> failures(long produced) {
    List<String> failures = new ArrayList<>();
    if (ids.lost() > 0) {
      failures.add(ids.lost() + " events without a soft label, e.g. " + ids.lostExamples());
    }
    if (ids.duplicated() > 0) {
      failures.add(ids.duplicated() + " extra soft labels, e.g. " + ids.duplicatedExamples());
    }
    if (ids.unexpected() > 0) {
      failures.add(ids.unexpected() + " soft labels of events not on the input topic");
    }
    if (events != produced) {
      failures.add("the input topic holds " + events + " events, the producer had " + produced + " acknowledged");
    }
    return failures;
  }
}
