/**
 * Teachers that a user brings as a file and a {@code teacher.json}, with no code: a TorchScript
 * module ({@link io.streamdistill.teacher.generic.TorchScriptTeacherLoader}, kind {@code torchscript})
 * or an ONNX graph ({@link io.streamdistill.teacher.generic.OnnxTeacherLoader}, kind {@code onnx}),
 * both for vector input: {@code (N, vectorWidth)} float32 in, {@code (N, classes)} logits out, and
 * optionally a second output {@code (N, embeddingWidth)} as the embedding.
 *
 * <p>{@link io.streamdistill.teacher.generic.DjlVectorTeacher} is the one piece of inference code
 * every DJL vector teacher shares (also the MNIST teacher): it stacks a micro-batch into one array,
 * runs the model once, and checks the shapes of what comes back.
 */
package io.streamdistill.teacher.generic;
