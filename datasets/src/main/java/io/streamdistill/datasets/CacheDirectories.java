package io.streamdistill.datasets;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How everything in the cache (data sets, trained teachers) is written: into a partial directory
 * beside its final place, then renamed into place in one atomic step, so a reader never sees a
 * half-written entry and a killed writer leaves only a partial directory behind.
 */
public final class CacheDirectories {
  private static final Logger LOGGER = LoggerFactory.getLogger(CacheDirectories.class);

  private CacheDirectories() {}

  /**
   * Renames the finished {@code work} directory to {@code target} (same parent file system).
   * With {@code replace}, an existing target is renamed aside first and deleted afterwards (a
   * directory cannot replace another in one step). Without it, or when another process placed the
   * same entry at the same moment, the existing target wins: it is just as complete.
   *
   * @return true if {@code work} was placed, false if an existing target was kept
   * @throws IOException if the rename fails, or the file system cannot rename atomically (a copy
   *     would not be atomic, so there is no fallback)
   */
  public static boolean moveIntoPlace(Path work, Path target, boolean replace) throws IOException {
    Path old = null;
    try {
      if (replace && Files.exists(target)) {
        old = target.resolveSibling(".old-" + target.getFileName() + "-" + System.nanoTime());
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + target.getParent() + " cannot rename atomically: " + e, e);
    } catch (IOException e) {
      if (Files.isDirectory(target)) {
        LOGGER.atDebug().addKeyValue("dir", target).log("another process placed the same entry first; keeping it");
        return false;
      }
      throw e;
    } finally {
      if (old != null) {
        deleteRecursively(old);
      }
    }
  }

  /**
   * Deletes the partial directories in {@code parent} whose names match {@code glob} and that were last
   * modified more than {@code age} ago: what a killed writer left (a live one's is younger). A failure
   * to look is logged, not thrown.
   */
  public static void removeStale(Path parent, String glob, Duration age) {
    Instant staleBefore = Instant.now().minus(age);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, glob)) {
      for (Path partial : entries) {
        if (Files.getLastModifiedTime(partial).toInstant().isBefore(staleBefore)) {
          LOGGER.atInfo().addKeyValue("dir", partial).log("removing a partial directory left by a killed process");
          deleteRecursively(partial);
        }
      }
    } catch (IOException e) {
      LOGGER.atWarn().addKeyValue("dir", parent).log("could not look for stale partial directories: " + e);
    }
  }

  /** Deletes a directory tree; a tree that is already gone is fine, a failure is logged, not thrown. */
  public static void deleteRecursively(Path dir) {
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.delete(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (NoSuchFileException e) {
      // already gone (e.g. moved into place)
    } catch (IOException e) {
      LOGGER.atWarn().addKeyValue("dir", dir).log("could not delete a temporary directory: " + e);
    }
  }
}
