package dev.finnhubstream.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crash report of a disk buffer directory. While a process uses the directory, a {@code running} file holds
 * its last checkpoint: what it held in memory, which a crash loses. A clean stop deletes the file. Finding it at
 * start-up means the previous process stopped without closing the buffer (kill -9, out of memory, power loss):
 * what that process may have lost is logged, and kept as a {@link SinkStatus.PreviousRun} for the status endpoint, because
 * a crash must not be silent about what it lost.
 *
 * <p>A clean stop leaves a {@code stopped} file with its time instead: the next start records the time the
 * service was down as a feed gap from then ({@code service_stopped}), as it records a crash's from the last
 * checkpoint.
 */
final class CrashCheckpoint {

  private static final Logger LOGGER = LoggerFactory.getLogger(CrashCheckpoint.class);

  /** How often the writer checkpoints (with every flush of the disk buffer): the window a crash report cannot see. */
  static final long EVERY_MS = 200;
  private static final String RUNNING = "running";
  private static final String STOPPED = "stopped";

  private final Path dir;

  CrashCheckpoint(Path dir) {
    this.dir = dir;
  }

  /** What the last process that used the directory left, logged; null if it stopped cleanly (or never ran). */
  SinkStatus.PreviousRun readPreviousRun() throws IOException {
    Path file = dir.resolve(RUNNING);
    if (!Files.exists(file)) {
      return null;
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    String[] parts = text.split(" ");
    SinkStatus.PreviousRun run;
    try {
      run = new SinkStatus.PreviousRun(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
    } catch (RuntimeException e) {
      // Torn by the crash itself (the write is atomic, so only a damaged disk does this): the crash is still known.
      run = new SinkStatus.PreviousRun(Files.getLastModifiedTime(file).toMillis(), -1, -1);
    }
    LOGGER.warn("Disk buffer {}: the previous run stopped without a clean shutdown (kill -9, out of memory, power loss)."
        + " At its last checkpoint ({}) it had received {} trades and held about {} in memory only, neither acknowledged by"
        + " Kafka nor on disk: those are lost, with what it received after that checkpoint (at most {} ms). What it wrote"
        + " to this buffer is replayed.", dir, Instant.ofEpochMilli(run.checkpointAtMs()), run.received(),
      run.heldInMemory(), EVERY_MS);
    return run;
  }

  /**
   * When the last process that used the directory stopped cleanly, or {@code null} (never, or a crash came after:
   * {@link #readPreviousRun()} then reports it). Read before this process writes its first checkpoint.
   */
  Long readPreviousStop() throws IOException {
    Path file = dir.resolve(STOPPED);
    if (!Files.exists(file) || Files.exists(dir.resolve(RUNNING))) {
      return null;
    }
    try {
      return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip());
    } catch (NumberFormatException e) {
      return Files.getLastModifiedTime(file).toMillis();
    }
  }

  /** Writes the checkpoint atomically: a crash leaves either the previous one or this one, never half of one. */
  void write(long received, long heldInMemory) {
    try {
      Path tmp = dir.resolve(RUNNING + ".tmp");
      Files.writeString(tmp, System.currentTimeMillis() + " " + received + " " + heldInMemory + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, dir.resolve(RUNNING), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the checkpoint of the disk buffer in " + dir, e);
    }
  }

  /** A clean stop: everything held is delivered or on disk, nothing for the next start to report. */
  void clear(long stoppedAtMs) throws IOException {
    Path tmp = dir.resolve(STOPPED + ".tmp");
    Files.writeString(tmp, stoppedAtMs + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, dir.resolve(STOPPED), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.deleteIfExists(dir.resolve(RUNNING));
  }
}
