package dev.finnhubstream.sink;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The writer's counters that are not per record (those are in {@link FlowCounters}): written from the event
 * loop and the delivery thread, read by the status request on the event loop, hence atomics. Every record
 * that does not reach Kafka ends up in exactly one of {@code failed}, {@code dropped} or the disk buffer.
 */
final class DeliveryStats {

  /** Distinct dead-letter reasons tracked by name; more than this are summed under "other". */
  private static final int MAX_REASONS = 100;
  /** Distinct symbols counted by name (Finnhub sends only what we subscribed); more are summed under "other". */
  private static final int MAX_SYMBOLS = 2_000;

  final LongAdder tradesReceived = new LongAdder();
  final LongAdder deadLettersReceived = new LongAdder();
  final LongAdder gapsReceived = new LongAdder();
  private final Map<String, LongAdder> deadLettersByReason = new ConcurrentHashMap<>();
  /** Rejected by Kafka for good (e.g. too large): counted and logged, never retried. */
  final LongAdder failed = new LongAdder();
  /** Did not fit in the disk buffer's budget: counted and logged. */
  final LongAdder dropped = new LongAdder();
  /** The trades among {@link #dropped}: a feed gap's or a dead letter's record dropped in an outage is no trade lost. */
  final LongAdder droppedTrades = new LongAdder();

  /** Counts a record that did not fit in the disk buffer, in {@link #dropped} and, if a trade, {@link #droppedTrades}. */
  void dropped(OutboundRecord r) {
    dropped.increment();
    if (r.kind() == OutboundRecord.Kind.TRADE) {
      droppedTrades.increment();
    }
  }
  final LongAdder spilledToDisk = new LongAdder();
  final LongAdder replayedFromDisk = new LongAdder();
  /** Accepted by the producer, then failed (not for good): written to the disk buffer to be sent again. */
  final LongAdder requeued = new LongAdder();
  final LongAdder outages = new LongAdder();
  final LongAdder pauses = new LongAdder();
  final AtomicLong peakQueuedBytes = new AtomicLong();
  final AtomicLong peakInFlightBytes = new AtomicLong();
  final LatencyHistogram ackLatency = new LatencyHistogram();
  /** Acknowledgement time minus the time the record was handed to the producer. */
  final LatencyHistogram sendLatency = new LatencyHistogram();
  /** Trades acknowledged, per symbol (for the metrics verticle's per-symbol written counts); producer I/O thread only. */
  private final Map<String, LongAdder> ackedBySymbol = new ConcurrentHashMap<>();
  volatile String lastError;

  void deadLetterReceived(String reason) {
    deadLettersReceived.increment();
    LongAdder counter = deadLettersByReason.get(reason);
    if (counter == null) {
      String key = deadLettersByReason.size() < MAX_REASONS ? reason : "other";
      counter = deadLettersByReason.computeIfAbsent(key, k -> new LongAdder());
    }
    counter.increment();
  }

  /** Producer I/O thread only (single writer). */
  void tradeAcked(String symbol) {
    LongAdder counter = ackedBySymbol.get(symbol);
    if (counter == null) {
      counter = ackedBySymbol.computeIfAbsent(ackedBySymbol.size() < MAX_SYMBOLS ? symbol : "other", k -> new LongAdder());
    }
    counter.increment();
  }

  /** Trades acknowledged per symbol (copied: the record it goes into is immutable). */
  Map<String, Long> ackedBySymbol() {
    Map<String, Long> out = new HashMap<>();
    ackedBySymbol.forEach((symbol, count) -> out.put(symbol, count.sum()));
    return out;
  }

  SinkStatus.DeadLetters deadLetters(long acked) {
    Map<String, Long> byReason = new HashMap<>();
    deadLettersByReason.forEach((reason, count) -> byReason.put(reason, count.sum()));
    return new SinkStatus.DeadLetters(deadLettersReceived.sum(), acked, byReason);
  }

  static void raise(AtomicLong peak, long value) {
    if (value > peak.get()) {
      peak.accumulateAndGet(value, Math::max);
    }
  }
}
