package io.streamdistill.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamdistill.edge.feedback.FeedbackSink;
import io.streamdistill.edge.versions.DeploymentSink;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The edge runs students without DJL or native code (the build's enforcer rule bans them too). */
class PlainJavaInferenceTest {
  @Test
  void shouldHaveNoDjlOnTheClassPath() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.djl.ndarray.NDArray"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.onnxruntime.OrtEnvironment"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("com.sun.jna.Native"));
  }

  @Test
  void shouldAnswerWithAStudentLoadedWithoutAnyNativeLibrary() {
    EdgeConfig config = EdgeConfig.defaults("node-1", TestVersions.MODEL, List.of(TestVersions.KEYS.getPublic()));
    try (EdgeNode node = new EdgeNode(config, new SimpleMeterRegistry(), DeploymentSink.discarding(),
        FeedbackSink.discarding())) {
      node.offer(TestVersions.sure(1, 6));
      assertEquals("6", node.predict(TestVersions.anyDigitImage()).label());
    }
  }
}
