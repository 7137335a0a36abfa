package io.streamdistill.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The front door runs what the sources say. {@code ./distill} puts each of the project's modules on a
 * command's class path as that module's own build made it (never a copy in a {@code target/lib}), takes
 * the modules a module depends on from the poms, rebuilds a command's module when a source or pom of it
 * or of one of those modules is newer than its last build (and runs no Maven otherwise), and runs the
 * same table as the images' launcher.
 *
 * <p>The real scripts run under bash with Maven replaced by a stub ({@code DISTILL_MVN}) that only
 * records what it was asked to build, so that no test builds anything. Nothing in the source tree is
 * changed: the cases where a source changes run on a small copy of the layout in a temporary directory.
 */
class FrontDoorTest {
  private static final Path COMPOSE_DIR =
      Path.of(System.getProperty("compose.dir", "")).toAbsolutePath().normalize();
  private static final Path REPO_ROOT = COMPOSE_DIR.getParent();
  private static final Path TABLE = COMPOSE_DIR.resolve("commands.txt");
  private static final String GROUP = "io.streamdistill";
  private static final String MODULE_LIST = "target/classpath-modules.txt";
  private static final String VERSION = "0.1.0-SNAPSHOT";
  private static final String BUILD_EDGE =
      "-B -q -DskipTests -Dspotless.check.skip=true -Dcheckstyle.skip=true -pl edge-node -am install";

  private static CommandTable table;

  @TempDir
  Path temp;
  private Path mavenLog;
  private Path maven;

  @BeforeAll
  static void readTable() throws IOException {
    Assumptions.assumeTrue(onPath("bash"), "bash is not on the PATH: the launchers are bash scripts");
    table = CommandTable.read(TABLE);
  }

