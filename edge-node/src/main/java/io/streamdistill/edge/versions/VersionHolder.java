package io.streamdistill.edge.versions;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.schemas.DeploymentStatus;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.student.CascadeCalibration;
import io.streamdistill.student.StudentModel;
import io.streamdistill.student.VerificationException;
import io.streamdistill.student.VersionDeltas;
import io.streamdistill.student.VersionVerifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which student version a node serves: verifies each version offered to it before using
 * anything of it, keeps the last few verified ones for rollback, and swaps the served one
 * atomically. The Kafka follower offers what it reads; tests and embedders may offer versions
 * directly.
 *
 * <p>The rules:
 *
 * <ul>
 *   <li>A delta (a patch to its parent, {@link VersionDeltas}) is rebuilt on the newest verified version and then
 *       verified like any other; one against a version the node does not have is rejected with that reason,
 *       and the node serves what it has until the next whole version.
 *   <li>A version of another model, one that fails verification or loading, or one whose number is
 *       not newer than the newest verified one (a replay) is rejected with the reason, and the served
 *       version stays.
 *   <li>Until {@link #markCaughtUp()} (the follower read the topic to its end) verified versions are
 *       only held; then the newest is served. Afterwards each new verified version is served at
 *       once, unless the served one is pinned.
 *   <li>{@link #pin}, {@link #unpin} and {@link #rollback} move among the held versions.
 * </ul>
 *
 * <p>Thread-safety: {@link #serving()} is lock-free (a volatile read of an immutable {@link
 * Serving}), for the request path. Everything that changes what is served holds this object's
 * lock, but verification (the slow part) runs before taking it and events are published after
 * releasing it, so an admin command never waits for a load.
 *
 * <p>Its length (about 410 lines): every rule above and the lock contract live in one type on
 * purpose, so that what is served can only change under them; verification and loading are {@link
 * VersionVerifier}'s.
 */
public final class VersionHolder {
  private static final Logger LOGGER = LoggerFactory.getLogger(VersionHolder.class);

  private final String nodeId;
  private final String modelName;
  private final VersionVerifier verifier;
  private final int keep;
  private final DeploymentSink deployments;
  private final AtomicReference<Serving> serving = new AtomicReference<>();
  private final Counter loaded;
  private final Counter rejected;

  // Guarded by this.
  private final TreeMap<Long, Held> held = new TreeMap<>();
  private long newestVerified = -1;
  private boolean caughtUp;
  private String lastRejection;
  /** The newest verified version with its weight bytes: the base the next delta applies to. */
  private StudentModelVersion lastWhole;

  /**
   * A verified version in memory: only its model, not its weight bytes (those would double the memory); the
   * newest one's bytes are kept apart ({@code lastWhole}), as the base of the next delta.
   */
  private record Held(long version, StudentModel model, long loadMillis, double calibratedThreshold) {}

  /** What became of an offered version. */
  public record Outcome(Kind kind, long version, String reason) {
    /** LOADED: now served. HELD: verified and kept (catching up, or pinned). REJECTED: see the reason. */
    public enum Kind {
      LOADED, HELD, REJECTED
    }
  }

  /**
   * @param keep how many verified versions to hold in memory (the served one is never dropped)
   * @param metrics where the version meters go ({@code distill.edge.versions.*}, {@code distill.edge.version.current})
   */
  public VersionHolder(String nodeId, String modelName, VersionVerifier verifier, int keep, DeploymentSink deployments,
      MeterRegistry metrics) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1, got " + keep);
    }
    this.nodeId = nodeId;
    this.modelName = modelName;
    this.verifier = verifier;
    this.keep = keep;
    this.deployments = deployments;
    this.loaded = Counter.builder("distill.edge.versions.loaded")
        .description("student versions swapped in (verified and served)").register(metrics);
    this.rejected = Counter.builder("distill.edge.versions.rejected")
        .description("student versions rejected (verification, loading, replay, wrong model)").register(metrics);
    Gauge.builder("distill.edge.version.current", serving, s -> s.get() == null ? -1 : s.get().version())
        .description("the student version served, -1 when none").register(metrics);
  }

  /** The version served now, or null; lock-free, for the request path. */
  public Serving serving() {
    return serving.get();
  }

  /**
   * Verifies a version and, by the rules above, serves it, holds it or rejects it. Never throws for a
   * bad version: the outcome says why it was rejected, and a REJECTED deployment event is published.
   */
  public Outcome offer(StudentModelVersion version) {
    long number = version.getVersion();
    if (!modelName.equals(version.getModelName())) {
      return reject(number, "version " + number + " is of model '" + version.getModelName() + "', this node serves '"
          + modelName + "'");
    }
    String replay = replayReason(number);
    if (replay != null) {
      return reject(number, replay);
    }
    long started = System.nanoTime();
    StudentModelVersion whole = version;
    StudentModel model;
    try {
      if (VersionDeltas.isDelta(version)) {
        StudentModelVersion base;
        synchronized (this) {
          base = lastWhole;
        }
        whole = VersionDeltas.apply(version, base);
      }
      model = verifier.verify(whole).model();
    } catch (VerificationException e) {
      return reject(number, e.getMessage());
    } catch (RuntimeException e) {
      // Whatever the verifier did not foresee is still a rejection, never the end of the follower.
      return reject(number, modelName + " v" + number + " could not be loaded: " + e);
    }
    // Read from the verified version: its metrics are signed.
    Held verified = new Held(number, model, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        CascadeCalibration.threshold(whole.getMetrics()));

    DeploymentEvent event = null;
    Outcome outcome;
    synchronized (this) {
      // Checked again: another thread may have offered a newer version while this one was verified.
      replay = replayReason(number);
      if (replay == null) {
        newestVerified = number;
        lastWhole = whole;
        held.put(number, verified);
        Serving current = serving.get();
        if (!caughtUp) {
          outcome = new Outcome(Outcome.Kind.HELD, number, "held: reading the topic to its end before serving");
        } else if (current != null && current.pinned()) {
          outcome = new Outcome(Outcome.Kind.HELD, number, "held: version " + current.version() + " is pinned");
        } else {
          serve(verified, false);
          loaded.increment();
          event = event(DeploymentStatus.LOADED, number, null, current == null ? null : current.version(),
              verified.loadMillis());
          outcome = new Outcome(Outcome.Kind.LOADED, number, null);
        }
        evict();
      } else {
        outcome = null;
      }
    }
    if (outcome == null) {
      return reject(number, replay);
    }
    if (event != null) {
      logLoaded(event);
      deployments.publish(event);
    } else {
      LOGGER.atInfo().addKeyValue("modelName", modelName).addKeyValue("modelVersion", number)
          .addKeyValue("loadMillis", verified.loadMillis()).addKeyValue("reason", outcome.reason())
          .log("student version verified and held");
    }
    return outcome;
  }

  /**
   * Rejects a record that could not even be read as a version (bad bytes, unknown schema); its
   * REJECTED event carries version -1, since no version number could be read.
   */
  public Outcome rejectUnreadable(String reason) {
    return reject(-1, reason);
  }

  /**
   * The follower has read the topic to its end: serve the newest verified version, if there is one.
   * Until then the node serves nothing, so that it never starts with an old version and swaps a
   * moment later.
   */
  public void markCaughtUp() {
    DeploymentEvent event = null;
    synchronized (this) {
      if (caughtUp) {
        return;
      }
      caughtUp = true;
      if (serving.get() == null && !held.isEmpty()) {
        Held newest = held.lastEntry().getValue();
        serve(newest, false);
        loaded.increment();
        event = event(DeploymentStatus.LOADED, newest.version(), null, null, newest.loadMillis());
      }
    }
    LOGGER.atInfo().addKeyValue("modelName", modelName).addKeyValue("heldVersions", status().heldVersions())
        .log("caught up with the student-models topic");
    if (event != null) {
      logLoaded(event);
      deployments.publish(event);
    }
  }

  /**
   * Serves {@code version} (default: the one served now) and holds it: newer versions are verified
   * and held, not served, until {@link #unpin()}.
   *
   * @throws AdminCommandException when nothing is served yet or the version is not held
   */
  public ServingStatus pin(OptionalLong version) {
    DeploymentEvent event;
    synchronized (this) {
      Serving current = requireServing();
      long target = version.orElse(current.version());
      Held chosen = requireHeld(target);
      if (current.pinned() && current.version() == target) {
        return status();
      }
      if (current.version() == target) {
        serving.set(new Serving(target, current.model(), true, current.since(), current.calibratedThreshold()));
      } else {
        serve(chosen, true);
      }
      event = event(DeploymentStatus.PINNED, target, null, current.version(), null);
    }
    LOGGER.atInfo().addKeyValue("modelName", modelName).addKeyValue("modelVersion", event.getVersion())
        .addKeyValue("previousVersion", event.getPreviousVersion()).log("student version pinned");
    deployments.publish(event);
    return status();
  }

  /**
   * Lifts a pin; when a newer version than the pinned one is held, it is served at once. Does
   * nothing when nothing is pinned.
   */
  public ServingStatus unpin() {
    List<DeploymentEvent> events = new ArrayList<>();
    synchronized (this) {
      Serving current = serving.get();
      if (current == null || !current.pinned()) {
        return status();
      }
      events.add(event(DeploymentStatus.UNPINNED, current.version(), null, null, null));
      Held newest = held.lastEntry().getValue();
      if (newest.version() > current.version()) {
        serve(newest, false);
        loaded.increment();
        events.add(event(DeploymentStatus.LOADED, newest.version(), null, current.version(), newest.loadMillis()));
      } else {
        serving.set(new Serving(current.version(), current.model(), false, current.since(),
            current.calibratedThreshold()));
      }
    }
    LOGGER.atInfo().addKeyValue("modelName", modelName).addKeyValue("modelVersion", events.get(0).getVersion())
        .log("student version unpinned");
    for (DeploymentEvent event : events) {
      if (event.getStatus() == DeploymentStatus.LOADED) {
        logLoaded(event);
      }
      deployments.publish(event);
    }
    return status();
  }

  /**
   * Serves a held version, by default the newest one older than the served one. A pin stays (on the
   * version rolled back to); without a pin, the next new version is served when it arrives.
   *
   * @throws AdminCommandException when nothing is served, the version is not held, is the one served,
   *     or there is no older one
   */
  public ServingStatus rollback(OptionalLong version) {
    DeploymentEvent event;
    synchronized (this) {
      Serving current = requireServing();
      long target;
      if (version.isPresent()) {
        target = version.getAsLong();
        if (target == current.version()) {
          throw new AdminCommandException(AdminCommandException.Kind.CONFLICT, "version " + target
              + " is already served");
        }
      } else {
        Long older = held.lowerKey(current.version());
        if (older == null) {
          throw new AdminCommandException(AdminCommandException.Kind.CONFLICT, "no version older than "
              + current.version() + " is held (held: " + held.keySet() + ")");
        }
        target = older;
      }
      serve(requireHeld(target), current.pinned());
      event = event(DeploymentStatus.ROLLED_BACK, target, null, current.version(), null);
    }
    LOGGER.atInfo().addKeyValue("modelName", modelName).addKeyValue("modelVersion", event.getVersion())
        .addKeyValue("previousVersion", event.getPreviousVersion()).log("student version rolled back");
    deployments.publish(event);
    return status();
  }

  public synchronized ServingStatus status() {
    Serving current = serving.get();
    return new ServingStatus(nodeId, modelName, caughtUp, current == null ? -1 : current.version(),
        current != null && current.pinned(), current == null ? null : current.since(), new ArrayList<>(held.keySet()),
        lastRejection);
  }

  /** Why nothing is served, in words for a 503 answer. */
  public synchronized String notServingReason() {
    if (!caughtUp) {
      return "no student version of model '" + modelName + "' is loaded yet: reading the student-models topic from"
          + " the beginning (" + held.size() + " verified so far)";
    }
    return "no valid student version of model '" + modelName + "' has been published yet"
        + (lastRejection == null ? "" : "; the last one was rejected: " + lastRejection);
  }

  private synchronized String replayReason(long number) {
    if (number <= newestVerified) {
      return "replay: version " + number + " is not newer than version " + newestVerified
          + ", the newest this node has verified";
    }
    return null;
  }

  private Outcome reject(long number, String reason) {
    Serving current;
    synchronized (this) {
      lastRejection = reason;
      current = serving.get();
    }
    rejected.increment();
    LOGGER.atWarn().addKeyValue("modelName", modelName).addKeyValue("modelVersion", number)
        .addKeyValue("servedVersion", current == null ? null : current.version()).addKeyValue("reason", reason)
        .log("student version rejected");
    deployments.publish(event(DeploymentStatus.REJECTED, number, reason, current == null ? null : current.version(),
        null));
    return new Outcome(Outcome.Kind.REJECTED, number, reason);
  }

  /** Swaps the served snapshot: one reference write, which requests see on their next read. */
  private void serve(Held version, boolean pinned) {
    serving.set(new Serving(version.version(), version.model(), pinned, Instant.now(), version.calibratedThreshold()));
  }

  /** Drops the oldest held versions beyond {@code keep}, but never the one served. */
  private void evict() {
    Serving current = serving.get();
    while (held.size() > keep) {
      Long oldest = held.firstKey();
      if (current != null && oldest == current.version()) {
        oldest = held.higherKey(oldest);
      }
      held.remove(oldest);
    }
  }

  private Serving requireServing() {
    Serving current = serving.get();
    if (current == null) {
      throw new AdminCommandException(AdminCommandException.Kind.CONFLICT, notServingReason());
    }
    return current;
  }

  private Held requireHeld(long version) {
    Held chosen = held.get(version);
    if (chosen == null) {
      throw new AdminCommandException(AdminCommandException.Kind.NOT_HELD, "version " + version
          + " is not held in memory (held: " + held.keySet() + ")");
    }
    return chosen;
  }

  private DeploymentEvent event(DeploymentStatus status, long version, String reason, Long previous, Long loadMillis) {
    return DeploymentEvent.newBuilder()
        .setNodeId(nodeId)
        .setModelName(modelName)
        .setVersion(version)
        .setStatus(status)
        .setReason(reason)
        .setPreviousVersion(previous)
        .setLoadMillis(loadMillis)
        .setTimestamp(Instant.now())
        .build();
  }

  private void logLoaded(DeploymentEvent event) {
    LOGGER.atInfo().addKeyValue("modelName", modelName).addKeyValue("modelVersion", event.getVersion())
        .addKeyValue("previousVersion", event.getPreviousVersion()).addKeyValue("loadMillis", event.getLoadMillis())
        .log("student version loaded");
  }
}
