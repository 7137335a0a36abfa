package io.streamdistill.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamdistill.edge.versions.VersionHolder;
import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.student.InputMismatchException;
import io.streamdistill.student.StudentInput;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The request path of the library: student, cascade to a fake teacher over real HTTP, traffic sent back. */
class EdgeNodeTest {
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final List<DeploymentEvent> deployments = new CopyOnWriteArrayList<>();
  private final List<InputEvent> sentBack = new CopyOnWriteArrayList<>();
  private FakeTeacher teacher;
  private EdgeNode node;

  @AfterEach
  void close() {
    if (node != null) {
      node.close();
    }
    if (teacher != null) {
      teacher.close();
    }
  }

  private EdgeConfig config() {
    return EdgeConfig.defaults("node-1", TestVersions.MODEL, List.of(TestVersions.KEYS.getPublic()))
        .withSampling(0, 100);
  }

  private EdgeNode start(EdgeConfig config) {
    node = new EdgeNode(config, metrics, deployments::add, sentBack::add);
    return node;
  }

  private EdgeNode withTeacher(FakeTeacher.Mode mode, Duration timeout) throws Exception {
    teacher = new FakeTeacher(mode);
    return start(config().withCascade(0.9, teacher.url(), timeout));
  }

  private double requests(String path) {
    return metrics.get("distill.edge.requests").tag("path", path).counter().count();
  }

  @Test
  void shouldNotAskTheTeacherWhenTheStudentIsSure() throws Exception {
    withTeacher(FakeTeacher.Mode.ANSWER, Duration.ofMillis(200)).offer(TestVersions.sure(1, 3));
    EdgeAnswer answer = node.predict(TestVersions.anyDigitImage());
    assertEquals("3", answer.label());
    assertEquals(EdgeAnswer.AnsweredBy.STUDENT, answer.answeredBy());
    assertFalse(answer.uncertain());
    assertFalse(answer.teacherAsked());
    assertTrue(answer.studentConfidence() > 0.99, "confidence " + answer.studentConfidence());
    assertEquals(1, answer.modelVersion());
    assertEquals(List.of(), teacher.requests());
    assertEquals(List.of(), sentBack, "sample rate 0: a sure answer is not sent back");
    assertEquals(1.0, requests("student"));
    assertEquals(1.0, metrics.get("distill.edge.student.share").gauge().value());
  }

  @Test
  void shouldAskTheTeacherWhenTheStudentIsUnsure() throws Exception {
    withTeacher(FakeTeacher.Mode.ANSWER, Duration.ofSeconds(5)).offer(TestVersions.unsure(1));
    EdgeAnswer answer = node.predict(TestVersions.anyDigitImage());
    assertEquals("8", answer.label());
    assertEquals(EdgeAnswer.AnsweredBy.TEACHER, answer.answeredBy());
    assertTrue(answer.uncertain());
    assertTrue(answer.teacherAsked());
    assertNull(answer.teacherFailure());
    assertEquals(0.95, answer.probabilities().get(8), 1e-9);
    assertEquals(0.1, answer.studentConfidence(), 1e-6);
    assertEquals(1, teacher.requests().size());
    assertTrue(teacher.requests().get(0).startsWith("{\"vector\":[0.5,0.5,"), teacher.requests().get(0));
    assertEquals(1.0, requests("teacher"));
    assertEquals(0.0, metrics.get("distill.edge.student.share").gauge().value());
    assertEquals(1, metrics.get("distill.edge.latency").tag("path", "teacher").timer().count());
  }

  @Test
  void shouldAnswerAloneFromEachVersionsCalibratedThreshold() throws Exception {
    teacher = new FakeTeacher(FakeTeacher.Mode.ANSWER);
    start(config().withCascade(EdgeConfig.CALIBRATED_CASCADE, teacher.url(), Duration.ofSeconds(5)));
    // Confidence 0.1 everywhere: calibrated to answer alone from 0.05, the student answers...
    node.offer(TestVersions.unsureCalibrated(1, 0.05));
    EdgeAnswer alone = node.predict(TestVersions.anyDigitImage());
    assertEquals(EdgeAnswer.AnsweredBy.STUDENT, alone.answeredBy());
    assertFalse(alone.uncertain());
    // ...from 0.5 it asks the teacher...
    VersionHolder.Outcome loaded = node.offer(TestVersions.unsureCalibrated(2, 0.5));
    assertEquals(VersionHolder.Outcome.Kind.LOADED, loaded.kind(), loaded.toString());
    EdgeAnswer asked = node.predict(TestVersions.anyDigitImage());
    assertEquals(EdgeAnswer.AnsweredBy.TEACHER, asked.answeredBy(), asked.toString());
    // ...and a version without a calibration is held to the fallback threshold.
    node.offer(TestVersions.unsure(3));
    EdgeAnswer fallback = node.predict(TestVersions.anyDigitImage());
    assertEquals(3, fallback.modelVersion());
    assertEquals(EdgeAnswer.AnsweredBy.TEACHER, fallback.answeredBy());
    assertEquals(2, teacher.requests().size());
  }

  @Test
  void shouldKeepAFixedThresholdWhateverTheVersionSays() throws Exception {
    withTeacher(FakeTeacher.Mode.ANSWER, Duration.ofSeconds(5)).offer(TestVersions.unsureCalibrated(1, 0.05));
    EdgeAnswer answer = node.predict(TestVersions.anyDigitImage());
    assertEquals(EdgeAnswer.AnsweredBy.TEACHER, answer.answeredBy(), "--cascade-threshold 0.9 over the version's 0.05");
  }

