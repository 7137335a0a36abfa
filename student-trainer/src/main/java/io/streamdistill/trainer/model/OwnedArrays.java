package io.streamdistill.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Arrays whose memory PyTorch owns, made from Java floats through one staging buffer per thread.
 *
 * <p>Not DJL's {@code NDManager.create(float[], Shape)}: that copies the floats into a new direct
 * {@link ByteBuffer} and wraps it ({@code from_blob}), so the array's memory is the Java buffer's and is
 * freed only once a GC has found the buffer unreachable and its cleaner has run, however early the
 * array was closed. The learner makes several such arrays per step (the batch's inputs and its targets),
 * and the buffers waiting for a GC piled up: jemalloc's heap profile of the Hinton benchmark
 * (784-800-800-10 student) showed 595 MB allocated through {@code Unsafe.allocateMemory} after 45,000
 * soft labels, given back only when the trainer closed. Freed at GC time, they are also small and
 * large allocations of random lifetime among the tensors in glibc's heap.
 *
 * <p>Here the floats go into a staging buffer the thread reuses, PyTorch clones them into memory it
 * allocates and frees when the array is closed, and the view on the staging buffer is closed at once,
 * before anything else can use the buffer. Thread-safe: each thread has its own staging buffer, as
 * large as the largest array it made.
 */
final class OwnedArrays {
  private static final ThreadLocal<ByteBuffer> STAGING =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()));

  private OwnedArrays() {}

  /** A float32 array of {@code shape} in {@code manager} holding {@code data} (as many floats as the shape holds). */
  static NDArray of(NDManager manager, float[] data, Shape shape) {
    if (shape.size() != data.length) {
      throw new IllegalArgumentException("shape " + shape + " holds " + shape.size() + " values, got " + data.length);
    }
    int bytes = Math.multiplyExact(data.length, Float.BYTES);
    ByteBuffer staging = STAGING.get();
    if (staging.capacity() < bytes) {
      staging = ByteBuffer.allocateDirect(Math.max(bytes, staging.capacity() * 2)).order(ByteOrder.nativeOrder());
      STAGING.set(staging);
    }
    staging.clear().limit(bytes);
    staging.asFloatBuffer().put(data);
    try (NDArray view = manager.create(staging, shape, DataType.FLOAT32)) {
      return view.duplicate();
    }
  }
}
