package io.streamdistill.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.streamdistill.config.ClientOptions;
import io.streamdistill.config.Durations;
import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.edge.service.EdgeServiceCommand;
import io.streamdistill.producers.ProduceCommand;
import io.streamdistill.schemas.Topics;
import io.streamdistill.teacher.TeacherServiceCommand;
import io.streamdistill.teacher.mnist.TrainMnistTeacherCommand;
import io.streamdistill.teacher.text.TrainTextTeacherCommand;
import io.streamdistill.trainer.KeygenCommand;
import io.streamdistill.trainer.StudentPresets;
import io.streamdistill.trainer.TrainerCommand;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The compose file against what it runs: every image has a Dockerfile, every long-running service a
 * health check on the port it really listens on, every variable a default, every setting an option of
 * the very command that receives it (the command lines are parsed by the services' own picocli
 * commands, with the defaults and with {@code mnist.env}), the topics those of {@link Topics}, and no
 * secret anywhere but in mounted files. Where a {@code docker-compose} binary is on the PATH, it
 * validates the file too; no Docker engine is needed.
 */
class ComposeFileTest {
  private static final Path COMPOSE_DIR =
      Path.of(System.getProperty("compose.dir", "")).toAbsolutePath().normalize();
  private static final Path COMPOSE_FILE = COMPOSE_DIR.resolve("docker-compose.yml");
  private static final Path MNIST_ENV = COMPOSE_DIR.resolve("mnist.env");
  private static final Path LAUNCHER = COMPOSE_DIR.resolve("bin/distill");
  /** What each launcher command runs, read by compose/bin/distill and ./distill. */
  private static final Path COMMAND_TABLE = COMPOSE_DIR.resolve("commands.txt");
  /** The compose file's build context. */
  private static final Path REPO_ROOT = COMPOSE_DIR.getParent();

