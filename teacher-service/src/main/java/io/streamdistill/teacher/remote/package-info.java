/**
 * Remote teachers over the Open Inference Protocol (KServe v2), kind {@code oip}: a model that
 * already runs on an inference server (Triton, KServe, Seldon MLServer, another teacher service)
 * labels the stream, one {@code /infer} call per micro-batch, behind a timeout, bounded retries and
 * a circuit breaker; an outage fails the batch for a restart instead of dead-lettering it
 * ({@link io.streamdistill.teacher.remote.OipTeacher}). {@link io.streamdistill.teacher.remote.OipTensors}
 * is the protocol's JSON tensors for both this client and the service's own {@code /v2} endpoints.
 */
package io.streamdistill.teacher.remote;
