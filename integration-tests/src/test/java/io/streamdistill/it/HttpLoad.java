package io.streamdistill.it;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP load for the benchmarks, from outside the server's code: one kept-alive socket writing requests by hand
 * (so that the figure is the server's, not a client library's), and {@code wrk}, Debian's load tool.
 */
final class HttpLoad {
  private HttpLoad() {}

  /** {@code requests} POSTs one after another on one kept-alive connection: p50/p99 in µs, after 2,000 warm-up. */
  static Map<String, Object> oneConnection(int port, String path, List<String> bodies, int requests)
      throws IOException {
    List<byte[]> wire = new ArrayList<>();
    for (String body : bodies) {
      byte[] json = body.getBytes(StandardCharsets.UTF_8);
      byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + json.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      byte[] request = Arrays.copyOf(head, head.length + json.length);
      System.arraycopy(json, 0, request, head.length, json.length);
      wire.add(request);
    }
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
      for (int i = 0; i < 2_000; i++) {
        exchange(out, in, wire.get(i % wire.size()));
      }
      long[] micros = new long[requests];
      for (int i = 0; i < requests; i++) {
        long started = System.nanoTime();
        exchange(out, in, wire.get(i % wire.size()));
        micros[i] = (System.nanoTime() - started) / 1_000;
      }
      Arrays.sort(micros);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("requests", requests);
      result.put("p50Micros", micros[requests / 2]);
      result.put("p99Micros", micros[(int) (requests * 0.99)]);
      result.put("client", "one kept-alive socket, requests written by hand");
      return result;
    }
  }

  /** Writes a request and reads its answer (status 200 required) up to the end of its body. */
  private static void exchange(OutputStream out, InputStream in, byte[] request) throws IOException {
    out.write(request);
    out.flush();
    String status = line(in);
    if (!status.startsWith("HTTP/1.1 200")) {
      throw new IOException("the server answered: " + status);
    }
    int length = -1;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Integer.parseInt(header.substring(15).trim());
      }
    }
    if (length < 0 || in.readNBytes(length).length != length) {
      throw new IOException("no whole body in the answer");
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("the connection closed mid-answer");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  /**
   * {@code wrk -t2 -c16 --latency} POSTing {@code body} for {@code duration}: requests/s, latency percentiles and
   * non-2xx answers as wrk reports them; or why it did not run.
   */
  static Map<String, Object> wrk(int port, String path, String body, Duration duration)
      throws IOException, InterruptedException {
    Map<String, Object> result = new LinkedHashMap<>();
    Path script = Files.createTempFile("wrk-post", ".lua");
    Files.writeString(script, "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
        + "wrk.body = [==[" + body + "]==]\n");
    List<String> command = List.of("wrk", "-t2", "-c16", "-d" + duration.toSeconds() + "s", "--latency",
        "-s", script.toString(), "http://127.0.0.1:" + port + path);
    result.put("command", String.join(" ", command));
    Process wrk;
    try {
      wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      result.put("skipped", "wrk is not installed (apt-get install wrk): " + e.getMessage());
      return result;
    }
    String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!wrk.waitFor(duration.toSeconds() + 30, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
      wrk.destroyForcibly();
      throw new IOException("wrk failed:\n" + output);
    }
    Files.deleteIfExists(script);
    System.out.println(output);
    result.put("requestsPerSecond", Double.parseDouble(find(output, "Requests/sec:\\s+([0-9.]+)")));
    for (String percentile : List.of("50", "90", "99")) {
      result.put("p" + percentile + "Micros", micros(find(output, "\\s" + percentile + "%\\s+([0-9.]+[a-z]+)")));
    }
    Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)").matcher(output);
    result.put("non2xx", non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0L);
    Matcher errors = Pattern.compile("Socket errors: (.*)").matcher(output);
    result.put("socketErrors", errors.find() ? errors.group(1) : "none");
    return result;
  }

  private static String find(String output, String regex) throws IOException {
    Matcher m = Pattern.compile(regex).matcher(output);
    if (!m.find()) {
      throw new IOException("no match for " + regex + " in wrk's output:\n" + output);
    }
    return m.group(1);
  }

  /** wrk's "123.45us", "1.20ms" or "2.00s" in µs. */
  private static double micros(String value) {
    Matcher m = Pattern.compile("([0-9.]+)([a-z]+)").matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a wrk duration: " + value);
    }
    double number = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> number;
      case "ms" -> number * 1_000;
      case "s" -> number * 1_000_000;
      default -> throw new IllegalArgumentException("not a wrk duration: " + value);
    };
  }
}
