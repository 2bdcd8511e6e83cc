package dev.finnhubstream.sink;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the delivery thread when Kafka is away and when it is back, from what the producer does: no
 * acknowledgement for {@code outage_after_ms} while records are outstanding, or sends refused that long (the
 * producer runs with {@code max.block.ms=0}, so a broker it cannot reach shows as refusals, not as a blocked
 * thread), means away; the first acknowledgement after that means back. During an outage nothing may be left in
 * the producer's hands to bring that acknowledgement, so it also paces the probe records sent to find out.
 *
 * <p>It observes, counts and logs outages; {@link KafkaDelivery} changes modes. Delivery thread only. Times are {@code System.nanoTime()}
 * values (or a test clock's).
 */
final class OutageDetector {

  private static final Logger LOGGER = LoggerFactory.getLogger(OutageDetector.class);

  private static final long MAX_PROBE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final long afterMs;
  private final long afterNanos;
  private final long probeIntervalNanos;
  private final DeliveryStats stats;

  private long seenAcks;
  /** Last acknowledgement, or the last send into an idle producer: silence is measured from it. */
  private long lastProgressNanos;
  /** Since when sends are refused; 0 while they are taken. */
  private long refusedSinceNanos;
  private String lastRefusal;
  private long nextProbeNanos;
  private long startedNanos;

  OutageDetector(long outageAfterMs, DeliveryStats stats, long now) {
    this.stats = stats;
    this.afterMs = outageAfterMs;
    this.afterNanos = TimeUnit.MILLISECONDS.toNanos(outageAfterMs);
    this.probeIntervalNanos = Math.min(afterNanos, MAX_PROBE_INTERVAL_NANOS);
    this.lastProgressNanos = now;
  }

  /** The producer took a record (or rejected it for good: it answered). */
  void taken(long now, boolean producerWasIdle) {
    if (producerWasIdle) {
      lastProgressNanos = now;
    }
    refusedSinceNanos = 0;
  }

  void refused(long now, Exception refusal) {
    if (refusedSinceNanos == 0) {
      refusedSinceNanos = now;
    }
    lastRefusal = refusal.toString();
  }

  /** True while the last send was refused: the caller retries soon. */
  boolean refusing() {
    return refusedSinceNanos != 0;
  }

  /** Why Kafka counts as away when sends have been refused for {@code outage_after_ms}; else null. */
  String refusedTooLong(long now) {
    return now - refusedSinceNanos >= afterNanos
      ? "Kafka has refused records for " + afterMs + " ms (" + lastRefusal + ")"
      : null;
  }

  /** True when acknowledgements arrived since the last look ({@code acks} is the running total). */
  boolean acknowledged(long acks, long now) {
    if (acks == seenAcks) {
      return false;
    }
    seenAcks = acks;
    lastProgressNanos = now;
    return true;
  }

  /** Why Kafka counts as away when records are outstanding and nothing was acknowledged for too long; else null. */
  String silentTooLong(long now, long outstandingRecords) {
    return outstandingRecords > 0 && now - lastProgressNanos > afterNanos
      ? "no acknowledgement from Kafka for " + afterMs + " ms with " + outstandingRecords + " records outstanding"
      : null;
  }

  void outageStarted(long now, String reason) {
    refusedSinceNanos = 0;
    nextProbeNanos = now + probeIntervalNanos;
    startedNanos = now;
    stats.outages.increment();
    stats.lastError = reason;
    LOGGER.warn("Kafka outage: {}. New records go to the disk buffer until Kafka acknowledges again", reason);
  }

  void outageEnded(long now, long bufferedRecords) {
    LOGGER.info("Kafka acknowledges again after {} ms; {} buffered records to replay",
      TimeUnit.NANOSECONDS.toMillis(now - startedNanos), bufferedRecords);
  }

  /** True (and the next probe scheduled) when a probe is due. */
  boolean probeDue(long now) {
    if (now - nextProbeNanos < 0) {
      return false;
    }
    nextProbeNanos = now + probeIntervalNanos;
    return true;
  }

  /** How long the delivery thread may sleep, at most {@code wait}, without missing a decision of this detector. */
  long nextCheckWithin(long now, long wait, boolean outage, long outstandingRecords) {
    if (outage) {
      return Math.min(wait, nextProbeNanos - now);
    }
    return outstandingRecords > 0 ? Math.min(wait, lastProgressNanos + afterNanos - now) : wait;
  }
}
