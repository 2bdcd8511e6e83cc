package dev.finnhubstream.sink;

import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.bus.TradeBatch;
import dev.finnhubstream.config.KafkaConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.InvalidRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves records from the event loop to Kafka on one dedicated thread, which alone owns the producer's send
 * side, the disk buffer and the delivery state. README "Delivery guarantees" describes the behaviour; here
 * is how it is kept:
 *
 * <ul>
 *   <li><b>Bounded memory.</b> The event loop only queues (the {@link #queuedBytes() queue}); the verticle pauses
 *   Finnhub reading above the high watermark. This thread hands at most {@code max_in_flight_bytes} to the
 *   producer; past {@code queue_max_bytes} the queue overflows to disk instead of growing.</li>
 *   <li><b>Never blocking.</b> The producer runs with {@code max.block.ms=0}: a send it cannot take at once
 *   (no metadata yet, buffer full) is refused and retried here, so this thread keeps serving the disk buffer
 *   while Kafka is away.</li>
 *   <li><b>Outage.</b> No acknowledgement for {@code outage_after_ms} while records are outstanding, or sends
 *   refused that long, means Kafka is away: the queue goes to the disk buffer. Records the producer already
 *   holds stay there: it retries them until the broker is back ({@code delivery.timeout.ms} is unlimited), and
 *   the idempotent producer makes those retries land once. The first acknowledgement after the outage starts
 *   the replay of the disk buffer, behind those records, in order; new records keep going to the tail of the
 *   disk buffer until it is read to the end, which keeps the order of every symbol.</li>
 *   <li><b>Nothing silent.</b> A record leaves only acknowledged by Kafka, rejected for good ({@code failed}:
 *   too large, invalid), written to the disk buffer, or dropped because the disk budget is spent
 *   ({@code dropped}); all but the first are counted and logged.</li>
 *   <li><b>Shutdown.</b> {@link #close} routes what is queued, lets the producer deliver within the close
 *   timeout, and writes what it could not deliver to the disk buffer ahead of everything else, for the next
 *   start. Records still in flight at that moment may also have reached Kafka; they are then sent twice,
 *   and downstream collapses them on {@code ingest_id}.</li>
 * </ul>
 */
final class KafkaDelivery {

  private static final Logger LOGGER = LoggerFactory.getLogger(KafkaDelivery.class);

  enum Mode {
    /** The disk buffer is empty: records go straight to the producer. */
    DIRECT,
    /** Kafka takes records and the disk buffer is being read back; new records queue behind it on disk. */
    REPLAYING,
    /** Kafka does not acknowledge: new records go to the disk buffer. */
    OUTAGE
  }

  private enum SendResult { SENT, REFUSED, REJECTED }

  /** Records moved per loop turn before acknowledgements and the clock are looked at again. */
  private static final int RECORDS_PER_TURN = 2048;
  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final long REFUSED_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long FLUSH_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(DiskBuffer.CHECKPOINT_EVERY_MS);
  private static final long MAX_PROBE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  /**
   * Heap estimate of a queued trade before it is serialized (record, strings, list). By count only: the
   * event loop then never reads the trades themselves, which were written on another core.
   */
  private static final int TRADE_ESTIMATE_BYTES = 320;

  private static final int PENDING = 0;
  private static final int ACKED = 1;
  private static final int FAILED = 2;

  private final KafkaConfig config;
  private final KafkaConfig.Delivery bounds;
  private final Producer<byte[], byte[]> producer;
  private final DiskBuffer disk;
  private final DeliveryStats stats;
  private final Runnable queueDrained;
  private final Thread thread;
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private final long outageAfterNanos;
  private final long probeIntervalNanos;

  // Shared with the event loop and the producer's I/O thread.
  private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
  private final FlowCounters flow = new FlowCounters();
  private final ConcurrentLinkedQueue<Pending> failures = new ConcurrentLinkedQueue<>();
  private volatile boolean parked;
  /** Set while this thread waits for acknowledgements (full window, outage): only then do they wake it. */
  private volatile boolean wantAcks;
  private volatile boolean closing;
  private volatile long closeDeadlineNanos;
  private volatile boolean drainWanted;
  private volatile Mode mode;
  private volatile long diskBytes;
  private volatile long diskRecords;

  // Delivery thread only.
  private final ArrayDeque<OutboundRecord> staged = new ArrayDeque<>();
  private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
  private long seq;
  private long seenAcks;
  private long lastProgressNanos;
  private long refusedSinceNanos;
  private String lastRefusal;
  private long nextFlushNanos;
  private long nextProbeNanos;
  private long outageStartedMs;
  private long loopErrors;

  /**
   * @param queueDrained run on the delivery thread once the queue fell to the low watermark after
   *                     {@link #notifyWhenDrained()}; must only hand over to the caller's thread
   */
  KafkaDelivery(KafkaConfig config, Producer<byte[], byte[]> producer, DiskBuffer disk, DeliveryStats stats,
                Runnable queueDrained) {
    this.config = config;
    this.bounds = config.delivery();
    this.producer = producer;
    this.disk = disk;
    this.stats = stats;
    this.queueDrained = queueDrained;
    this.outageAfterNanos = TimeUnit.MILLISECONDS.toNanos(bounds.outageAfterMs());
    this.probeIntervalNanos = Math.min(outageAfterNanos, MAX_PROBE_INTERVAL_NANOS);
    this.mode = disk.isEmpty() ? Mode.DIRECT : Mode.REPLAYING;
    this.thread = new Thread(this::run, "kafka-delivery-" + config.topic());
    this.thread.setDaemon(false);
  }

  void start() {
    thread.start();
  }

  /** Queues the trades of one frame. Only from the writer's event loop; never blocks. */
  void offer(TradeBatch batch) {
    flow.add(FlowCounters.OFFERED_BYTES, estimate(batch));
    inbox.add(batch);
    wake();
  }

  /** Queues one ready record (a dead letter). Only from the writer's event loop; never blocks. */
  void offer(OutboundRecord record) {
    flow.add(FlowCounters.OFFERED_BYTES, record.heapBytes());
    inbox.add(record);
    wake();
  }

  /** Approximate heap bytes accepted and not yet handed to the producer or the disk buffer. */
  long queuedBytes() {
    return flow.queuedBytes();
  }

  long tradesAcked() {
    return flow.get(FlowCounters.TRADES_ACKED);
  }

  long deadLettersAcked() {
    return flow.get(FlowCounters.DEAD_LETTERS_ACKED);
  }

  /** Asks for one {@code queueDrained} call once the queue is at or below the low watermark. */
  void notifyWhenDrained() {
    drainWanted = true;
    wake();
  }

  Mode mode() {
    return mode;
  }

  /**
   * Stops taking new work and delivers what is held: to Kafka within {@code timeoutMs}, the rest to the disk
   * buffer. Completes when the producer and the disk buffer are closed.
   */
  CompletableFuture<Void> close(long timeoutMs) {
    closeDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    closing = true;
    wake();
    return finished;
  }

  /** The delivery's part of the writer's status (KafkaWriterVerticle answers the status request). */
  SinkStatus.Delivery status() {
    DiskBuffer.PreviousRun previous = disk.previousRun();
    return new SinkStatus.Delivery(mode.name(), flow.queuedBytes(), Math.max(0, flow.inFlightBytes()),
      Math.max(0, flow.inFlightRecords()), stats.outages.sum(), stats.requeued.sum(),
      new SinkStatus.DiskBufferStatus(diskBytes, diskRecords, disk.maxBytes(), stats.spilledToDisk.sum(),
        stats.replayedFromDisk.sum(), stats.dropped.sum(), previous == null ? null
        : new SinkStatus.PreviousRun(previous.checkpointAtMs(), previous.received(), previous.heldInMemory())));
  }

  /**
   * Records a crash would lose: those in the producer's hands (an over-estimate while the disk buffer is replayed:
   * those are on disk too), staged, and still in the inbox (from its byte estimate).
   */
  private long heldInMemory() {
    long inbox = (flow.get(FlowCounters.OFFERED_BYTES) - flow.get(FlowCounters.TAKEN_BYTES)) / TRADE_ESTIMATE_BYTES;
    return Math.max(0, flow.inFlightRecords()) + staged.size() + Math.max(0, inbox);
  }

  static long estimate(TradeBatch batch) {
    return (long) TRADE_ESTIMATE_BYTES * batch.trades().size();
  }

  private void wake() {
    flow.wakeup();
    if (parked) {
      LockSupport.unpark(thread);
    }
  }

  private void run() {
    lastProgressNanos = System.nanoTime();
    if (mode == Mode.REPLAYING) {
      LOGGER.info("Replaying {} records from the disk buffer before new trades", disk.unreadRecords());
    }
    while (!closing) {
      long wakeStamp = flow.wakeups();
      long now = System.nanoTime();
      boolean moved;
      try {
        moved = turn(now);
      } catch (RuntimeException e) {
        // A bug or an I/O error of the disk buffer: keep the thread (and whatever it holds) alive, say so loudly.
        loopErrors++;
        stats.lastError = "delivery loop: " + e;
        if (loopErrors <= 10 || Long.bitCount(loopErrors) == 1) {
          LOGGER.error("Kafka delivery loop error #{} (retrying in 1 s)", loopErrors, e);
        }
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        continue;
      }
      if (!moved) {
        park(wakeStamp, parkNanos(now));
      }
    }
    try {
      shutdown();
      finished.complete(null);
    } catch (Throwable t) {
      LOGGER.error("Kafka delivery shutdown failed", t);
      finished.completeExceptionally(t);
    }
  }

  /** One pass over everything; true if any record moved. */
  private boolean turn(long now) {
    boolean moved = handleFailures(now);
    moved |= retireCompleted();
    observeProgress(now);
    moved |= route(now, false);
    moved |= replay(now);
    if (mode == Mode.REPLAYING && !disk.hasUnread()) {
      mode = Mode.DIRECT;
      LOGGER.info("Disk buffer read back completely: writing to Kafka directly again");
    }
    if (now - nextFlushNanos >= 0) {
      nextFlushNanos = now + FLUSH_EVERY_NANOS;
      disk.flush();
      disk.checkpoint(stats.tradesReceived.sum(), heldInMemory());
    }
    diskBytes = disk.sizeBytes();
    diskRecords = disk.unreadRecords();
    // While the disk buffer is read back with Kafka up, what waits on disk counts as queued: after an
    // overflow (queue_max_bytes passed) Finnhub reading resumes only once Kafka caught up, not as soon as
    // the queue moved to disk. During an outage the disk is where records belong, so it does not count.
    long waiting = flow.queuedBytes() + (mode == Mode.REPLAYING ? disk.unreadBytes() : 0);
    if (drainWanted && waiting <= bounds.queueLowWatermarkBytes()) {
      drainWanted = false;
      queueDrained.run();
    }
    return moved;
  }

  private long parkNanos(long now) {
    if (refusedSinceNanos != 0) {
      return REFUSED_RETRY_NANOS;
    }
    long wait = Math.min(IDLE_PARK_NANOS, nextFlushNanos - now);
    if (mode == Mode.OUTAGE) {
      wait = Math.min(wait, nextProbeNanos - now);
    } else if (flow.inFlightRecords() > 0) {
      wait = Math.min(wait, lastProgressNanos + outageAfterNanos - now);
    }
    return Math.max(wait, 100_000);
  }

  private void park(long wakeStamp, long nanos) {
    boolean windowFull = flow.inFlightBytes() >= bounds.maxInFlightBytes();
    wantAcks = windowFull || mode == Mode.OUTAGE;
    parked = true;
    // Re-checked after publishing the flags, so an acknowledgement that freed the window meanwhile is not missed.
    boolean stillFull = flow.inFlightBytes() >= bounds.maxInFlightBytes();
    if (flow.wakeups() == wakeStamp && !closing && stillFull == windowFull) {
      LockSupport.parkNanos(this, nanos);
    }
    parked = false;
    wantAcks = false;
  }

  /** The queue's next record, unpacking the next inbox item when needed; {@code null} when empty. */
  private OutboundRecord nextQueued() {
    OutboundRecord next = staged.peek();
    if (next != null) {
      return next;
    }
    Object item = inbox.poll();
    if (item == null) {
      return null;
    }
    long stagedBytes = 0;
    if (item instanceof TradeBatch batch) {
      flow.add(FlowCounters.TAKEN_BYTES, estimate(batch));
      for (Trade t : batch.trades()) {
        OutboundRecord r = OutboundRecord.trade(t);
        staged.add(r);
        stagedBytes += r.heapBytes();
      }
    } else {
      OutboundRecord r = (OutboundRecord) item;
      flow.add(FlowCounters.TAKEN_BYTES, r.heapBytes());
      staged.add(r);
      stagedBytes = r.heapBytes();
    }
    flow.add(FlowCounters.STAGED_BYTES, stagedBytes);
    return staged.peek();
  }

  /**
   * Moves queued records to the producer (DIRECT) or to the disk buffer (otherwise). With {@code draining}
   * (shutdown) the in-flight bound is ignored and a refused send sends the rest to disk instead of waiting.
   */
  private boolean route(long now, boolean draining) {
    boolean moved = false;
    for (int i = 0; draining || i < RECORDS_PER_TURN; i++) {
      OutboundRecord r = nextQueued();
      if (r == null) {
        break;
      }
      if (mode == Mode.DIRECT) {
        if (!draining && flow.inFlightBytes() >= bounds.maxInFlightBytes()) {
          if (flow.queuedBytes() <= bounds.queueMaxBytes()) {
            break;
          }
          mode = Mode.REPLAYING;
          LOGGER.warn("Kafka writer queue passed queue_max_bytes ({} bytes): the overflow goes to the disk buffer", flow.queuedBytes());
          continue;
        }
        SendResult result = send(r, null, now);
        if (result == SendResult.REFUSED) {
          if (draining) {
            mode = Mode.REPLAYING;
            continue;
          }
          if (now - refusedSinceNanos >= outageAfterNanos) {
            enterOutage(now, "Kafka has refused records for " + bounds.outageAfterMs() + " ms (" + lastRefusal + ")");
            continue;
          }
          break;
        }
      } else {
        spill(r);
      }
      staged.poll();
      flow.add(FlowCounters.STAGED_BYTES, -r.heapBytes());
      moved = true;
    }
    return moved;
  }

  /** Sends buffered records while Kafka takes them (REPLAYING), or one probe record during an outage. */
  private boolean replay(long now) {
    if (mode == Mode.REPLAYING) {
      boolean moved = false;
      for (int i = 0; i < RECORDS_PER_TURN && flow.inFlightBytes() < bounds.maxInFlightBytes(); i++) {
        OutboundRecord r = disk.peek();
        if (r == null) {
          break;
        }
        if (send(r, disk, now) == SendResult.REFUSED) {
          if (now - refusedSinceNanos >= outageAfterNanos) {
            enterOutage(now, "Kafka has refused records for " + bounds.outageAfterMs() + " ms (" + lastRefusal + ")");
          }
          break;
        }
        moved = true;
      }
      return moved;
    }
    if (mode == Mode.OUTAGE && flow.inFlightRecords() == 0 && now - nextProbeNanos >= 0) {
      // Nothing left in the producer's hands to tell us Kafka is back: send the oldest buffered record.
      nextProbeNanos = now + probeIntervalNanos;
      OutboundRecord r = disk.peek();
      if (r == null) {
        if (staged.isEmpty() && inbox.isEmpty()) {
          mode = Mode.DIRECT;
        }
        return false;
      }
      return send(r, disk, now) != SendResult.REFUSED;
    }
    return false;
  }

  /**
   * Hands one record to the producer. {@code from} is the disk buffer when the record was peeked from it:
   * then it is consumed from the buffer unless refused, and its position travels with it so that the buffer
   * is acknowledged in order.
   */
  private SendResult send(OutboundRecord r, DiskBuffer from, long now) {
    Pending p = new Pending(++seq, r);
    boolean wasIdle = flow.inFlightRecords() == 0;
    // Counted before the send: the acknowledgement may come before send() returns.
    flow.add(FlowCounters.SENT_RECORDS, 1);
    flow.add(FlowCounters.SENT_BYTES, p.bytes);
    DeliveryStats.raise(stats.peakInFlightBytes, flow.inFlightBytes());
    String topic = r.kind() == OutboundRecord.Kind.TRADE ? config.topic() : config.deadLetterTopic();
    try {
      producer.send(new ProducerRecord<>(topic, null, null, r.key(), r.value(), r.headers()), p);
    } catch (RuntimeException e) {
      p.refusal = e;
    }
    if (p.refusal != null) {
      flow.add(FlowCounters.SENT_RECORDS, -1);
      flow.add(FlowCounters.SENT_BYTES, -p.bytes);
      if (!isPermanent(p.refusal)) {
        if (refusedSinceNanos == 0) {
          refusedSinceNanos = now;
        }
        lastRefusal = p.refusal.toString();
        return SendResult.REFUSED;
      }
      rejected(r, p.refusal);
      p.record = null;
      p.handled = true;
      p.state = ACKED;
    } else if (wasIdle) {
      lastProgressNanos = now;
    }
    refusedSinceNanos = 0;
    if (from != null) {
      p.position = from.advance();
      stats.replayedFromDisk.increment();
    }
    if (p.refusal == null || p.position != null) {
      inFlight.add(p);
    }
    return p.refusal == null ? SendResult.SENT : SendResult.REJECTED;
  }

  private void spill(OutboundRecord r) {
    boolean written;
    try {
      written = disk.append(r);
    } catch (UncheckedIOException e) {
      stats.lastError = e.getMessage() + ": " + e.getCause();
      written = false;
    }
    if (written) {
      stats.spilledToDisk.increment();
      return;
    }
    stats.dropped.increment();
    long dropped = stats.dropped.sum();
    if (dropped <= 10 || Long.bitCount(dropped) == 1) {
      LOGGER.error("Dropped {} {} (key {}): the disk buffer is full ({} of {} bytes) or unwritable; {} dropped so far",
        r.kind() == OutboundRecord.Kind.TRADE ? "trade" : "dead letter", r.id(), r.keyText(), disk.sizeBytes(), disk.maxBytes(), dropped);
    }
  }

  private void rejected(OutboundRecord r, Exception e) {
    stats.failed.increment();
    stats.lastError = e.toString();
    long failed = stats.failed.sum();
    if (failed <= 10 || Long.bitCount(failed) == 1) {
      LOGGER.error("Kafka rejected {} {} (key {}) for good, not retrying: {} ({} rejected so far)",
        r.kind() == OutboundRecord.Kind.TRADE ? "trade" : "dead letter", r.id(), r.keyText(), e.toString(), failed);
    }
  }

  /** Errors that no retry can fix: the record itself is wrong for this topic. */
  static boolean isPermanent(Exception e) {
    return e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException
      || e instanceof InvalidRecordException || e instanceof SerializationException || e instanceof InvalidTopicException;
  }

  /** Failures of records the producer had accepted (it gives up only for errors it cannot retry). */
  private boolean handleFailures(long now) {
    boolean any = false;
    Pending p;
    while ((p = failures.poll()) != null) {
      any = true;
      OutboundRecord r = p.record;
      if (isPermanent(p.error)) {
        rejected(r, p.error);
      } else {
        stats.requeued.increment();
        stats.lastError = p.error.toString();
        LOGGER.warn("Kafka failed {} after accepting it ({}): it goes to the disk buffer to be sent again", r.id(), p.error.toString());
        if (mode != Mode.OUTAGE) {
          enterOutage(now, "a send failed: " + p.error);
        }
        spill(r);
      }
      p.record = null;
      p.handled = true;
    }
    return any;
  }

  /** Drops completed records from the head of the in-flight list, acknowledging disk positions in order. */
  private boolean retireCompleted() {
    boolean any = false;
    Pending head;
    while ((head = inFlight.peek()) != null) {
      int state = head.state;
      if (state == PENDING || state == FAILED && !head.handled) {
        break;
      }
      if (head.position != null) {
        disk.acknowledged(head.position);
      }
      inFlight.poll();
      any = true;
    }
    return any;
  }

  private void observeProgress(long now) {
    long a = flow.acks();
    if (a != seenAcks) {
      seenAcks = a;
      lastProgressNanos = now;
      if (mode == Mode.OUTAGE) {
        mode = disk.hasUnread() ? Mode.REPLAYING : Mode.DIRECT;
        LOGGER.info("Kafka acknowledges again after {} ms; {} buffered records to replay", System.currentTimeMillis() - outageStartedMs,
          disk.unreadRecords());
      }
    } else if (mode != Mode.OUTAGE && flow.inFlightRecords() > 0 && now - lastProgressNanos > outageAfterNanos) {
      enterOutage(now, "no acknowledgement from Kafka for " + bounds.outageAfterMs() + " ms with " + flow.inFlightRecords()
        + " records outstanding");
    }
  }

  private void enterOutage(long now, String reason) {
    mode = Mode.OUTAGE;
    refusedSinceNanos = 0;
    nextProbeNanos = now + probeIntervalNanos;
    outageStartedMs = System.currentTimeMillis();
    stats.outages.increment();
    stats.lastError = reason;
    LOGGER.warn("Kafka outage: {}. New records go to the disk buffer until Kafka acknowledges again", reason);
  }

  private void shutdown() throws IOException {
    long now = System.nanoTime();
    handleFailures(now);
    retireCompleted();
    route(now, true);
    boolean outage = mode == Mode.OUTAGE;
    long remainingMs = outage ? 0 : Math.max(0, TimeUnit.NANOSECONDS.toMillis(closeDeadlineNanos - System.nanoTime()));
    LOGGER.info("Closing the Kafka producer: {} records outstanding, waiting up to {} ms{}", flow.inFlightRecords(), remainingMs,
      outage ? " (Kafka is unreachable: they go to the disk buffer)" : "");
    try {
      producer.close(Duration.ofMillis(remainingMs));
    } catch (RuntimeException e) {
      LOGGER.warn("Closing the Kafka producer failed: {}", e.toString());
    }
    // Every callback has run now. Records not acknowledged: from memory → ahead of the disk buffer;
    // from the disk buffer → stay there (the acknowledgement cursor stops before the first of them).
    List<OutboundRecord> rescue = new ArrayList<>();
    boolean cursorHeld = false;
    for (Pending p : inFlight) {
      boolean delivered = p.state == ACKED || p.state == FAILED && p.handled;
      if (p.position != null) {
        cursorHeld |= !delivered;
        if (!cursorHeld) {
          disk.acknowledged(p.position);
        }
      } else if (!delivered && p.record != null) {
        rescue.add(p.record);
      }
    }
    inFlight.clear();
    failures.clear();
    int dropped = disk.prepend(rescue);
    if (dropped > 0) {
      stats.dropped.add(dropped);
      LOGGER.error("Dropped {} undelivered records at shutdown: the disk buffer is full ({} bytes)", dropped, disk.maxBytes());
    }
    stats.spilledToDisk.add(rescue.size() - dropped);
    if (!rescue.isEmpty()) {
      LOGGER.warn("{} records Kafka did not acknowledge before the close timeout went to the disk buffer; they are sent"
        + " first on the next start (some may already be in Kafka: downstream dedups on ingest_id)", rescue.size() - dropped);
    }
    diskBytes = disk.sizeBytes();
    diskRecords = disk.unreadRecords();
    disk.close();
  }

  /**
   * One record in the producer's hands; also its completion callback. The callback (producer I/O thread)
   * reads only this object's own fields, not the record, which another core wrote.
   */
  private final class Pending implements Callback {
    final long seq;
    final long bytes;
    final long receivedAtMs;
    final long sentAtNanos;
    final boolean trade;
    /** The trade's symbol, for the per-symbol acknowledged counts; null for dead letters. */
    final String symbol;
    /** Kept until acknowledged: needed to write it to disk if it fails. */
    OutboundRecord record;
    DiskBuffer.Position position;
    volatile int state = PENDING;
    Exception error;
    Exception refusal;
    boolean handled;

    Pending(long seq, OutboundRecord record) {
      this.seq = seq;
      this.record = record;
      this.bytes = record.heapBytes();
      this.receivedAtMs = record.receivedAtMs();
      this.sentAtNanos = System.nanoTime(); // handed to the producer right after: the send latency starts here
      this.trade = record.kind() == OutboundRecord.Kind.TRADE;
      this.symbol = trade ? record.keyText() : null;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception e) {
      if (Thread.currentThread() == thread) {
        // Called from inside send(): the producer refused the record (max.block.ms=0); send() handles it.
        refusal = e;
        return;
      }
      // Only the producer's I/O thread gets here: it is the single writer of these counters.
      if (e == null) {
        if (trade) {
          stats.ackLatency.record(System.currentTimeMillis() - receivedAtMs);
          stats.sendLatency.record((System.nanoTime() - sentAtNanos) / 1_000_000);
          stats.tradeAcked(symbol);
          flow.add(FlowCounters.TRADES_ACKED, 1);
        } else {
          flow.add(FlowCounters.DEAD_LETTERS_ACKED, 1);
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
        wake();
      }
    }
  }
}
