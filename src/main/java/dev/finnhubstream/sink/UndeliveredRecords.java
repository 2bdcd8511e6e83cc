package dev.finnhubstream.sink;

import dev.finnhubstream.log.SampledLog;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a record goes when Kafka does not take it, so that none leaves silently: to the spill buffer
 * ({@code spilled}), or, when its budget is spent or it cannot be written, nowhere ({@code dropped}); a record Kafka
 * refuses for good ({@code failed}: too large, invalid) is not retried. Each is counted in {@link DeliveryStats}
 * and logged (every one of the first ten, then at each power of two, so a long outage cannot flood the log).
 * Delivery thread only.
 */
final class UndeliveredRecords {

  private static final Logger LOGGER = LoggerFactory.getLogger(UndeliveredRecords.class);

  private final SpillBuffer spill;
  private final DeliveryStats stats;

  UndeliveredRecords(SpillBuffer spill, DeliveryStats stats) {
    this.spill = spill;
    this.stats = stats;
  }

  /** Appends {@code r} to the spill buffer, or drops it when that is full or unwritable. */
  void toSpillBuffer(OutboundRecord r) {
    boolean written;
    try {
      written = spill.append(r);
    } catch (UncheckedIOException e) {
      stats.lastError = e.getMessage() + ": " + e.getCause();
      written = false;
    }
    if (written) {
      stats.spilledToDisk.increment();
      return;
    }
    stats.dropped(r);
    long dropped = stats.dropped.sum();
    if (SampledLog.shouldLog(dropped)) {
      LOGGER.error("Dropped {} {} (key {}): the disk buffer is full ({} of {} bytes) or unwritable; {} dropped so far",
        kind(r), r.id(), r.keyText(), spill.sizeBytes(), spill.maxBytes(), dropped);
    }
  }

  /** The producer accepted {@code r} and then failed it with a retriable error: the caller spills it to be sent again. */
  void requeue(OutboundRecord r, Exception error) {
    stats.requeued.increment();
    stats.lastError = error.toString();
    LOGGER.warn("Kafka failed {} after accepting it ({}): it goes to the disk buffer to be sent again", r.id(), error.toString());
  }

  /** Kafka refused {@code r} for good: counted as failed, never retried. */
  void rejected(OutboundRecord r, Exception e) {
    stats.failed.increment();
    stats.lastError = e.toString();
    long failed = stats.failed.sum();
    if (SampledLog.shouldLog(failed)) {
      LOGGER.error("Kafka rejected {} {} (key {}) for good, not retrying: {} ({} rejected so far)",
        kind(r), r.id(), r.keyText(), e.toString(), failed);
    }
  }

  private static String kind(OutboundRecord r) {
    return switch (r.kind()) {
      case TRADE -> "trade";
      case DEAD_LETTER -> "dead letter";
      case GAP -> "gap";
    };
  }
}
