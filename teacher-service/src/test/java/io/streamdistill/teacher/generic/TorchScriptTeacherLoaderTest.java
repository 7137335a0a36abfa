package io.streamdistill.teacher.generic;

import io.streamdistill.teacher.model.TeacherLoader;

/** The generic loader contract on a real TorchScript archive, run by libtorch. */
class TorchScriptTeacherLoaderTest extends VectorLoaderContract {
  @Override
  TeacherLoader loader() {
    return new TorchScriptTeacherLoader();
  }

  @Override
  String fileName() {
    return "model.pt";
  }

  @Override
  byte[] model(boolean withEmbedding) {
    return TinyModels.torchScript(withEmbedding);
  }
}
