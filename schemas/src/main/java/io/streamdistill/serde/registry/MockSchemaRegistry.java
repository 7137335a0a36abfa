package io.streamdistill.serde.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * In-memory registries for unit tests, one per scope, as Confluent's {@code mock://scope} URLs:
 * every serde configured with {@code schema.registry.url=mock://my-test} shares the registry of
 * scope {@code my-test}. Ids are global within a scope and the same schema gets the same id under
 * every subject, as in the real registry. New subjects are checked BACKWARD, the real default.
 *
 * <p>Thread-safe. Not for production: nothing survives the JVM.
 */
public final class MockSchemaRegistry {
  /** The URL scheme that selects a mock registry. */
  public static final String SCHEME = "mock://";

  private static final Map<String, InMemoryClient> SCOPES = new ConcurrentHashMap<>();

  private MockSchemaRegistry() {}

  /** The registry of a scope, created on first use. */
  public static SchemaRegistryClient forScope(String scope) {
    return SCOPES.computeIfAbsent(scope, s -> new InMemoryClient());
  }

  /** Forgets a scope: the next {@link #forScope} of the same name starts empty. */
  public static void dropScope(String scope) {
    SCOPES.remove(scope);
  }

  /** True for a {@code mock://} URL. */
  public static boolean isMockUrl(String url) {
    return url != null && url.startsWith(SCHEME);
  }

  /** The scope named by a {@code mock://scope} URL. */
  public static String scopeOf(String url) {
    return url.substring(SCHEME.length());
  }

  private static final class InMemoryClient implements SchemaRegistryClient {
    private final Map<Schema, Integer> idsBySchema = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, List<Integer>> versionsBySubject = new LinkedHashMap<>();
    private final Map<String, CompatibilityLevel> compatibilityBySubject = new HashMap<>();
    private CompatibilityLevel globalCompatibility = CompatibilityLevel.BACKWARD;

    @Override
    public synchronized int register(String subject, Schema schema) {
      List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
      Integer existing = idsBySchema.get(schema);
      if (existing != null && versions.contains(existing)) {
        return existing;
      }
      CompatibilityLevel level = compatibilityBySubject.getOrDefault(subject, globalCompatibility);
      List<Integer> toCheck =
          level.transitive() || versions.isEmpty() ? versions : List.of(versions.get(versions.size() - 1));
      for (int id : toCheck) {
        if (!level.allows(schema, schemasById.get(id))) {
          throw new IncompatibleSchemaException(
              "schema is incompatible with the subject's registered versions; could not register a schema"
                  + " under subject '" + subject + "': not " + level + " compatible with schema id " + id,
              409, 409);
        }
      }
      int id = existing != null ? existing : idsBySchema.size() + 1;
      idsBySchema.put(schema, id);
      schemasById.put(id, schema);
      versions.add(id);
      return id;
    }

    @Override
    public synchronized int idOf(String subject, Schema schema) {
      Integer id = idsBySchema.get(schema);
      if (id == null || !versionsBySubject.getOrDefault(subject, List.of()).contains(id)) {
        throw new SchemaNotFoundException(
            "could not look up a schema under subject '" + subject + "': not registered", 404, 40403);
      }
      return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
      Schema schema = schemasById.get(id);
      if (schema == null) {
        throw new SchemaNotFoundException("could not fetch schema id " + id + ": no such id", 404, 40403);
      }
      return schema;
    }

    @Override
    public synchronized RegisteredSchema latest(String subject) {
      List<Integer> versions = versionsBySubject.get(subject);
      if (versions == null || versions.isEmpty()) {
        throw new SchemaNotFoundException(
            "could not fetch the latest version of subject '" + subject + "': no such subject", 404, 40401);
      }
      int id = versions.get(versions.size() - 1);
      return new RegisteredSchema(subject, versions.size(), id, schemasById.get(id));
    }

    @Override
    public synchronized void setCompatibility(String subject, CompatibilityLevel level) {
      if (subject == null) {
        globalCompatibility = level;
      } else {
        compatibilityBySubject.put(subject, level);
      }
    }

    @Override
    public synchronized List<String> subjects() {
      return List.copyOf(versionsBySubject.keySet());
    }

    @Override
    public void close() {
      // the scope outlives its clients; see dropScope
    }
  }
}