  @BeforeEach
  void stubMaven() throws IOException {
    mavenLog = temp.resolve("maven.log");
    maven = temp.resolve("mvn-stub");
    Files.writeString(maven, "#!/bin/sh\necho \"$*\" >> '" + mavenLog + "'\n");
    Files.setPosixFilePermissions(maven, PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void shouldNameAMainClassOfItsModuleInEveryRow() {
    assertFalse(table.rows().isEmpty(), TABLE + " has no rows");
    Set<List<String>> seen = new LinkedHashSet<>();
    for (CommandTable.Row row : table.rows()) {
      assertTrue(seen.add(row.words()), TABLE + ": two rows for '" + String.join(" ", row.words()) + "'");
      Path source = REPO_ROOT.resolve(row.module()).resolve("src/main/java")
          .resolve(row.main().replace('.', '/') + ".java");
      assertTrue(Files.isRegularFile(source), TABLE + ": " + row.main() + " is not a class of " + row.module());
      for (String child : row.children()) {
        assertTrue(Files.isRegularFile(REPO_ROOT.resolve(child).resolve("pom.xml")), TABLE + ": no module " + child);
      }
      row.options().forEach(option -> assertTrue(option.startsWith("-"), TABLE + ": " + row.main()
          + ": JVM option " + option + " does not start with -"));
    }
  }

  @Test
  void shouldRunEveryRowFromTheImagesLauncher() throws Exception {
    for (CommandTable.Row row : table.rows()) {
      List<String> words = new ArrayList<>(row.words());
      words.add("--help");
      Map<String, String> env = Map.of("DISTILL_DRY_RUN", "1", "DISTILL_MODULE", row.module(), "JAVA_OPTS", "-Xmx42m");
      Result result = run(REPO_ROOT, env, COMPOSE_DIR.resolve("bin/distill"), words);
      assertEquals(0, result.exit(), "distill " + words + " in the " + row.module() + " image: " + result.stderr());
      List<String> expected = new ArrayList<>(List.of("java"));
      expected.addAll(row.options());
      // The image's JAVA_OPTS after the table's options: the JVM takes the last -Xmx.
      expected.addAll(List.of("-Xmx42m", "-cp", "/opt/distill/app/*:/opt/distill/lib/*", row.main(), "--help"));
      assertEquals(expected, result.stdout(),
          "distill " + String.join(" ", words) + " in the " + row.module() + " image");

      Result elsewhere = run(REPO_ROOT, Map.of("DISTILL_DRY_RUN", "1", "DISTILL_MODULE", "no-such-module"),
          COMPOSE_DIR.resolve("bin/distill"), words);
      assertEquals(2, elsewhere.exit(), "distill " + words + " ran in an image without " + row.module());
    }
    // compose's one-shot teacher-prepare: prepare-teacher NAME is train-teacher NAME.
    Result prepare = run(REPO_ROOT, Map.of("DISTILL_DRY_RUN", "1", "DISTILL_MODULE", "teacher-service"),
        COMPOSE_DIR.resolve("bin/distill"), List.of("prepare-teacher", "mail"));
    assertEquals(0, prepare.exit(), prepare.stderr());
    assertTrue(prepare.stdout().contains(table.select("train-teacher", "mail").main()), prepare.stdout().toString());
  }

  @Test
  void shouldRunEveryRowOfABuiltModuleFromTheFrontDoor() throws Exception {
    int checked = 0;
    for (CommandTable.Row row : table.rows()) {
      if (!built(REPO_ROOT, row.module())) {
        System.out.println("FrontDoorTest: " + row.module() + " is not built; './distill "
            + String.join(" ", row.words()) + "' not checked");
        continue;
      }
      List<String> words = new ArrayList<>(row.words());
      words.add("--help");
      Result result = frontDoor(REPO_ROOT, Map.of("DISTILL_DRY_RUN", "1", "JAVA_OPTS", "-Xmx42m -Dx=y"), words);
      assertEquals(0, result.exit(), "./distill " + words + ": " + result.stderr());
      List<String> line = result.stdout();
      List<String> expected = new ArrayList<>(List.of("java"));
      expected.addAll(row.options());
      // The user's JAVA_OPTS after the table's: the JVM takes the last -Xmx.
      expected.addAll(List.of("-Xmx42m", "-Dx=y"));
      expected.add("-Ddistill.repo.root=" + REPO_ROOT.toAbsolutePath().normalize());
      expected.add("-cp");
      assertEquals(expected, line.subList(0, Math.min(line.size(), expected.size())), "./distill " + words);
      assertEquals(List.of(row.main(), "--help"), line.subList(line.size() - 2, line.size()), "./distill " + words);
      checked++;
    }
    Assumptions.assumeTrue(checked > 0, "no module with a command is built");
  }

  /**
   * The property issue 19 asked for: every jar of the project's modules on a command's class path is
   * that module's own build output ({@code MODULE/target/MODULE-VERSION.jar}), they are exactly the
   * modules the poms make it depend on, and no {@code target/lib} on it holds a copy of one.
   */
  @Test
  void shouldPutEachModuleItDependsOnOnTheClassPathAsThatModulesOwnBuildMadeIt() throws Exception {
    Set<String> modules = new TreeSet<>();
    table.rows().forEach(row -> modules.add(row.module()));
    int checked = 0;
    for (String module : modules) {
      if (!built(REPO_ROOT, module)) {
        System.out.println("FrontDoorTest: " + module + " is not built; its class path is not checked");
        continue;
      }
      CommandTable.Row row = table.rows().stream().filter(r -> r.module().equals(module)).findFirst().orElseThrow();
      Result result = frontDoor(REPO_ROOT, Map.of(), words("classpath", row.words()));
      assertEquals(0, result.exit(), "./distill classpath " + row.words() + ": " + result.stderr());
      assertEquals(1, result.stdout().size(), "one line: " + result.stdout());
      List<String> entries = List.of(result.stdout().get(0).split(File.pathSeparator));

      assertEquals(ownJar(REPO_ROOT, module), REPO_ROOT.resolve(entries.get(0)).normalize(), module + ": first entry");
      Set<String> onClassPath = new TreeSet<>();
      for (String entry : entries) {
        if (entry.endsWith("/*")) {
          // A directory of third-party jars: never a copy of one of the project's modules.
          Path dir = REPO_ROOT.resolve(entry.substring(0, entry.length() - 2));
          assertEquals(REPO_ROOT.resolve(module).resolve("target/lib"), dir.normalize(), module + ": " + entry);
          try (Stream<Path> jars = Files.list(dir)) {
            for (Path jar : jars.filter(path -> path.toString().endsWith(".jar")).toList()) {
              assertEquals(null, projectArtifact(jar), module + ": " + jar + " is a copy of one of the project's"
                  + " modules; the class path must name that module's own jar");
            }
          }
          continue;
        }
        Path jar = REPO_ROOT.resolve(entry).normalize();
        String artifact = projectArtifact(jar);
        assertNotNull(artifact, module + ": " + entry + " is not a jar of the project's modules");
        // The module's own build output, the file itself: not a copy, not the local repository's.
        assertEquals(ownJar(REPO_ROOT, artifact), jar, module + ": " + artifact + " on the class path");
        onClassPath.add(artifact);
      }
      Set<String> expected = new TreeSet<>(runtimeModules(module));
      expected.add(module);
      assertEquals(expected, onClassPath, module + ": the project's modules on its class path vs its poms");
      checked++;
    }
    Assumptions.assumeTrue(checked > 0, "no module with a command is built");
  }

  @Test
  void shouldRunNoMavenWhenNothingChanged() throws Exception {
    Path repo = copyOfLayout();
    Result result = frontDoor(repo, Map.of(), List.of("classpath", "edge"));
    assertEquals(0, result.exit(), result.stderr());
    assertFalse(Files.exists(mavenLog), "Maven ran although nothing changed: " + readLog());
    // Absolute paths: the command runs in the caller's directory, not the repository's.
    String root = repo.toRealPath() + "/";
    assertEquals(List.of(root + "edge-node/target/edge-node-" + VERSION + ".jar:" + root + "student-model/target/"
        + "student-model-" + VERSION + ".jar:" + root + "schemas/target/schemas-" + VERSION + ".jar:" + root
        + "service-config/target/service-config-" + VERSION + ".jar:" + root + "edge-node/target/lib/*"),
        result.stdout());
  }

  @ParameterizedTest(name = "{0} newer than the last build: rebuild {1}")
  @CsvSource({
      "schemas/src/main/avro/input-event.avsc, true",
      "schemas/pom.xml, true",
      "student-model/src/main/java/Model.java, true",
      "edge-node/src/main/java/Edge.java, true",
      "pom.xml, true",
      "teacher-service/src/main/java/Teacher.java, false",
  })
  void shouldRebuildWhenASourceOfTheModuleOrOfAModuleItDependsOnIsNewer(String changed, boolean rebuild)
      throws Exception {
    Path repo = copyOfLayout();
    // As `touch`: the file's time only, after the module's last build.
    Files.setLastModifiedTime(repo.resolve(changed), FileTime.from(Instant.now()));
    Result result = frontDoor(repo, Map.of(), List.of("classpath", "edge"));
    assertEquals(0, result.exit(), result.stderr());
    if (rebuild) {
      assertEquals(List.of(BUILD_EDGE), readLog(), "after " + changed + " changed");
    } else {
      assertFalse(Files.exists(mavenLog), "edge-node does not depend on teacher-service, yet Maven ran: " + readLog());
    }
  }

  @Test
  void shouldRebuildWhenTheModuleListOrAJarOfAModuleItDependsOnIsMissing() throws Exception {
    for (String missing : List.of("edge-node/" + MODULE_LIST, "schemas/target/schemas-" + VERSION + ".jar")) {
      Path repo = copyOfLayout();
      Files.delete(repo.resolve(missing));
      Files.deleteIfExists(mavenLog);
      Result result = frontDoor(repo, Map.of(), List.of("classpath", "edge"));
      assertNotEquals(0, result.exit(), "the stub built nothing, so there is nothing to run");
      assertEquals(List.of(BUILD_EDGE), readLog(), "without " + missing);
    }
  }

  @Test
  void shouldRemoveCopiesOfModulesThatOlderBuildsLeftInTargetLib() throws Exception {
    Path repo = copyOfLayout();
    Path copy = repo.resolve("edge-node/target/lib/schemas-" + VERSION + ".jar");
    Files.writeString(copy, "stale");
    Result result = frontDoor(repo, Map.of(), List.of("classpath", "edge"));
    assertEquals(0, result.exit(), result.stderr());
    assertFalse(Files.exists(copy), "the stale copy of schemas is still in edge-node/target/lib");
    assertTrue(Files.exists(repo.resolve("edge-node/target/lib/picocli-4.7.6.jar")), "a third-party jar was removed");
  }

  // --- helpers

  private record Result(int exit, List<String> stdout, String stderr) { }

  /**
   * The layout ./distill reads for {@code edge}, with the real script and table: edge-node depends on
   * student-model, schemas and service-config (as its module list says); teacher-service is not among
   * them. Sources are older than every build output.
   */
  private Path copyOfLayout() throws IOException {
    Path repo = temp.resolve("repo-" + System.nanoTime());
    Instant sources = Instant.now().minusSeconds(1000);
    Instant build = Instant.now().minusSeconds(500);
    List<Path> sourceFiles = new ArrayList<>();
    Files.createDirectories(repo.resolve("compose"));
    Files.copy(REPO_ROOT.resolve("distill"), repo.resolve("distill"));
    Files.copy(TABLE, repo.resolve("compose/commands.txt"));
    sourceFiles.add(Files.writeString(repo.resolve("pom.xml"), "<project/>\n"));
    Map<String, String> source = Map.of("schemas", "src/main/avro/input-event.avsc", "student-model",
        "src/main/java/Model.java", "service-config", "src/main/java/Config.java", "edge-node",
        "src/main/java/Edge.java", "teacher-service", "src/main/java/Teacher.java");
    List<Path> outputs = new ArrayList<>();
    for (Map.Entry<String, String> module : source.entrySet()) {
      Path dir = repo.resolve(module.getKey());
      Path file = dir.resolve(module.getValue());
      Files.createDirectories(file.getParent());
      sourceFiles.add(Files.writeString(file, "// " + module.getKey() + "\n"));
      sourceFiles.add(Files.writeString(dir.resolve("pom.xml"), "<project/>\n"));
      for (Path parent = file.getParent(); !parent.equals(dir); parent = parent.getParent()) {
        sourceFiles.add(parent);
      }
      Files.createDirectories(dir.resolve("target"));
      outputs.add(Files.writeString(dir.resolve("target/" + module.getKey() + "-" + VERSION + ".jar"), "jar"));
    }
    Files.createDirectories(repo.resolve("edge-node/target/lib"));
    outputs.add(Files.writeString(repo.resolve("edge-node/target/lib/picocli-4.7.6.jar"), "jar"));
    // The format the parent pom's build-classpath execution writes: "target/NAME.jar" per module.
    outputs.add(Files.writeString(repo.resolve("edge-node/" + MODULE_LIST), "target/student-model-" + VERSION
        + ".jar:target/schemas-" + VERSION + ".jar:target/service-config-" + VERSION + ".jar"));
    for (Path path : sourceFiles) {
      Files.setLastModifiedTime(path, FileTime.from(sources));
    }
    for (Path path : outputs) {
      Files.setLastModifiedTime(path, FileTime.from(build));
    }
    return repo;
  }

  private List<String> readLog() throws IOException {
    return Files.exists(mavenLog) ? Files.readAllLines(mavenLog) : List.of();
  }

  private Result frontDoor(Path repo, Map<String, String> env, List<String> args) throws Exception {
    Map<String, String> withStub = new HashMap<>(env);
    withStub.put("DISTILL_MVN", maven.toString());
    return run(repo, withStub, repo.resolve("distill"), args);
  }

  private Result run(Path dir, Map<String, String> env, Path script, List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().remove("DISTILL_DRY_RUN");
    builder.environment().remove("JAVA_OPTS");
    builder.environment().putAll(env);
    Path err = Files.createTempFile(temp, "launcher", ".err");
    Process process = builder.redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(nullFile())).start();
    String out;
    try (InputStream stdout = process.getInputStream()) {
      out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), command + " did not finish in a minute");
    return new Result(process.exitValue(), out.lines().toList(), Files.readString(err));
  }

