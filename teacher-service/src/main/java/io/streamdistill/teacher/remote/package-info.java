/**
 * Remote teachers over the Open Inference Protocol (KServe v2), kind {@code oip}: a model that
 * already runs on an inference server (Triton, KServe, Seldon MLServer, another teacher service)
 * labels the stream, one {@code /infer} call per micro-batch, behind a timeout, bounded retries and
 * a circuit breaker; an outage fails the batch, held and asked again, instead of dead-lettering it
 * ({@link io.streamdistill.teacher.remote.RemoteTeacher}). {@link io.streamdistill.teacher.remote.OipTensors}
 * is the protocol's JSON tensors for both this client and the service's own {@code /v2} endpoints. Kind
 * {@code v1}: the same calls in the v1 predict protocol of TensorFlow Serving, KServe v1 and MLflow
 * ({@link io.streamdistill.teacher.remote.V1Protocol}), whose teacher.json says the classes and input.
 */
package io.streamdistill.teacher.remote;
