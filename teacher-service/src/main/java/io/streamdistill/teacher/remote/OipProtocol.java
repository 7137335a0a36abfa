package io.streamdistill.teacher.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import java.net.URI;
import java.util.List;

/**
 * The Open Inference Protocol (KServe v2): {@code POST /v2/models/{model}[/versions/{v}]/infer} with one input
 * tensor, {@code logits} (and {@code embedding}) read back; the tensors are {@link OipTensors}'.
 *
 * @param descriptor the teacher as the server's metadata described it
 * @param options where the server is
 * @param inputName the input tensor's name in the metadata
 */
record OipProtocol(TeacherDescriptor descriptor, OipOptions options, String inputName) implements RemoteProtocol {
  @Override
  public URI predictUri() {
    return options.inferUri();
  }

  @Override
  public byte[] request(List<TeacherInput> batch) {
    return OipTensors.request(batch, descriptor, inputName);
  }

  @Override
  public List<Prediction> predictions(JsonNode answer, int n) {
    return OipTensors.predictions(answer, n, descriptor.classes().size(), descriptor.embeddingWidth());
  }
}