  /** {@code ${NAME:-default}}: the only interpolation form the file may use. */
  private static final Pattern WITH_DEFAULT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*):-([^${}]*)");
  private static final Pattern DISTILL_MODULE = Pattern.compile("DISTILL_MODULE=([\\w-]+)");
  private static final Pattern COPY = Pattern.compile("(?m)^\\s*(COPY|ADD)\\s+(.*)$");
  private static final Pattern LOCAL_URL_PORT = Pattern.compile("http://localhost:(\\d+)/");
  /** The only environment variable a service image reads: JVM options, for the launcher. */
  private static final String JAVA_OPTS = "JAVA_OPTS";
  private static final String SECRETS_DIR = "/run/secrets/";
  private static final String CACHE_MOUNT = "/var/lib/distill/cache";

  /** The launcher's commands (compose/bin/distill), each with the picocli command it runs. */
  private static final Map<String, Supplier<CommandLine>> COMMANDS = Map.of(
      "teacher", TeacherServiceCommand::commandLine,
      "train", TrainerCommand::commandLine,
      "keygen", KeygenCommand::commandLine,
      "edge", EdgeServiceCommand::commandLine,
      "produce", ProduceCommand::commandLine);
  /** {@code prepare-teacher NAME}: the project's own teachers, each trained by its command. */
  private static final Map<String, Supplier<CommandLine>> PREPARE_TEACHER = Map.of(
      "mail", TrainTextTeacherCommand::commandLine,
      "mnist", () -> new CommandLine(new TrainMnistTeacherCommand()));

  private static JsonNode compose;
  private static JsonNode services;
  private static Map<String, String> mnistEnv;
  private static CommandTable table;

  @BeforeAll
  static void readComposeFile() throws IOException {
    assertTrue(Files.isRegularFile(COMPOSE_FILE), "no compose file at " + COMPOSE_FILE);
    compose = new ObjectMapper(new YAMLFactory()).readTree(COMPOSE_FILE.toFile());
    services = compose.path("services");
    assertTrue(services.size() > 0, "the compose file defines no services");
    mnistEnv = readEnvFile(MNIST_ENV);
    table = CommandTable.read(COMMAND_TABLE);
  }

  @Test
  void shouldGiveEveryServiceAnImageOrABuildWhoseDockerfileExists() {
    forEachService((name, service) -> {
      JsonNode build = service.path("build");
      if (build.isMissingNode()) {
        assertTrue(service.path("image").isTextual(), name + ": neither image nor build");
        return;
      }
      Path context = COMPOSE_DIR.resolve(build.path("context").asText(".")).normalize();
      assertEquals(REPO_ROOT, context, name + ": the build context must be the repository root");
      Path dockerfile = context.resolve(build.path("dockerfile").asText("Dockerfile")).normalize();
      assertTrue(Files.isRegularFile(dockerfile), name + ": no Dockerfile at " + dockerfile);
      // An image name would make `docker compose up` try to pull it from a registry first.
      assertTrue(service.path("image").isMissingNode(), name + ": a built service must not name an image");
    });
  }

  @Test
  void shouldHealthCheckEveryLongRunningService() {
    forEachService((name, service) -> {
      String restart = service.path("restart").asText("");
      assertFalse(restart.isEmpty(), name + ": say whether it restarts (\"no\" for a one-shot)");
      if (!restart.equals("no")) {
        JsonNode test = service.path("healthcheck").path("test");
        assertTrue(test.isArray() && test.size() > 1, name + " runs for long (restart: " + restart
            + ") but has no health check");
      }
    });
  }

  @Test
  void shouldDependOnlyOnConditionsTheDependencyCanMeet() {
    forEachService((name, service) -> service.path("depends_on").properties().forEach(dependency -> {
      JsonNode target = services.path(dependency.getKey());
      assertFalse(target.isMissingNode(), name + " depends on an unknown service " + dependency.getKey());
      assertTrue(target.path("profiles").isMissingNode(), name + " depends on " + dependency.getKey()
          + ", which a profile may leave out");
      String condition = dependency.getValue().path("condition").asText();
      switch (condition) {
        case "service_healthy" -> assertTrue(target.has("healthcheck"),
            name + " waits for " + dependency.getKey() + " to be healthy, but it has no health check");
        case "service_completed_successfully" -> assertEquals("no", target.path("restart").asText(),
            name + " waits for " + dependency.getKey() + " to complete, but it is not a one-shot");
        case "service_started" -> { }
        default -> fail(name + ": unknown depends_on condition '" + condition + "'");
      }
    }));
  }

  @Test
  void shouldGiveEveryVariableADefault() {
    Set<String> variables = variables();
    assertFalse(variables.isEmpty());
    // interpolate() fails on ${VAR}, ${VAR-x}, ${VAR:?x}, $VAR and nested forms.
    strings(compose).forEach(text -> interpolate(text, Map.of()));
    mnistEnv.keySet().forEach(name -> assertTrue(variables.contains(name),
        "mnist.env sets " + name + ", which the compose file does not use"));
  }

  @Test
  void shouldPassEverySettingOfAJavaServiceAsAnOptionOfItsCommand() throws IOException {
    String launcher = Files.readString(LAUNCHER);
    assertTrue(launcher.contains("${" + JAVA_OPTS + ":-}"), "the launcher no longer reads " + JAVA_OPTS);
    forEachJavaService((name, service) -> {
      service.path("environment").fieldNames().forEachRemaining(key -> assertEquals(JAVA_OPTS, key,
          name + ": environment variable " + key + " is read by nobody; pass settings as command options"));
      List<String> command = rawCommand(name, service);
      int launcherWords = command.get(0).equals("prepare-teacher") ? 2 : 1;
      CommandLine cli = commandLine(name, command, Map.of());
      for (int i = launcherWords; i < command.size(); i++) {
        String arg = command.get(i);
        if (!arg.contains("${")) {
          continue;
        }
        String option;
        if (arg.startsWith("-") && arg.contains("=")) {
          option = arg.substring(0, arg.indexOf('='));
        } else {
          option = command.get(i - 1);
        }
        assertTrue(option.startsWith("-") && !option.contains("$"), name + ": " + arg + " follows no option");
        assertNotNull(cli.getCommandSpec().findOption(option), name + ": " + arg + " feeds " + option
            + ", which '" + command.get(0) + "' does not have");
        if (option.equals("-X")) {
          assertFalse(arg.substring(0, arg.indexOf('=')).contains("$"), name + ": the key of -X " + arg
              + " must be fixed");
        }
      }
    });
  }

  @Test
  void shouldParseEveryJavaCommandLineWithTheServicesOwnCommands() {
    for (Map<String, String> env : List.of(Map.<String, String>of(), mnistEnv)) {
      String which = env.isEmpty() ? "defaults" : "mnist.env";
      forEachJavaService((name, service) -> {
        List<String> command = interpolate(rawCommand(name, service), env);
        CommandLine cli = commandLine(name, command, env);
        List<String> args = command.subList(command.get(0).equals("prepare-teacher") ? 2 : 1, command.size());
        CommandLine.ParseResult parsed;
        try {
          parsed = cli.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
          throw new AssertionError(name + " (" + which + "): '" + String.join(" ", command) + "' does not parse: "
              + e.getMessage(), e);
        }
        for (OptionSpec option : parsed.matchedOptions()) {
          if ("DURATION".equals(option.paramLabel())) {
            Durations.parse(option.longestName(), parsed.matchedOptionValue(option.longestName(), ""));
          }
        }
        // Launcher-level checks: the student and the teacher are ones the services know.
        if (command.get(0).equals("train")) {
          StudentPresets.resolve(parsed.matchedOptionValue("--student", ""));
        }
        if (command.get(0).equals("prepare-teacher") || command.get(0).equals("teacher")) {
          String teacher = command.get(0).equals("teacher")
              ? parsed.matchedOptionValue("--teacher", List.<String>of()).get(0) : command.get(1);
          assertTrue(PREPARE_TEACHER.containsKey(teacher), name + " (" + which + "): teacher " + teacher);
        }
      });
    }
  }

  @Test
  void shouldRunEachCommandInTheImageOfItsModule() {
    // The launcher runs what the table says; prepare-teacher NAME is train-teacher NAME.
    Map<List<String>, Supplier<CommandLine>> expected = new LinkedHashMap<>();
    COMMANDS.forEach((command, cli) -> expected.put(List.of(command), cli));
    PREPARE_TEACHER.forEach((teacher, cli) -> expected.put(List.of("train-teacher", teacher), cli));
    expected.forEach((words, cli) -> {
      CommandTable.Row row = table.select(words.get(0), words.size() > 1 ? words.get(1) : "");
      assertNotNull(row, COMMAND_TABLE + " has no row for '" + String.join(" ", words) + "'");
      assertEquals(cli.get().getCommandSpec().userObject().getClass().getName(), row.main(),
          COMMAND_TABLE + ": the main class of '" + String.join(" ", words) + "'");
    });
    forEachJavaService((name, service) -> {
      String module = dockerfileModule(name, service);
      List<String> command = rawCommand(name, service);
      CommandLine cli = commandLine(name, command, Map.of());
      Class<?> type = cli.getCommandSpec().userObject().getClass();
      String location = type.getProtectionDomain().getCodeSource().getLocation().getPath();
      assertTrue(location.contains("/" + module + "/") || location.contains("/" + module + "-"), name + ": "
          + type.getSimpleName() + " comes from " + location + ", but the image holds " + module);
      String first = command.get(0).equals("prepare-teacher") ? "train-teacher" : command.get(0);
      CommandTable.Row row = table.select(first, interpolate(command.get(1), Map.of()));
      assertNotNull(row, name + ": " + COMMAND_TABLE + " has no row for '" + first + "'");
      assertEquals(module, row.module(), name + ": the launcher runs '" + first + "' in the image of " + row.module()
          + ", but the Dockerfile builds the image of " + module);
    });
  }

  @Test
  void shouldBuildEveryImageFromItsModulesJarsAsANonRootUser() {
    forEachJavaService((name, service) -> {
      Path dockerfile = dockerfile(service);
      String text = read(dockerfile);
      String module = dockerfileModule(name, service);
      assertTrue(text.contains("FROM eclipse-temurin:17-jre\n"), dockerfile + ": not on eclipse-temurin:17-jre");
      Matcher user = Pattern.compile("(?m)^USER\\s+(\\S+)").matcher(text);
      assertTrue(user.find(), dockerfile + ": no USER");
      assertFalse(user.group(1).startsWith("root") || user.group(1).startsWith("0"), dockerfile + ": runs as root");
      Matcher copy = COPY.matcher(text);
      while (copy.find()) {
        String[] words = copy.group(2).trim().split("\\s+", -1);
        for (int i = 0; i < words.length - 1; i++) {
          String source = words[i];
          if (source.startsWith("--")) {
            continue;
          }
          assertTrue(source.equals("compose/bin/distill") || source.equals("compose/commands.txt")
                  || source.startsWith(module + "/target/"),
              dockerfile + ": copies " + source + "; an image holds the launcher, its table and " + module
                  + "/target only");
        }
      }
      // The launcher reads its table next to bin/; the class path is the third-party jars (target/lib) and
      // the project's modules the module depends on (target/image-modules: target/lib has no such jar).
      for (String copied : List.of("compose/commands.txt /opt/distill/commands.txt",
          module + "/target/lib/ /opt/distill/lib/", module + "/target/image-modules/ /opt/distill/lib/")) {
        assertTrue(text.contains("\nCOPY " + copied + "\n"), dockerfile + ": no COPY " + copied);
      }
      // The images that read the cache (data sets, teachers) find it where compose mounts the volume.
      boolean mountsCache = false;
      for (JsonNode volume : service.path("volumes")) {
        mountsCache |= volume.asText().contains(":" + CACHE_MOUNT);
      }
      assertEquals(mountsCache, text.contains(DatasetCache.CACHE_DIR_ENV + "=" + CACHE_MOUNT), dockerfile
          + ": " + DatasetCache.CACHE_DIR_ENV + " must name the cache volume's mount point " + CACHE_MOUNT);
      assertTrue(text.contains("ENTRYPOINT [\"/__cacert_entrypoint.sh\", \"bash\", \"/opt/distill/bin/distill\"]"),
          dockerfile + ": the entry point is the launcher");
    });
  }

  @Test
  void shouldKeepDjlAndNativeLibrariesOutOfTheEdgeImage() throws IOException {
    JsonNode edge = services.path("edge");
    assertEquals("edge-node", dockerfileModule("edge", edge));
    String instructions = read(dockerfile(edge)).lines().filter(line -> !line.trim().startsWith("#"))
        .reduce("", (a, b) -> a + b + "\n").toLowerCase(Locale.ROOT);
    assertFalse(instructions.contains("djl"), "the edge's Dockerfile sets something up for DJL");
    Path lib = REPO_ROOT.resolve("edge-node/target/lib");
    Assumptions.assumeTrue(Files.isDirectory(lib), "edge-node is not packaged: its target/lib is not checked");
    try (Stream<Path> jars = Files.list(lib)) {
      List<String> banned = jars.map(jar -> jar.getFileName().toString())
          .filter(jar -> jar.matches("(?i).*(djl|pytorch|onnxruntime|tokenizers|jna).*")).toList();
      assertEquals(List.of(), banned, "edge-node/target/lib, copied into the edge image");
    }
  }

  @Test
  void shouldRunThePyTorchImagesWithTheLaunchersNativeSettings() {
    // ./distill exports each as `export NAME="${NAME:-VALUE}"`: OpenMP's wait policy, glibc's allocator, PyTorch's
    // huge pages. An image that unpacks DJL's native libraries sets the same values (a missed one cost the
    // trainer half its speed, or its memory).
    Matcher export = Pattern.compile("(?m)^export ((?:OMP|MALLOC|THP)_\\w+)=\"\\$\\{\\1:-([^}]*)\\}\"$")
        .matcher(read(REPO_ROOT.resolve("distill")));
    Map<String, String> launcher = new TreeMap<>();
    while (export.find()) {
      launcher.put(export.group(1), export.group(2));
    }
    assertTrue(launcher.keySet().containsAll(List.of("OMP_WAIT_POLICY", "MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_",
        "MALLOC_TRIM_THRESHOLD_", "THP_MEM_ALLOC_ENABLE")), "./distill exports " + launcher.keySet());
    List<String> checked = new ArrayList<>();
    forEachJavaService((name, service) -> {
      String text = read(dockerfile(service));
      if (!text.contains("DJL_CACHE_DIR=")) {
        return;
      }
      checked.add(name);
      launcher.forEach((variable, value) -> {
        Pattern set = Pattern.compile("(?m)^(ENV|\\s+)\\s*" + variable + "=" + Pattern.quote(value) + "( \\\\)?$");
        assertTrue(set.matcher(text).find(),
            dockerfile(service) + ": sets no " + variable + "=" + value + " in its ENV, as ./distill does");
      });
    });
    assertTrue(checked.containsAll(List.of("teacher", "trainer")), "images with DJL checked: " + checked);
  }

  @Test
  void shouldKeepSecretsInMountedFilesOnly() throws IOException {
    String raw = Files.readString(COMPOSE_FILE);
    assertFalse(raw.contains("-----BEGIN"), "a key is inlined in the compose file");
    for (String variable : variables()) {
      // A variable may name where secret files are (..._DIR, ..._PROPERTIES), never hold a secret.
      boolean namesFiles = variable.endsWith("_DIR") || variable.endsWith("_PROPERTIES");
      assertFalse(!namesFiles && looksSecret(variable.toLowerCase(Locale.ROOT).replace('_', '.')),
          "variable " + variable + " looks like a secret: mount a file as a compose secret instead");
    }
    compose.path("secrets").properties().forEach(secret -> assertTrue(secret.getValue().has("file"),
        "secret " + secret.getKey() + " must come from a file"));
    forEachService((name, service) -> {
      service.path("environment").properties().forEach(env -> assertFalse(
          looksSecret(env.getKey().toLowerCase(Locale.ROOT).replace('_', '.')),
          name + ": secret in environment " + env.getKey()));
      List<String> command = new ArrayList<>();
      service.path("command").forEach(arg -> command.add(arg.asText()));
      for (int i = 0; i < command.size(); i++) {
        String arg = command.get(i);
        if (i > 0 && command.get(i - 1).equals("-X")) {
          assertFalse(looksSecret(arg.substring(0, Math.max(0, arg.indexOf('=')))), name + ": -X " + arg
              + " puts a secret on the command line; set it in the kafka-client.properties secret");
        }
        if (i > 0 && Set.of("--keys", "--public-key", "--admin-token-file", "--config").contains(command.get(i - 1))) {
          assertTrue(arg.startsWith(SECRETS_DIR) || arg.equals(SECRETS_DIR.substring(0, SECRETS_DIR.length() - 1)),
              name + ": " + command.get(i - 1) + " " + arg + " is not a mounted secret");
        }
      }
    });
    // The edge verifies with the public key; only the trainer holds the private one.
    Set<String> edgeSecrets = new TreeSet<>();
    services.path("edge").path("secrets")
        .forEach(s -> edgeSecrets.add(s.isTextual() ? s.asText() : s.path("source").asText()));
    assertFalse(edgeSecrets.contains("student-signing-key"), "the edge must not get the private signing key");

    List<String> dockerignore = Files.readAllLines(REPO_ROOT.resolve(".dockerignore")).stream()
        .map(String::trim).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    assertEquals("**", dockerignore.get(0), ".dockerignore must exclude everything, then name what images need");
    dockerignore.stream().filter(line -> line.startsWith("!")).forEach(line -> assertTrue(
        line.equals("!compose/bin/distill") || line.equals("!compose/commands.txt")
            || line.matches("![\\w-]+/target/[\\w*.-]+"),
        ".dockerignore lets " + line + " into the build context"));
  }

  @Test
  void shouldCreateTheTopicsOfTheContract() {
    JsonNode topics = services.path("topics");
    List<String> names = new ArrayList<>();
    for (JsonNode spec : topics.path("command")) {
      String[] parts = interpolate(spec.asText(), Map.of()).split(":", 3);
      names.add(parts[0]);
      assertTrue(Integer.parseInt(parts[1]) >= 1, spec.asText());
      if (parts[0].equals(Topics.STUDENT_MODELS)) {
        // One partition: an edge node reads a model line's versions in order.
        assertEquals("1", parts[1], "student-models partitions");
        Map<String, String> config = new LinkedHashMap<>();
        for (String pair : parts[2].split(",", -1)) {
          config.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
        assertEquals(Topics.studentModelTopicConfig(), config, "student-models settings");
      }
    }
    assertEquals(Topics.ALL, names, "the topics the one-shot creates");
    assertTrue(Files.isRegularFile(COMPOSE_DIR.resolve("topics/create-topics.sh")));
  }

  @Test
  void shouldLetTheTeacherScale() {
    JsonNode teacher = services.path("teacher");
    assertTrue(teacher.path("container_name").isMissingNode(), "a container name allows one teacher only");
    for (JsonNode port : teacher.path("ports")) {
      // "127.0.0.1::8090" or "8090": a free host port per instance.
      String[] parts = port.asText().split(":", -1);
      assertTrue(parts.length == 1 || parts[parts.length - 2].isEmpty(), "teacher publishes a fixed host port "
          + port.asText() + ": a second instance could not start");
    }
    for (JsonNode volume : teacher.path("volumes")) {
      assertTrue(volume.asText().endsWith(":ro"), "teacher instances would share the writable volume " + volume);
    }
    List<String> command = interpolate(rawCommand("teacher", teacher), Map.of());
    assertFalse(command.contains("--state-dir"), "Kafka Streams' state must stay per instance");
  }

  @Test
  void shouldHealthCheckThePortEachServiceListensOn() {
    Map<String, String> portOption = Map.of("teacher", "--http-port", "trainer", "--metrics-port",
        "edge", "--http-port");
    portOption.forEach((name, option) -> {
      JsonNode service = services.path(name);
      List<String> command = interpolate(rawCommand(name, service), Map.of());
      String port = command.get(command.indexOf(option) + 1);
      String test = String.join(" ", strings(service.path("healthcheck").path("test")));
      Matcher url = LOCAL_URL_PORT.matcher(test);
      assertTrue(url.find(), name + ": the health check asks no http://localhost:PORT/ URL: " + test);
      assertEquals(port, url.group(1), name + ": health check port vs " + option);
      boolean published = false;
      for (JsonNode mapping : service.path("ports")) {
        published |= mapping.asText().endsWith(":" + port) || mapping.asText().equals(port);
      }
      assertTrue(published, name + ": port " + port + " is not the one published");
    });
  }

  @Test
  void shouldDocumentEveryVariableInTheReadme() throws IOException {
    String readme = Files.readString(COMPOSE_DIR.resolve("README.md"));
    for (String variable : variables()) {
      assertTrue(readme.contains("`" + variable + "`"), "compose/README.md does not document `" + variable + "`");
    }
  }

  @Test
  void shouldPassDockerComposeConfig() throws Exception {
    Path dockerCompose = onPath("docker-compose");
    if (dockerCompose == null) {
      System.out.println("ComposeFileTest: docker-compose is not on the PATH; validation with it skipped"
          + " (apt-get install --no-install-recommends docker-compose)");
    }
    Assumptions.assumeTrue(dockerCompose != null, "docker-compose is not on the PATH");
    List<List<String>> runs = List.of(
        List.of(dockerCompose.toString(), "-f", COMPOSE_FILE.toString(), "config", "-q"),
        List.of(dockerCompose.toString(), "--env-file", MNIST_ENV.toString(), "-f", COMPOSE_FILE.toString(),
            "config", "-q"));
    for (List<String> run : runs) {
      ProcessBuilder builder = new ProcessBuilder(run).directory(COMPOSE_DIR.toFile());
      // The file's defaults are what is validated, not whatever this machine's environment sets.
      variables().forEach(builder.environment()::remove);
      builder.environment().remove("COMPOSE_FILE");
      File out = Files.createTempFile("compose-config", ".out").toFile();
      File err = Files.createTempFile("compose-config", ".err").toFile();
      try {
        Process process = builder.redirectOutput(out).redirectError(err).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", run) + " did not finish in 2 minutes");
        String stderr = Files.readString(err.toPath());
        if (process.exitValue() != 0) {
          System.err.println(stderr);
        }
        assertEquals(0, process.exitValue(), String.join(" ", run) + " failed:\n" + stderr);
      } finally {
        Files.deleteIfExists(out.toPath());
        Files.deleteIfExists(err.toPath());
      }
    }
  }

  // --- helpers

  private interface ServiceCheck {
    void check(String name, JsonNode service) throws Exception;
  }

  private static void forEachService(ServiceCheck check) {
    services.properties().forEach(entry -> {
      try {
        check.check(entry.getKey(), entry.getValue());
      } catch (Exception e) {
        throw new AssertionError(entry.getKey() + ": " + e, e);
      }
    });
  }

  /** The services built from this repository: they run the launcher with a picocli command. */
  private static void forEachJavaService(ServiceCheck check) {
    forEachService((name, service) -> {
      if (service.has("build")) {
        check.check(name, service);
      }
    });
  }

  private static List<String> rawCommand(String name, JsonNode service) {
    JsonNode command = service.path("command");
    assertTrue(command.isArray() && command.size() > 0, name + ": the command must be a list");
    List<String> words = new ArrayList<>();
    command.forEach(word -> {
      assertTrue(word.isTextual(), name + ": quote " + word + " so that YAML keeps it a string");
      words.add(word.asText());
    });
    return words;
  }

  /** The picocli command behind a launcher command line (its first one or two words). */
  private static CommandLine commandLine(String name, List<String> command, Map<String, String> env) {
    String first = command.get(0);
    Supplier<CommandLine> supplier;
    if (first.equals("prepare-teacher")) {
      supplier = PREPARE_TEACHER.get(interpolate(command.get(1), env));
    } else {
      supplier = COMMANDS.get(first);
    }
    assertNotNull(supplier, name + ": the launcher has no command '" + String.join(" ", command.subList(0, 2)) + "'");
    return supplier.get();
  }

  private static Path dockerfile(JsonNode service) {
    JsonNode build = service.path("build");
    return COMPOSE_DIR.resolve(build.path("context").asText(".")).resolve(build.path("dockerfile").asText("Dockerfile"))
        .normalize();
  }

  private static String dockerfileModule(String name, JsonNode service) {
    Matcher module = DISTILL_MODULE.matcher(read(dockerfile(service)));
    assertTrue(module.find(), name + ": its Dockerfile sets no DISTILL_MODULE");
    return module.group(1);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file + ": " + e, e);
    }
  }

  /** Every string value in the document (comments are not values). */
  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isValueNode()) {
      out.add(node.asText());
    }
    for (Iterator<JsonNode> children = node.elements(); children.hasNext(); ) {
      out.addAll(strings(children.next()));
    }
    return out;
  }

  /** The names of all interpolated variables, in order of appearance. */
  private static Set<String> variables() {
    Set<String> names = new LinkedHashSet<>();
    for (String text : strings(compose)) {
      Matcher m = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)").matcher(text.replace("$$", ""));
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  private static List<String> interpolate(List<String> words, Map<String, String> env) {
    return words.stream().map(word -> interpolate(word, env)).toList();
  }

  /** Compose's interpolation, restricted to {@code ${NAME:-default}} and {@code $$}. */
  private static String interpolate(String text, Map<String, String> env) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c != '$') {
        out.append(c);
        i++;
      } else if (text.startsWith("$$", i)) {
        out.append('$');
        i += 2;
      } else if (text.startsWith("${", i) && text.indexOf('}', i) > 0) {
        int end = text.indexOf('}', i);
        Matcher m = WITH_DEFAULT.matcher(text.substring(i + 2, end));
        assertTrue(m.matches(), "'" + text + "': write ${NAME:-default}: every variable needs a default");
        out.append(env.getOrDefault(m.group(1), m.group(2)));
        i = end + 1;
      } else {
        throw new AssertionError("'" + text + "': a bare $ (write $$ for a literal one,"
            + " ${NAME:-default} for a variable)");
      }
    }
    return out.toString();
  }

  private static boolean looksSecret(String key) {
    return !key.isEmpty() && "[hidden]".equals(ClientOptions.masked(Map.of(key, "value")).get(key));
  }

  private static Map<String, String> readEnvFile(Path file) throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      String trimmed = line.trim();
      if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
        int eq = trimmed.indexOf('=');
        assertTrue(eq > 0, file + ": not NAME=VALUE: " + line);
        env.put(trimmed.substring(0, eq), trimmed.substring(eq + 1));
      }
    }
    return env;
  }

  private static Path onPath(String executable) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator, -1)) {
      Path candidate = Path.of(dir, executable);
      if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
