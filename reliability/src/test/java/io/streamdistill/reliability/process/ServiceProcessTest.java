package io.streamdistill.reliability.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.reliability.CampaignException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Child JVMs of this test's class path running {@link Service}, a stand-in with the real services' shape. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ServiceProcessTest {
  /** Says it is up, runs until its JVM is told to exit; its shutdown hook says it stopped, then lingers if asked. */
  public static final class Service {
    public static void main(String[] args) throws InterruptedException {
      long lingerMillis = args.length > 0 ? Long.parseLong(args[0]) : 0;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        System.out.println("service stopped");
        System.out.flush();
        try {
          Thread.sleep(lingerMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
      System.out.println("service started");
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  private static ServiceProcess start(Path dir, String... args) {
    return ServiceProcess.start("service", List.of("-Xmx64m"), Service.class.getName(), List.of(args),
        dir.resolve("service.log"));
  }

  @Test
  void shouldStopCleanlyWhenItsStandardInputCloses(@TempDir Path dir) {
    try (ServiceProcess process = start(dir)) {
      process.awaitLog("service started", Duration.ofSeconds(30));
      process.stop(Duration.ofSeconds(20));
      assertFalse(process.isAlive());
      assertEquals(0, process.exitCode());
      assertTrue(process.logContains("service stopped"), "its shutdown hook ran");
    }
  }

  @Test
  void shouldKillWithoutRunningTheShutdownHook(@TempDir Path dir) {
    try (ServiceProcess process = start(dir)) {
      process.awaitLog("service started", Duration.ofSeconds(30));
      process.kill();
      assertFalse(process.isAlive());
      assertNotEquals(0, process.exitCode());
      assertFalse(process.logContains("service stopped"), "SIGKILL runs no hook");
    }
  }

  @Test
  void shouldNotWaitForAJvmThatLingersAfterItsServiceStopped(@TempDir Path dir) {
    try (ServiceProcess process = start(dir, "60000")) {
      process.awaitLog("service started", Duration.ofSeconds(30));
      long started = System.nanoTime();
      process.stop(Duration.ofSeconds(30), "service stopped");
      assertFalse(process.isAlive());
      assertTrue(System.nanoTime() - started < Duration.ofSeconds(15).toNanos(), "did not wait out the lingering hook");
    }
  }

  @Test
  void shouldFailAtOnceWhenTheProcessDiesBeforeTheAwaitedLine(@TempDir Path dir) {
    try (ServiceProcess process = start(dir)) {
      process.awaitLog("service started", Duration.ofSeconds(30));
      process.kill();
      CampaignException e = assertThrows(CampaignException.class,
          () -> process.awaitLog("never printed", Duration.ofMinutes(1)));
      assertTrue(e.getMessage().contains("exited with code"), e.getMessage());
    }
  }
}
