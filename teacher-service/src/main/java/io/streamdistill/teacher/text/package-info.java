/**
 * Text teachers: a transformer text model in the layout the common export tools write (an ONNX file,
 * its HuggingFace {@code tokenizer.json}, a {@code config.json} naming the classes), run by DJL's ONNX
 * Runtime engine with DJL's HuggingFace tokenizer, offline, one ONNX call per padded micro-batch.
 *
 * <ul>
 *   <li>{@link io.streamdistill.teacher.text.OnnxTextModel}: texts to the model's logits and/or its
 *       pooled sentence embedding.
 *   <li>{@link io.streamdistill.teacher.text.OnnxTextTeacherLoader} (kind {@code onnx-text}) loads a
 *       verified directory into a {@link io.streamdistill.teacher.text.TextTeacher}: an exported
 *       classifier (its {@code logits}), or a frozen encoder with a
 *       {@link io.streamdistill.teacher.text.LogisticHead} on its embedding.
 *       {@link io.streamdistill.teacher.text.TextTeacherLoader} reads the older {@code minilm-head}
 *       directories by the same code.
 *   <li>{@link io.streamdistill.teacher.text.TextTeacherTrainer}: a teacher from any labelled text data
 *       set: a frozen encoder ({@link io.streamdistill.teacher.text.TextEncoder}: MiniLM, bge-small or
 *       a directory) and a head trained by L-BFGS ({@link io.streamdistill.teacher.text.HeadTrainer}).
 *       The mail gateway's teacher ({@code mail-minilm-head}: SpamAssassin, MiniLM, the
 *       {@link io.streamdistill.teacher.text.MailSplit}) is its preset;
 *       {@link io.streamdistill.teacher.text.TrainTextTeacherCommand} is that preset's command line.
 * </ul>
 *
 * <p>One property of the int8 encoders to know: they quantize activations with scales computed over
 * the whole batch, so a text's embedding (and logits) moves slightly with the other texts in its
 * batch and their padding. Measured on the 1,778 SpamAssassin test-split mails in batches of 32:
 * cosine to the one-by-one embedding 0.993 on average, 0.972 at worst; 12 mails changed class, and
 * the error count went from 61 to 57. The same batch always gives the same result; an fp32 model's
 * outputs do not depend on the batch (to 1e-4). The trainer embeds one text per call, so cached
 * embeddings are a function of the text alone.
 */
package io.streamdistill.teacher.text;
