package io.streamdistill.teacher;

import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.CpuSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One measured run of a Kafka Streams application in {@link TeacherBenchmark}: one or more instances of it (the same
 * application id, a state directory each, as separate processes would have), started together and counted from
 * when the first reached RUNNING until the output holds the records asked for; and where the CPU went meanwhile.
 */
final class StreamsRun {
  private StreamsRun() {}

  /** The instances of one application, started and closed together. */
  record Instances(List<KafkaStreams> all) implements AutoCloseable {
    /**
     * {@code count} instances with {@code props}, each with its own {@code state.dir} (the given one, suffixed by
     * the instance's number past the first).
     */
    static Instances of(int count, Properties props, Function<Properties, KafkaStreams> instance) {
      List<KafkaStreams> all = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        Properties own = new Properties();
        own.putAll(props);
        if (i > 0) {
          own.put("state.dir", props.getProperty("state.dir") + "-instance-" + i);
        }
        all.add(instance.apply(own));
      }
      return new Instances(List.copyOf(all));
    }

    void start() {
      all.forEach(KafkaStreams::start);
    }

    @Override
    public void close() {
      all.forEach(KafkaStreams::close);
    }
  }

  /**
   * When the first instance of an application reached RUNNING ({@link System#nanoTime}), and the CPU used until
   * then (of this JVM, its threads and {@code pids}); made before it starts.
   */
  static final class RunningSince {
    private final CountDownLatch reached = new CountDownLatch(1);
    private long nanos;
    private CpuSample cpu;
    private long[] machine;

    RunningSince(Instances app, long... pids) {
      for (KafkaStreams streams : app.all()) {
        streams.setStateListener((now, before) -> {
          if (now == KafkaStreams.State.RUNNING) {
            first(pids);
          }
        });
      }
    }

    private synchronized void first(long... pids) {
      if (nanos == 0) {
        cpu = CpuSample.take(pids);
        machine = MachineCpu.read();
        nanos = System.nanoTime();
        reached.countDown();
      }
    }

    boolean await(Duration timeout) throws InterruptedException {
      return reached.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    synchronized long nanos() {
      return nanos;
    }

    synchronized CpuSample cpu() {
      return cpu;
    }

    synchronized long[] machine() {
      return machine;
    }
  }

  /**
   * Where the CPU went from RUNNING to the last record read, in core-µs per record: the application's
   * stream threads, the service's inference threads, the rest of its JVM (PyTorch's other intra-op
   * threads, Kafka's network threads, GC, JIT), the broker; the benchmark's own reading of the output
   * (its main thread, not counted in the total); and the machine's busy cores.
   */
  record CpuUse(double streamThreads, double inferenceThreads, double restOfJvm, double broker,
      double counting, double busyCores) {
    static CpuUse of(CpuSample.Use use, long brokerPid, int records, double busyCores) {
      double stream = use.threadSeconds(name -> name.contains("-StreamThread-"));
      double inference = use.threadSeconds(name -> name.startsWith("teacher-inference-"));
      double counting = use.threadSeconds("main"::equals);
      double perRecord = 1e6 / records;
      return new CpuUse(stream * perRecord, inference * perRecord,
          (use.processSeconds() - stream - inference - counting) * perRecord,
          use.processSeconds(brokerPid) * perRecord, counting * perRecord, busyCores);
    }

    Map<String, Double> perRecord() {
      Map<String, Double> figures = new LinkedHashMap<>();
      figures.put("streamThreads", streamThreads);
      figures.put("inferenceThreads", inferenceThreads);
      figures.put("restOfJvm", restOfJvm);
      figures.put("broker", broker);
      figures.put("total", streamThreads + inferenceThreads + restOfJvm + broker);
      figures.put("benchmarkReadingOutput", counting);
      return figures;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "core-µs per record: stream %.1f, inference %.1f, rest of JVM %.1f,"
          + " broker %.1f (benchmark reading them %.1f); %.2f cores busy", streamThreads, inferenceThreads, restOfJvm,
          broker, counting, busyCores);
    }
  }

  /** Records/s from RUNNING and from start() to the last record read; where the CPU went from RUNNING. */
  record Counted(double perSecond, double withStartup, CpuUse cpu) {}

  /** Starts the application's instances and reads their output until {@code events}. */
  static Counted countOut(LocalStack stack, Instances app, KafkaConsumer<String, byte[]> consumer, int events,
      String name) {
    long broker = stack.broker().pid();
    RunningSince running = new RunningSince(app, broker);
    // Several stream threads or instances may still be rebalancing when a short run ends: then it counts from here.
    CpuSample startCpu = CpuSample.take(broker);
    long[] startMachine = MachineCpu.read();
    long start = System.nanoTime();
    app.start();
    int seen = 0;
    while (seen < events) {
      seen += consumer.poll(Duration.ofMillis(100)).count();
      if (System.nanoTime() - start > Duration.ofMinutes(10).toNanos()) {
        throw new IllegalStateException(name + ": only " + seen + " of " + events + " records in 10 minutes");
      }
    }
    long end = System.nanoTime();
    boolean ran = running.nanos() != 0;
    if (!ran) {
      System.out.printf("  %s: no instance reported RUNNING before the last record (rebalancing throughout);"
          + " counted from start()%n", name);
    }
    CpuUse cpu = CpuUse.of(CpuSample.take(broker).since(ran ? running.cpu() : startCpu), broker, events,
        MachineCpu.busyCoresSince(ran ? running.machine() : startMachine));
    return new Counted(events / ((end - (ran ? running.nanos() : start)) / 1e9), events / ((end - start) / 1e9), cpu);
  }
}
