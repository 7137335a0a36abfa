package io.streamdistill.serde.registry;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The part of Confluent's schema-registry protocol that Avro serdes need. Implementations cache
 * what cannot change (a schema by id, the id of a schema under a subject) and are thread-safe: one
 * client is meant to be shared by all serdes of a process.
 *
 * <p>Every method throws a {@link SchemaRegistryException} (or one of its subclasses) that names
 * the call and the subject or id it was about.
 */
public interface SchemaRegistryClient extends AutoCloseable {

  /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
  int register(String subject, Schema schema);

  /**
   * The id of {@code schema} if it is already registered under {@code subject}.
   *
   * @throws SchemaNotFoundException if it is not
   */
  int idOf(String subject, Schema schema);

  /**
   * The schema with the given global id.
   *
   * @throws SchemaNotFoundException if the registry knows no such id
   */
  Schema schemaById(int id);

  /**
   * The latest version registered under {@code subject}.
   *
   * @throws SchemaNotFoundException if the subject has no version
   */
  RegisteredSchema latest(String subject);

  /** Sets the compatibility level of one subject, or the global default when subject is null. */
  void setCompatibility(String subject, CompatibilityLevel level);

  /** All subjects that have at least one version. */
  List<String> subjects();

  @Override
  void close();
}
