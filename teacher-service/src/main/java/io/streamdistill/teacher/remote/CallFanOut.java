package io.streamdistill.teacher.remote;

import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * A remote teacher's batch as the calls its protocol takes: one call for the batch, or, for a protocol that reads
 * fewer inputs a call (a chat model, an image pipeline: one), as many calls as that needs, at most {@code
 * callsAtOnce} in flight on threads of its own. When calls of a batch fail, the batch fails as the worst of them did:
 * an outage ({@link TeacherUnavailableException}) over a refusal, so that no event is dead-lettered while the server
 * is down; at the first outage the calls not yet answered are cancelled. Thread-safe; {@link #close} stops its threads.
 */
final class CallFanOut implements AutoCloseable {
  private final String teacherId;
  private final int inputsPerCall;
  private final ExecutorService threads;

  /**
   * @param teacherId for messages and thread names
   * @param inputsPerCall inputs one call carries ({@link Integer#MAX_VALUE}: the whole batch, no threads made)
   * @param callsAtOnce calls in flight at most
   */
  CallFanOut(String teacherId, int inputsPerCall, int callsAtOnce) {
    this.teacherId = teacherId;
    this.inputsPerCall = inputsPerCall;
    this.threads = inputsPerCall == Integer.MAX_VALUE ? null
        : Executors.newFixedThreadPool(callsAtOnce, RemoteLoading.daemonThreads("remote-calls-" + teacherId));
  }

  /** The batch's answers, in its order, from {@code call} made once per part of at most {@code inputsPerCall}. */
  List<Prediction> answer(List<TeacherInput> batch, Function<List<TeacherInput>, List<Prediction>> call) {
    if (batch.isEmpty()) {
      return List.of();
    }
    if (batch.size() <= inputsPerCall) {
      return call.apply(batch);
    }
    List<Future<List<Prediction>>> calls = new ArrayList<>();
    for (int from = 0; from < batch.size(); from += inputsPerCall) {
      List<TeacherInput> part = batch.subList(from, Math.min(batch.size(), from + inputsPerCall));
      calls.add(threads.submit(() -> call.apply(part)));
    }
    List<Prediction> out = new ArrayList<>(batch.size());
    RuntimeException failure = null;
    for (Future<List<Prediction>> part : calls) {
      try {
        List<Prediction> answers = part.get();
        if (failure == null) {
          out.addAll(answers);
        }
      } catch (ExecutionException e) {
        RuntimeException cause = e.getCause() instanceof RuntimeException r ? r
            : new TeacherUnavailableException("remote teacher " + teacherId + " failed: " + e.getCause(), e.getCause());
        if (failure == null || (cause instanceof TeacherUnavailableException
            && !(failure instanceof TeacherUnavailableException))) {
          failure = cause;
        }
        if (failure instanceof TeacherUnavailableException) {
          // The batch fails as an outage whatever the rest answer: the calls not yet made are not made (each
          // would wait for the breaker and spend its retries), which bounds the batch's time.
          calls.forEach(c -> c.cancel(true));
          break;
        }
      } catch (InterruptedException e) {
        calls.forEach(c -> c.cancel(true));
        Thread.currentThread().interrupt();
        throw new TeacherUnavailableException("interrupted while calling remote teacher " + teacherId, e);
      }
    }
    if (failure != null) {
      throw failure;
    }
    return out;
  }

  @Override
  public void close() {
    if (threads != null) {
      threads.shutdownNow();
    }
  }
}
