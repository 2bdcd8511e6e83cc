package dev.finnhubstream.sink;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Kafka writer's answer on {@link dev.finnhubstream.bus.Addresses#STATUS_SINK}: an immutable copy of its
 * counters, taken on its event loop. The status endpoint turns it into the {@code kafka} part of {@code /status};
 * the metrics verticle reads its meters and the producer's health from it.
 *
 * @param delivery         the delivery's state: mode, queue, in flight, disk buffer
 * @param received         trades taken from the event bus
 * @param acked            trades acknowledged by Kafka
 * @param failed           records Kafka refused for good
 * @param paused           whether this writer has asked Finnhub reading to pause
 * @param pauses           times it did
 * @param peakQueuedBytes  the queue's high-water mark since start
 * @param peakInFlightBytes the producer's high-water mark since start
 * @param ackedBySymbol    trades acknowledged per symbol, sorted by symbol (more than a bound summed as "other")
 * @param lastError        the latest delivery error, or {@code null}
 */
public record SinkStatus(Delivery delivery, String topic, String deadLetterTopic, String bootstrapServers, long received,
                         long acked, long failed, boolean paused, long pauses, long peakQueuedBytes, long peakInFlightBytes,
                         Limits limits, DeadLetters deadLetters, Latency ackLatency, Latency sendLatency,
                         Map<String, Long> ackedBySymbol, String lastError) {

  public SinkStatus {
    ackedBySymbol = sorted(ackedBySymbol);
  }

  /** Trades received and not (yet) acknowledged. */
  public long unacked() {
    return received - acked;
  }

  /** Whether Kafka does not acknowledge and new records go to the disk buffer. */
  public boolean outage() {
    return KafkaDelivery.Mode.OUTAGE.name().equals(delivery.mode());
  }

  /**
   * @param mode            {@code DIRECT}, {@code REPLAYING} or {@code OUTAGE} (see {@link KafkaDelivery})
   * @param inFlightRecords records handed to the producer and not yet acknowledged or failed
   */
  public record Delivery(String mode, long queuedBytes, long inFlightBytes, long inFlightRecords, long outages, long requeued,
                         DiskBufferStatus diskBuffer) {
  }

  /**
   * @param dropped       records of every kind that did not fit (trades, dead letters, gap records)
   * @param droppedTrades the trades among them: what is missing from the trades topic
   * @param previousRun   what a process that did not close the buffer may have lost, or {@code null}
   */
  public record DiskBufferStatus(long bytes, long records, long maxBytes, long spilled, long replayed, long dropped,
                                 long droppedTrades, PreviousRun previousRun) {
  }

  /** A process that stopped without closing the disk buffer, as of its last checkpoint. */
  public record PreviousRun(long checkpointAtMs, long received, long heldInMemory) {
  }

  /** The configured bounds, shown next to the figures they bound. */
  public record Limits(long maxInFlightBytes, long queueLowWatermarkBytes, long queueHighWatermarkBytes, long queueMaxBytes) {
  }

  /** @param byReason dead letters received per reason, sorted by reason */
  public record DeadLetters(long received, long acked, Map<String, Long> byReason) {

    public DeadLetters {
      byReason = sorted(byReason);
    }
  }

  /**
   * A latency histogram in milliseconds: summary, plus the non-empty buckets in ascending order.
   *
   * @param p50 {@code null} (like p99, p999 and max) while nothing was recorded
   */
  public record Latency(long count, Long p50, Long p99, Long p999, Long max, long sumMs, List<Bucket> buckets) {

    public Latency {
      buckets = List.copyOf(buckets);
    }
  }

  /** {@code count} values at or below {@code boundMs}; or, for the overflow bucket, above it. */
  public record Bucket(long boundMs, boolean overflow, long count) {
  }

  private static Map<String, Long> sorted(Map<String, Long> map) {
    return Collections.unmodifiableMap(new TreeMap<>(map));
  }
}
