package io.streamdistill.teacher.generic;

/**
 * Loads a TorchScript module ({@code torch.jit.script} or {@code torch.jit.trace}, saved with
 * {@code torch.jit.save}) with DJL's PyTorch engine: kind {@code torchscript}.
 *
 * <pre>{@code
 * {
 *   "id": "my-classifier", "version": "2026-01-15", "kind": "torchscript",
 *   "classes": ["ham", "spam"], "input": "vector", "vectorWidth": 384, "embeddingWidth": 0,
 *   "files": {"model.pt": "<sha256 hex>"}
 * }
 * }</pre>
 *
 * <p>The module's {@code forward} takes one {@code (N, vectorWidth)} float32 tensor and returns the
 * {@code (N, classes)} logits, or a tuple {@code (logits, embedding)} when {@code embeddingWidth > 0}.
 * The file is {@code options.file}, or the only entry of {@code files}. Options starting with
 * {@code engine.} go to DJL's PyTorch model loader without the prefix. The module runs frozen, in
 * inference mode.
 */
public final class TorchScriptTeacherLoader extends VectorModelFileLoader {
  /** The kind in teacher.json. */
  public static final String KIND = "torchscript";

  /** A loader for kind {@code torchscript}. */
  public TorchScriptTeacherLoader() {
    super(KIND, "PyTorch", "a TorchScript module");
  }
}
