package io.streamdistill.demo;

import io.streamdistill.datasets.Example;
import io.streamdistill.edge.EdgeAnswer;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.edge.NotServingException;
import io.streamdistill.student.StudentInput;
import java.util.List;

/** Requests to the edge node at a steady rate, each answer recorded; {@link #stop} from any thread. */
final class RequestStream implements Runnable {
  private final EdgeNode edge;
  private final List<Example> examples;
  private final double perSecond;
  private final DemoRecorder recorder;
  private volatile boolean stopped;

  RequestStream(EdgeNode edge, List<Example> examples, double perSecond, DemoRecorder recorder) {
    this.edge = edge;
    this.examples = examples;
    this.perSecond = perSecond;
    this.recorder = recorder;
  }

  void stop() {
    stopped = true;
  }

  @Override
  public void run() {
    long start = System.nanoTime();
    for (long i = 0; !stopped; i++) {
      long due = start + (long) (i * 1e9 / perSecond);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      }
      Example example = examples.get((int) (i % examples.size()));
      StudentInput input = new StudentInput(example.text(), example.vector(), example.fields());
      try {
        EdgeAnswer answer = edge.predict(input);
        recorder.answered(answer, example.label(), (int) (i % examples.size()));
      } catch (NotServingException e) {
        recorder.notServing();
      } catch (RuntimeException e) {
        recorder.failed();
      }
    }
  }
}
