package io.streamdistill.teacher.generic;

import io.streamdistill.teacher.model.TeacherLoader;

/** The generic loader contract on a real ONNX file, run by ONNX Runtime. */
class OnnxTeacherLoaderTest extends VectorLoaderContract {
  @Override
  TeacherLoader loader() {
    return new OnnxTeacherLoader();
  }

  @Override
  String fileName() {
    return "model.onnx";
  }

  @Override
  byte[] model(boolean withEmbedding) {
    return TinyModels.onnx(withEmbedding);
  }
}
