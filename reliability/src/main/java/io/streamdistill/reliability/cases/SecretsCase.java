package io.streamdistill.reliability.cases;

import io.streamdistill.edge.service.EdgeServiceCommand;
import io.streamdistill.reliability.CaseContext;
import io.streamdistill.reliability.CaseResult;
import io.streamdistill.reliability.ReliabilityCase;
import io.streamdistill.reliability.process.ServiceProcess;
import io.streamdistill.reliability.traffic.AvroBytes;
import io.streamdistill.reliability.traffic.EdgeVersions;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.trainer.KeygenCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Secrets stay secret: an edge node guards its admin actions with a token, and no service writes a
 * secret to its log. The case plants four secrets where an operator would put them: the edge's admin
 * token (a file), the trainer's private signing key (a file), and a SASL JAAS password and a trust-store
 * password passed through to both services' Kafka clients ({@code -X}; on this PLAINTEXT stack the
 * clients carry them without using them). It then checks that pinning a version without the token,
 * or with a wrong one, is refused and with it succeeds, and finally searches every log the services
 * wrote for each secret.
 *
 * <p>Counts: trials = secrets planted, survived = secrets found in no log, lost = secrets leaked,
 * plus admin calls answered wrongly.
 */
public final class SecretsCase implements ReliabilityCase {
  public static final String NAME = "secrets-not-logged";
  private static final String MODEL = "reliability-secrets";
  private static final String NODE = "secrets-node";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CaseResult run(CaseContext context) {
    long started = System.nanoTime();
    CaseTopics topics = CaseTopics.create(context.stack(), NAME);
    Path keys = context.dir().resolve("keys");
    KeyPair pair = Keys.write(keys);
    String token = randomHex(context, 24);
    String jaasPassword = "jaas-" + randomHex(context, 12);
    String truststorePassword = "trust-" + randomHex(context, 12);
    Path tokenFile = context.dir().resolve("admin-token");
    Map<String, String> secrets = new LinkedHashMap<>();
    secrets.put("admin token", token);
    secrets.put("SASL JAAS password", jaasPassword);
    secrets.put("trust-store password", truststorePassword);
    secrets.put("private signing key", privateKeyBody(keys.resolve(KeygenCommand.PRIVATE_FILE)));
    List<String> passedThrough = List.of(
        "-X", "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"svc\""
            + " password=\"" + jaasPassword + "\";",
        "-X", "ssl.truststore.password=" + truststorePassword);
    Map<String, Object> details = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    try {
      Files.writeString(tokenFile, token + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EdgeVersions versions = new EdgeVersions(MODEL, pair);
    try (ModelsTopic models = new ModelsTopic(context.clientConfig(), topics);
        AvroBytes<StudentModelVersion> bytes = new AvroBytes<>(StudentModelVersion.class, context.clientConfig())) {
      List<String> edgeArgs = new ArrayList<>(List.of("--model", MODEL, "--public-key",
          Keys.publicKey(keys).toString(), "--node-id", NODE, "--models-topic", topics.studentModels(),
          "--deployments-topic", topics.deployments(), "--input-events-topic", topics.inputEvents(),
          "--http-port", "0", "--sample-rate", "0", "--cascade-threshold", "0",
          "--admin-token-file", tokenFile.toString()));
      edgeArgs.addAll(context.clientArgs());
      edgeArgs.addAll(passedThrough);
      try (ServiceProcess edge = context.start("edge", EdgeServiceCommand.class.getName(), List.of("-Xmx512m"),
          edgeArgs)) {
        EdgeClient client = new EdgeClient(Services.edgePort(edge));
        models.send(MODEL, bytes.of(topics.studentModels(), versions.good(1)));
        client.awaitServing(1, Duration.ofSeconds(60));
        URI pin = client.predictUri().resolve("/admin/pin");
        int none = post(pin, null);
        int wrong = post(pin, "Bearer " + token + "x");
        int right = post(pin, "Bearer " + token);
        details.put("pinWithoutToken", none);
        details.put("pinWithWrongToken", wrong);
        details.put("pinWithToken", right);
        if (none != 401) {
          failures.add("pin without a token answered " + none + ", not 401");
        }
        if (wrong != 403) {
          failures.add("pin with a wrong token answered " + wrong + ", not 403");
        }
        if (right != 200) {
          failures.add("pin with the token answered " + right + ", not 200");
        }
        context.progress("admin pin: no token %d, wrong token %d, token %d", none, wrong, right);
      }
      try (ServiceProcess trainer = Services.trainer(context, topics, keys, MODEL + "-trainer", passedThrough)) {
        trainer.awaitLog(Services.TRAINER_RESUMED, Duration.ofSeconds(60));
        Services.stopTrainer(trainer);
      }
    }
    Map<String, List<String>> leaks = leaks(context.dir(), secrets);
    details.put("secretsPlanted", secrets.keySet());
    details.put("leaks", leaks);
    leaks.forEach((secret, files) -> failures.add("the " + secret + " is in " + files));
    long adminWrong = failures.stream().filter(f -> f.startsWith("pin ")).count();
    int planted = secrets.size();
    String notes = String.format("trials = secrets planted (admin token, private key, JAAS and trust-store passwords),"
        + " survived = found in no log; admin pin without/with a wrong/with the token: %s/%s/%s",
        details.get("pinWithoutToken"), details.get("pinWithWrongToken"), details.get("pinWithToken"));
    return new CaseResult(NAME, planted, planted - leaks.size(), leaks.size() + adminWrong, 0, failures.isEmpty(),
        notes, failures, details, (System.nanoTime() - started) / 1e9);
  }

  /** For each secret found, the log files it is in (every file of the case's folder but the secrets' own). */
  private static Map<String, List<String>> leaks(Path dir, Map<String, String> secrets) {
    Map<String, List<String>> leaks = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        secrets.forEach((name, value) -> {
          if (text.contains(value)) {
            leaks.computeIfAbsent(name, k -> new ArrayList<>()).add(dir.relativize(file).toString());
          }
        });
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return leaks;
  }

  /** The base64 body of a PEM private key: what a log would show if the key were printed. */
  private static String privateKeyBody(Path pem) {
    try {
      return String.join("", Files.readAllLines(pem).stream().filter(l -> !l.startsWith("-----")).toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String randomHex(CaseContext context, int bytes) {
    byte[] random = new byte[bytes];
    context.random().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  private static int post(URI uri, String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"version\": 1}"));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
