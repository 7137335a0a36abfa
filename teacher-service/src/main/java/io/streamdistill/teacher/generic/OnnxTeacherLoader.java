package io.streamdistill.teacher.generic;

/**
 * Loads an ONNX graph with DJL's ONNX Runtime engine: kind {@code onnx}.
 *
 * <pre>{@code
 * {
 *   "id": "my-classifier", "version": "2026-01-15", "kind": "onnx",
 *   "classes": ["ham", "spam"], "input": "vector", "vectorWidth": 384, "embeddingWidth": 64,
 *   "files": {"model.onnx": "<sha256 hex>"},
 *   "options": {"engine.interOpNumThreads": "1", "engine.intraOpNumThreads": "2"}
 * }
 * }</pre>
 *
 * <p>The graph has one input, {@code (N, vectorWidth)} float32 (N may be a symbolic dimension), and
 * returns the {@code (N, classes)} logits as its first output and, when {@code embeddingWidth > 0},
 * the {@code (N, embeddingWidth)} embedding as its second. The file is {@code options.file}, or the
 * only entry of {@code files}. Options starting with {@code engine.} go to DJL's ONNX Runtime model
 * loader without the prefix (its session options: {@code interOpNumThreads}, {@code
 * intraOpNumThreads}, {@code optLevel}, ...); note that DJL 0.36 applies {@code intraOpNumThreads}
 * only when {@code interOpNumThreads} is set too.
 */
public final class OnnxTeacherLoader extends VectorModelFileLoader {
  /** The kind in teacher.json. */
  public static final String KIND = "onnx";

  /** A loader for kind {@code onnx}. */
  public OnnxTeacherLoader() {
    super(KIND, OnnxRuntimeNatives.ENGINE, "an ONNX model");
  }
}