  private static List<String> words(String first, List<String> rest) {
    List<String> words = new ArrayList<>(List.of(first));
    words.addAll(rest);
    return words;
  }

  /** Built by a package with the current parent pom: its jar and its module list are there. */
  private static boolean built(Path repo, String module) {
    return Files.isRegularFile(ownJar(repo, module)) && Files.isRegularFile(repo.resolve(module).resolve(MODULE_LIST));
  }

  private static Path ownJar(Path repo, String module) {
    return repo.resolve(module).resolve("target").resolve(module + "-" + VERSION + ".jar").normalize();
  }

  /** The artifactId of one of the project's modules this jar is, from its Maven metadata; else null. */
  private static String projectArtifact(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      for (ZipEntry entry : file.stream().toList()) {
        String name = entry.getName();
        if (name.startsWith("META-INF/maven/" + GROUP + "/") && name.endsWith("/pom.properties")) {
          Properties properties = new Properties();
          try (InputStream in = file.getInputStream(entry)) {
            properties.load(in);
          }
          return properties.getProperty("artifactId");
        }
      }
    }
    return null;
  }

  /**
   * The project's modules MODULE runs with, read from the poms: its compile and runtime dependencies
   * on {@value #GROUP} artifacts, and theirs (not optional ones), transitively.
   */
  private static Set<String> runtimeModules(String module) throws Exception {
    Set<String> found = new TreeSet<>();
    collect(module, true, found);
    return found;
  }

  private static void collect(String module, boolean direct, Set<String> found) throws Exception {
    Path pom = REPO_ROOT.resolve(module).resolve("pom.xml");
    assertTrue(Files.isRegularFile(pom), "no module " + module + " at " + pom.getParent());
    Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile())
        .getDocumentElement();
    for (Element dependency : children(child(project, "dependencies"), "dependency")) {
      String scope = text(dependency, "scope", "compile");
      boolean runtime = scope.equals("compile") || scope.equals("runtime");
      if (!GROUP.equals(text(dependency, "groupId", "")) || !runtime || !text(dependency, "type", "jar").equals("jar")
          || !text(dependency, "classifier", "").isEmpty()
          || (!direct && text(dependency, "optional", "false").equals("true"))) {
        continue;
      }
      String artifact = text(dependency, "artifactId", "");
      if (found.add(artifact)) {
        collect(artifact, false, found);
      }
    }
  }

  private static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    if (parent != null) {
      for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
        if (node instanceof Element element && element.getTagName().equals(name)) {
          out.add(element);
        }
      }
    }
    return out;
  }

  private static String text(Element parent, String name, String otherwise) {
    Element element = child(parent, name);
    return element == null ? otherwise : element.getTextContent().trim();
  }

  private static File nullFile() {
    return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  private static boolean onPath(String executable) {
    String path = System.getenv("PATH");
    return path != null && Stream.of(path.split(File.pathSeparator))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, executable)));
  }
}