  @Test
  void shouldSendEveryUncertainRequestBackToInputEvents() throws Exception {
    withTeacher(FakeTeacher.Mode.ANSWER, Duration.ofSeconds(5)).offer(TestVersions.unsure(4));
    node.predict(TestVersions.anyDigitImage());
    node.predict(TestVersions.anyDigitImage());
    assertEquals(2, sentBack.size());
    InputEvent event = sentBack.get(0);
    assertTrue(event.getUncertain());
    assertEquals("edge/node-1", event.getSource());
    assertEquals("uncertain", event.getAttributes().get("reason"));
    assertEquals("node-1", event.getAttributes().get("node"));
    assertEquals("4", event.getAttributes().get("modelVersion"));
    assertEquals(784, event.getVector().size());
    assertNull(event.getLabel(), "the student's guess is no ground truth");
    assertFalse(event.getId().equals(sentBack.get(1).getId()), "each event has its own id");
  }

  @Test
  void shouldAnswerWithTheStudentFlaggedWhenTheTeacherTimesOut() throws Exception {
    withTeacher(FakeTeacher.Mode.HANG, Duration.ofMillis(150)).offer(TestVersions.unsure(1));
    EdgeAnswer answer = node.predict(TestVersions.anyDigitImage());
    assertEquals(EdgeAnswer.AnsweredBy.STUDENT, answer.answeredBy());
    assertEquals("timeout", answer.teacherFailure());
    assertTrue(answer.teacherAsked());
    assertEquals("0", answer.label(), "the student's own answer");
    assertEquals(0.1, answer.probabilities().get(0), 1e-6);
    assertTrue(answer.micros() >= 150_000, "waited for the teacher: " + answer.micros() + " µs");
    assertTrue(answer.micros() < 2_000_000, "but not much longer than its timeout: " + answer.micros() + " µs");
    assertEquals(1.0, requests("teacher_failed"));
    assertEquals(1, sentBack.size(), "an uncertain request is sent back whatever the teacher did");
  }

  @Test
  void shouldAnswerWithTheStudentFlaggedWhenTheTeacherFails() throws Exception {
    withTeacher(FakeTeacher.Mode.FAIL, Duration.ofSeconds(5)).offer(TestVersions.unsure(1));
    EdgeAnswer answer = node.predict(TestVersions.anyDigitImage());
    assertEquals(EdgeAnswer.AnsweredBy.STUDENT, answer.answeredBy());
    assertEquals("status 500", answer.teacherFailure());
  }

  @Test
  void shouldAnswerWithTheStudentFlaggedWhenTheTeacherIsUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    start(config().withCascade(0.9, URI.create("http://127.0.0.1:" + closedPort + "/predict"), Duration.ofSeconds(2)))
        .offer(TestVersions.unsure(1));
    EdgeAnswer answer = node.predict(TestVersions.anyDigitImage());
    assertEquals(EdgeAnswer.AnsweredBy.STUDENT, answer.answeredBy());
    assertEquals("unreachable", answer.teacherFailure());
  }

  @Test
  void shouldNeverAskTheTeacherWhenTheCascadeIsOff() throws Exception {
    teacher = new FakeTeacher(FakeTeacher.Mode.ANSWER);
    start(config().withCascade(0, teacher.url(), Duration.ofSeconds(1))).offer(TestVersions.unsure(1));
    EdgeAnswer answer = node.predict(TestVersions.anyDigitImage());
    assertEquals(EdgeAnswer.AnsweredBy.STUDENT, answer.answeredBy());
    assertFalse(answer.uncertain());
    assertEquals(List.of(), teacher.requests());
    assertEquals(List.of(), sentBack);
  }

  @Test
  void shouldSendTheSampledShareOfSureRequestsBack() {
    start(config().withSampling(1.0, 100)).offer(TestVersions.sure(1, 5));
    for (int i = 0; i < 3; i++) {
      node.predict(StudentInput.ofVector(new float[784]));
    }
    assertEquals(3, sentBack.size());
    assertEquals("sample", sentBack.get(0).getAttributes().get("reason"));
    assertFalse(sentBack.get(0).getUncertain());
    assertEquals("5", sentBack.get(0).getAttributes().get("studentLabel"));
  }

  @Test
  void shouldRefuseToPredictBeforeAVersionIsLoaded() {
    start(config());
    var e = assertThrows(NotServingException.class, () -> node.predict(TestVersions.anyDigitImage()));
    assertTrue(e.getMessage().contains("no valid student version of model 'mnist-edge'"), e.getMessage());
    assertEquals(1.0, metrics.get("distill.edge.requests.refused").tag("reason", "not_serving").counter().count());
  }

  @Test
  void shouldRefuseAnInputTheStudentCannotRead() {
    start(config()).offer(TestVersions.sure(1, 5));
    assertThrows(InputMismatchException.class, () -> node.predict(StudentInput.ofText("an image student")));
    assertThrows(InputMismatchException.class, () -> node.predict(StudentInput.ofVector(new float[3])));
    assertEquals(2.0, metrics.get("distill.edge.requests.refused").tag("reason", "invalid_input").counter().count());
  }
}
