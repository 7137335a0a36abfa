/**
 * Teachers as the service sees them: a {@link io.streamdistill.teacher.model.Teacher} loaded once
 * per process from a verified directory ({@link io.streamdistill.teacher.model.TeacherDirectory}),
 * and a {@link io.streamdistill.teacher.model.TeacherPredictor} per stream task that runs one
 * model call per micro-batch.
 */
package io.streamdistill.teacher.model;
