package dev.finnhubstream.sink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The records in the producer's hands, in the order they were sent. Kafka completes them per partition, so out
 * of that order; but a record read back from the {@link SpillBuffer} may be acknowledged there only once every
 * record read before it is (the buffer keeps one cursor, which a restart resumes from). So completed records
 * leave only from the head of the window, and a record still pending holds back the buffer's acknowledgement of
 * all that follow it: a stop then sends those again, never skips one.
 *
 * <p>The delivery thread sends and retires; the producer's I/O thread completes (see {@link Pending}). The bytes
 * and records in the window are counted in {@link FlowCounters}; the delivery thread keeps them within
 * {@code max_in_flight_bytes} ({@link #isFull()}).
 */
final class InFlightWindow {

  enum SendResult {
    /** In the producer's hands. */
    SENT,
    /** Not taken now (no metadata yet, buffer full): to be sent again later. */
    REFUSED,
    /** Refused for good ({@link #isPermanent}): it will never be taken. */
    REJECTED
  }

  /** A record the producer accepted and then failed: the delivery thread sends it to the disk buffer or counts it. */
  record Failure(OutboundRecord record, Exception error) {
  }

  private static final int PENDING = 0;
  private static final int ACKED = 1;
  private static final int FAILED = 2;

  private final Producer<byte[], byte[]> producer;
  private final String tradeTopic;
  private final String deadLetterTopic;
  private final String gapTopic;
  private final long maxBytes;
  private final FlowCounters flow;
  private final DeliveryStats stats;
  /** The delivery thread: a completion on it comes from inside send(), which means a refusal. */
  private final Thread deliveryThread;
  private final Runnable wakeDeliveryThread;
  private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
  private final ConcurrentLinkedQueue<Pending> failures = new ConcurrentLinkedQueue<>();
  /** Records in the window that were read from the spill buffer (delivery thread only). */
  private int replayed;
  /** Set while the delivery thread waits for acknowledgements (full window, outage): only then do they wake it. */
  private volatile boolean wantAcks;
  private Exception lastRefusal;

  InFlightWindow(Producer<byte[], byte[]> producer, String tradeTopic, String deadLetterTopic, String gapTopic, long maxBytes,
                 FlowCounters flow, DeliveryStats stats, Thread deliveryThread, Runnable wakeDeliveryThread) {
    this.maxBytes = maxBytes;
    this.producer = producer;
    this.tradeTopic = tradeTopic;
    this.deadLetterTopic = deadLetterTopic;
    this.gapTopic = gapTopic;
    this.flow = flow;
    this.stats = stats;
    this.deliveryThread = deliveryThread;
    this.wakeDeliveryThread = wakeDeliveryThread;
  }

  /** At or past {@code max_in_flight_bytes}: nothing more is handed to the producer until acknowledgements free room. */
  boolean isFull() {
    return flow.inFlightBytes() >= maxBytes;
  }

  /** Errors that no retry can fix: the record itself is wrong for this topic. */
  static boolean isPermanent(Exception e) {
    return e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException
      || e instanceof InvalidRecordException || e instanceof SerializationException || e instanceof InvalidTopicException;
  }

  /**
   * Hands one record to the producer. {@code from} is the spill buffer when the record was peeked from it: then
   * it is consumed from the buffer unless refused, and its position travels with it so that the buffer is
   * acknowledged in order (a rejected one too: it is done with).
   */
  SendResult send(OutboundRecord r, SpillBuffer from) {
    Pending p = new Pending(r);
    // Counted before the send: the acknowledgement may come before send() returns.
    flow.add(FlowCounters.SENT_RECORDS, 1);
    flow.add(FlowCounters.SENT_BYTES, p.bytes);
    DeliveryStats.raise(stats.peakInFlightBytes, flow.inFlightBytes());
    String topic = switch (r.kind()) {
      case TRADE -> tradeTopic;
      case DEAD_LETTER -> deadLetterTopic;
      case GAP -> gapTopic;
    };
    try {
      producer.send(new ProducerRecord<>(topic, null, null, r.key(), r.value(), r.headers()), p);
    } catch (RuntimeException e) {
      p.refusal = e;
    }
    if (p.refusal != null) {
      flow.add(FlowCounters.SENT_RECORDS, -1);
      flow.add(FlowCounters.SENT_BYTES, -p.bytes);
      lastRefusal = p.refusal;
      if (!isPermanent(p.refusal)) {
        return SendResult.REFUSED;
      }
      p.record = null;
      p.handled = true;
      p.state = ACKED;
    }
    if (from != null) {
      p.position = from.advance();
      replayed++;
      stats.replayedFromDisk.increment();
    }
    if (p.refusal == null || p.position != null) {
      inFlight.add(p);
    }
    return p.refusal == null ? SendResult.SENT : SendResult.REJECTED;
  }

  /** Why the producer refused the last record it did not take. */
  Exception lastRefusal() {
    return lastRefusal;
  }

  /** The next record the producer failed after accepting it, or null. Delivery thread only. */
  Failure pollFailure() {
    Pending p = failures.poll();
    if (p == null) {
      return null;
    }
    Failure failure = new Failure(p.record, p.error);
    p.record = null;
    p.handled = true;
    return failure;
  }

  /** Drops completed records from the head, acknowledging their positions in {@code spill} in order. */
  boolean retireCompleted(SpillBuffer spill) {
    boolean any = false;
    Pending head;
    while ((head = inFlight.peek()) != null) {
      int state = head.state;
      if (state == PENDING || state == FAILED && !head.handled) {
        break;
      }
      if (head.position != null) {
        spill.acknowledged(head.position);
        replayed--;
      }
      inFlight.poll();
      any = true;
    }
    return any;
  }

  /**
   * True while the window holds a record read from the spill buffer: the buffer's acknowledgement cursor has not
   * passed it yet, so a stop would leave it (and what follows it) stored there.
   */
  boolean holdsReplayed() {
    return replayed > 0;
  }

  /** Whether acknowledgements wake the delivery thread (only while it waits for them: a wake-up costs). */
  void wantAcks(boolean want) {
    wantAcks = want;
  }

  /**
   * Empties the window once the producer is closed and every callback has run. Acknowledges the spill buffer's
   * positions up to the first record read from it and not delivered (that one and the rest stay stored there), and
   * returns the records from memory that were not delivered, in send order. Those belong ahead of everything
   * stored: records from memory are only sent while no record read from the spill buffer is in the window
   * ({@link #holdsReplayed()}; KafkaDelivery keeps to it), so each was sent before any record still stored there.
   */
  List<OutboundRecord> closeOut(SpillBuffer spill) {
    List<OutboundRecord> undelivered = new ArrayList<>();
    boolean cursorHeld = false;
    for (Pending p : inFlight) {
      boolean delivered = p.state == ACKED || p.state == FAILED && p.handled;
      if (p.position != null) {
        cursorHeld |= !delivered;
        if (!cursorHeld) {
          spill.acknowledged(p.position);
        }
      } else if (!delivered && p.record != null) {
        undelivered.add(p.record);
      }
    }
    inFlight.clear();
    failures.clear();
    replayed = 0;
    return undelivered;
  }

  /**
   * One record in the producer's hands; also its completion callback. The callback (producer I/O thread)
   * reads only this object's own fields, not the record, which another core wrote.
   */
  private final class Pending implements Callback {
    final long bytes;
    final long receivedAtMs;
    final long sentAtNanos;
    final OutboundRecord.Kind kind;
    /** The trade's symbol, for the per-symbol acknowledged counts; null for dead letters. */
    final String symbol;
    /** Kept until acknowledged: needed to write it to disk if it fails. */
    OutboundRecord record;
    SpillBuffer.Position position;
    volatile int state = PENDING;
    Exception error;
    Exception refusal;
    boolean handled;

    Pending(OutboundRecord record) {
      this.record = record;
      this.bytes = record.heapBytes();
      this.receivedAtMs = record.receivedAtMs();
      this.sentAtNanos = System.nanoTime(); // handed to the producer right after: the send latency starts here
      this.kind = record.kind();
      this.symbol = kind == OutboundRecord.Kind.TRADE ? record.keyText() : null;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception e) {
      if (Thread.currentThread() == deliveryThread) {
        // Called from inside send(): the producer refused the record (max.block.ms=0); send() handles it.
        refusal = e;
        return;
      }
      // Only the producer's I/O thread gets here: it is the single writer of these counters.
      if (e == null) {
        switch (kind) {
          case TRADE -> {
            stats.ackLatency.record(System.currentTimeMillis() - receivedAtMs);
            stats.sendLatency.record((System.nanoTime() - sentAtNanos) / 1_000_000);
            stats.tradeAcked(symbol);
            flow.add(FlowCounters.TRADES_ACKED, 1);
          }
          case GAP -> flow.add(FlowCounters.GAPS_ACKED, 1);
          case DEAD_LETTER -> flow.add(FlowCounters.DEAD_LETTERS_ACKED, 1);
        }
        record = null;
        state = ACKED;
      } else {
        error = e;
        state = FAILED;
        failures.add(this);
      }
      flow.add(FlowCounters.COMPLETED_RECORDS, 1);
      flow.add(FlowCounters.COMPLETED_BYTES, bytes);
      if (e != null || wantAcks) {
        wakeDeliveryThread.run();
      }
    }
  }
}
