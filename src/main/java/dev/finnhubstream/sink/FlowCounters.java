package dev.finnhubstream.sink;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The delivery's per-record counters. Each is written by exactly one thread and read by the others, so a
 * write is a plain add and an ordered store, never a locked read-modify-write; and each writing thread's
 * counters sit on their own cache lines, so the event loop, the delivery thread and the producer's I/O
 * thread do not keep stealing one line from each other (the benchmark's profile showed that traffic). Derived
 * values subtract one thread's counter from another's, e.g. queued = offered − taken.
 */
final class FlowCounters {

  /** 16 longs = 128 bytes: two cache lines between groups, also against adjacent prefetching. */
  private static final int STRIDE = 16;

  // Event loop (KafkaWriterVerticle's context).
  static final int OFFERED_BYTES = STRIDE;
  /** The one slot with several writers (mostly the event loop): a stamp of "something happened". */
  private static final int WAKEUPS = OFFERED_BYTES + 1;
  // Delivery thread.
  static final int TAKEN_BYTES = 2 * STRIDE;
  static final int STAGED_BYTES = TAKEN_BYTES + 1;
  static final int SENT_RECORDS = TAKEN_BYTES + 2;
  static final int SENT_BYTES = TAKEN_BYTES + 3;
  // Producer I/O thread (completion callbacks).
  static final int COMPLETED_RECORDS = 3 * STRIDE;
  static final int COMPLETED_BYTES = COMPLETED_RECORDS + 1;
  static final int TRADES_ACKED = COMPLETED_RECORDS + 2;
  static final int DEAD_LETTERS_ACKED = COMPLETED_RECORDS + 3;
  static final int GAPS_ACKED = COMPLETED_RECORDS + 4;

  private final AtomicLongArray slots = new AtomicLongArray(5 * STRIDE);

  /** Only the slot's one writing thread may call this. */
  void add(int slot, long delta) {
    slots.lazySet(slot, slots.get(slot) + delta);
  }

  long get(int slot) {
    return slots.get(slot);
  }

  /** Any thread. */
  void wakeup() {
    slots.incrementAndGet(WAKEUPS);
  }

  long wakeups() {
    return slots.get(WAKEUPS);
  }

  /** Accepted by the writer, not yet handed to the producer or the disk buffer. */
  long queuedBytes() {
    return get(OFFERED_BYTES) - get(TAKEN_BYTES) + get(STAGED_BYTES);
  }

  long inFlightBytes() {
    return get(SENT_BYTES) - get(COMPLETED_BYTES);
  }

  long inFlightRecords() {
    return get(SENT_RECORDS) - get(COMPLETED_RECORDS);
  }

  long acks() {
    return get(TRADES_ACKED) + get(DEAD_LETTERS_ACKED) + get(GAPS_ACKED);
  }
}
