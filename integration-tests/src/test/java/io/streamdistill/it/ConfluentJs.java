package io.streamdistill.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdistill.stack.LocalStack;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * Confluent's own JavaScript Schema Registry client and Avro serdes ({@code @confluentinc/schemaregistry})
 * with kafkajs, as the Node.js project under {@code src/test/node/confluent-compat} uses them: installed
 * with {@code npm ci} from its lock file into a copy under {@code target/}, then run as child
 * processes ({@code write.js}, {@code read.js}) against the local stack.
 *
 * <p>Made once per test JVM by {@link #installed()}; the processes it starts end before its methods
 * return (killed on timeout).
 */
final class ConfluentJs {
  /** Longest an {@code npm ci} may take: about 280 packages, from the npm registry or npm's cache. */
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
  private static final String PROJECT = "src/test/node/confluent-compat";
  private static final List<String> PROJECT_FILES =
      List.of("package.json", "package-lock.json", "common.js", "write.js", "read.js");

  private static ConfluentJs installed;

  /** A job of {@code write.js}: records in the JSON form of {@link AvroJson}, keyed by a string. */
  record WriteJob(String topic, String mode, Schema schema, List<Map.Entry<String, JsonNode>> records) {
    /** The application registers {@code schema} itself and writes with its id. */
    static WriteJob register(String topic, Schema schema, List<Map.Entry<String, JsonNode>> records) {
      return new WriteJob(topic, "register", schema, records);
    }

    /** use.latest.version: writes with the latest schema of the subject, which someone else registered. */
    static WriteJob latest(String topic, List<Map.Entry<String, JsonNode>> records) {
      return new WriteJob(topic, "latest", null, records);
    }

    /** auto.register.schemas as Confluent's JS serializer does it: it infers the schema from the value. */
    static WriteJob autoRegister(String topic, Schema schema, List<Map.Entry<String, JsonNode>> records) {
      return new WriteJob(topic, "auto", schema, records);
    }
  }

  /** What {@code write.js} did for a job: the schema id it wrote with, or the error. */
  record Written(String topic, String mode, Integer schemaId, int count, String error) {}

  /** A job of {@code read.js}: the topic, how many records to wait for, whether the latest schema is the reader. */
  record ReadJob(String topic, int count, boolean useLatestVersion) {
    static ReadJob of(String topic, int count) {
      return new ReadJob(topic, count, false);
    }
  }

  /** One record as Confluent's deserializer returned it, or the error it gave. */
  record Read(String topic, int partition, long offset, String key, Integer schemaId, JsonNode value, String error) {}

  private final Path dir;

  private ConfluentJs(Path dir) {
    this.dir = dir;
  }

  /**
   * The project, installed: npm ci runs when the copy under target/ has not been installed from
   * this lock file yet. Empty when npm is not installed (the caller skips); a failing install fails.
   */
  static synchronized Optional<ConfluentJs> installed() throws IOException, InterruptedException {
    if (installed != null) {
      return Optional.of(installed);
    }
    if (onPath("npm").isEmpty() || onPath("node").isEmpty()) {
      return Optional.empty();
    }
    Path source = projectSource();
    Path dir = Path.of("target", "confluent-compat").toAbsolutePath();
    Files.createDirectories(dir);
    for (String file : PROJECT_FILES) {
      Files.copy(source.resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    String lockHash = sha256(dir.resolve("package-lock.json"));
    Path stamp = dir.resolve("node_modules").resolve(".installed-from-lock");
    if (!Files.isRegularFile(stamp) || !Files.readString(stamp).equals(lockHash)) {
      // ci: exactly the lock file's versions, or a failure; no audit or funding calls to the registry.
      run(dir, List.of(onPath("npm").get().toString(), "ci", "--no-audit", "--no-fund", "--loglevel=warn"),
          INSTALL_TIMEOUT, dir.resolve("npm-ci.log"));
      Files.writeString(stamp, lockHash);
    }
    installed = new ConfluentJs(dir);
    return Optional.of(installed);
  }

  /** Writes the jobs' records with Confluent's AvroSerializer and kafkajs; one result per job, in order. */
  List<Written> write(LocalStack stack, List<WriteJob> jobs) throws IOException, InterruptedException {
    ObjectNode plan = AvroJson.MAPPER.createObjectNode();
    ArrayNode planJobs = plan.putArray("jobs");
    for (WriteJob job : jobs) {
      ObjectNode node = planJobs.addObject().put("topic", job.topic()).put("mode", job.mode());
      if (job.schema() != null) {
        node.put("schema", job.schema().toString());
      }
      ArrayNode records = node.putArray("records");
      job.records().forEach(r -> records.addObject().put("key", r.getKey()).set("value", r.getValue()));
    }
    Path out = runScript(stack, "write.js", plan, Duration.ofSeconds(60));
    List<Written> results = new ArrayList<>();
    for (JsonNode result : AvroJson.MAPPER.readTree(out.toFile())) {
      results.add(new Written(result.path("topic").asText(), result.path("mode").asText(),
          result.hasNonNull("schemaId") ? result.get("schemaId").asInt() : null, result.path("count").asInt(),
          result.hasNonNull("error") ? result.get("error").asText() : null));
    }
    return results;
  }

  /**
   * Reads each job's topic from the beginning (read_committed) with Confluent's AvroDeserializer until
   * its count arrived, then half a second longer; fails when they do not arrive within {@code timeout}.
   */
  List<Read> read(LocalStack stack, List<ReadJob> jobs, Duration timeout) throws IOException, InterruptedException {
    ObjectNode plan = AvroJson.MAPPER.createObjectNode().put("timeoutMs", timeout.toMillis()).put("settleMs", 500);
    ArrayNode planJobs = plan.putArray("jobs");
    jobs.forEach(job -> planJobs.addObject().put("topic", job.topic()).put("count", job.count())
        .put("useLatestVersion", job.useLatestVersion()));
    Path out = runScript(stack, "read.js", plan, timeout.plusSeconds(30));
    List<Read> records = new ArrayList<>();
    for (String line : Files.readAllLines(out)) {
      JsonNode r = AvroJson.MAPPER.readTree(line);
      records.add(new Read(r.get("topic").asText(), r.get("partition").asInt(), r.get("offset").asLong(),
          r.hasNonNull("key") ? r.get("key").asText() : null,
          r.hasNonNull("schemaId") ? r.get("schemaId").asInt() : null, r.get("value"),
          r.hasNonNull("error") ? r.get("error").asText() : null));
    }
    return records;
  }

  private Path runScript(LocalStack stack, String script, JsonNode plan, Duration timeout)
      throws IOException, InterruptedException {
    Path run = Files.createDirectories(
        dir.resolve("runs").resolve(script.replace(".js", "") + "-" + UUID.randomUUID()));
    Path planFile = run.resolve("plan.json");
    AvroJson.MAPPER.writerWithDefaultPrettyPrinter().writeValue(planFile.toFile(), plan);
    Path out = run.resolve(script.equals("read.js") ? "records.jsonl" : "result.json");
    run(dir, List.of(onPath("node").orElseThrow().toString(), script,
        "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.schemaRegistryUrl(),
        "--plan", planFile.toString(), "--out", out.toString()), timeout, run.resolve("output.log"));
    return out;
  }

  /** Runs a command to its end, its output to {@code log}; fails with the end of the log unless it exits 0. */
  private static void run(Path workDir, List<String> command, Duration timeout, Path log)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(devNull()));
    builder.environment().put("npm_config_update_notifier", "false");
    Process process = builder.start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(String.join(" ", command) + " did not end within " + timeout + "; its output:\n"
          + tail(log));
    }
    if (process.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " exited with " + process.exitValue() + "; its output:\n"
          + tail(log));
    }
  }

  private static File devNull() {
    return new File(File.separatorChar == '\\' ? "NUL" : "/dev/null");
  }

  private static String tail(Path log) throws IOException {
    String text = Files.readString(log, StandardCharsets.UTF_8);
    return text.length() <= 6_000 ? text : "..." + text.substring(text.length() - 6_000);
  }

  /** The checked-in project: under this module's directory (the tests' working directory) or the repository root. */
  private static Path projectSource() {
    List<Path> candidates = new ArrayList<>(List.of(Path.of(PROJECT)));
    String root = System.getProperty("distill.repo.root");
    if (root != null) {
      candidates.add(Path.of(root, "integration-tests", PROJECT));
    }
    return candidates.stream().filter(p -> Files.isRegularFile(p.resolve("package-lock.json"))).findFirst()
        .orElseThrow(() -> new IllegalStateException("the Node.js project is not at " + candidates));
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(File.pathSeparator)).map(p -> Path.of(p, program))
        .filter(Files::isExecutable).findFirst();
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }
}
