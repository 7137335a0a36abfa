package io.streamdistill.teacher.model;

import java.nio.file.Path;

/** Loads the teachers of one {@link TeacherDescriptor#kind()} from a verified directory. */
public interface TeacherLoader {

  /** The kind this loader reads, as written in teacher.json. */
  String kind();

  /**
   * Loads the teacher in {@code dir}, whose files {@link TeacherDirectory#read} has verified.
   *
   * @throws TeacherException if the files are not what the kind expects
   */
  Teacher load(Path dir, TeacherDescriptor descriptor);
}
