package dev.finnhubstream.sink;

import dev.finnhubstream.bus.TradeBatch;
import dev.finnhubstream.config.KafkaConfig;
import dev.finnhubstream.log.SampledLog;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves records from the event loop to Kafka on one dedicated thread, which alone owns the producer's send
 * side, the disk buffer and the delivery state. docs/design.md describes the behaviour; this class
 * keeps the mode and drives the parts that keep it:
 *
 * <ul>
 *   <li><b>Bounded memory.</b> The event loop only queues ({@link DeliveryQueue}); the verticle pauses Finnhub
 *   reading above the high watermark. This thread hands at most {@code max_in_flight_bytes} to the producer
 *   ({@link InFlightWindow}); past {@code queue_max_bytes} the queue overflows to disk instead of growing.</li>
 *   <li><b>Never blocking.</b> The producer runs with {@code max.block.ms=0}: a send it cannot take at once is
 *   refused and retried here, so this thread keeps serving the disk buffer while Kafka is away.</li>
 *   <li><b>Outage</b> ({@link OutageDetector}): the queue goes to the disk buffer. Records the producer already
 *   holds stay there: it retries them until the broker is back ({@code delivery.timeout.ms} is unlimited), and
 *   the idempotent producer makes those retries land once. The first acknowledgement after the outage starts
 *   the replay of the disk buffer, behind those records, in order; new records keep going to the tail of the
 *   disk buffer until it is read to the end, and then wait in the queue until Kafka acknowledged what was read
 *   back, which keeps the order of every symbol, across a stop too.</li>
 *   <li><b>Nothing silent</b> ({@link UndeliveredRecords}).</li>
 *   <li><b>Shutdown</b> ({@link ShutdownRescue}): what Kafka did not acknowledge within the close timeout goes
 *   to the disk buffer ahead of everything else, for the next start.</li>
 * </ul>
 *
 * <p>{@link #turn} and {@link #shutdown} are what the thread runs; unit tests call them on their own thread with
 * their own clock, one deterministic step at a time.
 */
final class KafkaDelivery {

  private static final Logger LOGGER = LoggerFactory.getLogger(KafkaDelivery.class);

  enum Mode {
    /**
     * The disk buffer is read to the end: records go straight to the producer, once Kafka acknowledged every record
     * read back (until then they wait in the queue, see {@link #route}).
     */
    DIRECT,
    /** Kafka takes records and the disk buffer is being read back; new records queue behind it on disk. */
    REPLAYING,
    /** Kafka does not acknowledge: new records go to the disk buffer. */
    OUTAGE
  }

  /** Records moved per loop turn before acknowledgements and the clock are looked at again. */
  private static final int RECORDS_PER_TURN = 2048;
  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final long REFUSED_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long FLUSH_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(CrashCheckpoint.EVERY_MS);

  private final KafkaConfig.Delivery bounds;
  private final SpillBuffer disk;
  private final DeliveryStats stats;
  private final UndeliveredRecords undelivered;
  private final LongSupplier nanoClock;
  private final Thread thread;
  private final CompletableFuture<Void> finished = new CompletableFuture<>();

  // Shared with the event loop and the producer's I/O thread.
  private final FlowCounters flow = new FlowCounters();
  private final DeliveryQueue queue;
  private final InFlightWindow window;
  private final ShutdownRescue rescue;
  private volatile boolean parked;
  private volatile boolean closing;
  private volatile long closeDeadlineNanos;
  private volatile long replayDeadlineNanos;
  private volatile Mode mode;
  private volatile long diskBytes;
  private volatile long diskRecords;

  // Delivery thread only.
  private final OutageDetector outage;
  private long nextFlushNanos;
  private long loopErrors;

  /**
   * @param queueDrained run on the delivery thread once the queue fell to the low watermark after
   *                     {@link #notifyWhenDrained()}; must only hand over to the caller's thread
   */
  KafkaDelivery(KafkaConfig config, Producer<byte[], byte[]> producer, SpillBuffer disk, DeliveryStats stats,
                Runnable queueDrained) {
    this(config, producer, disk, stats, queueDrained, System::nanoTime);
  }

  KafkaDelivery(KafkaConfig config, Producer<byte[], byte[]> producer, SpillBuffer disk, DeliveryStats stats,
                Runnable queueDrained, LongSupplier nanoClock) {
    this.bounds = config.delivery();
    this.queue = new DeliveryQueue(flow, bounds.queueLowWatermarkBytes(), queueDrained);
    this.disk = disk;
    this.stats = stats;
    this.nanoClock = nanoClock;
    this.undelivered = new UndeliveredRecords(disk, stats);
    this.outage = new OutageDetector(bounds.outageAfterMs(), stats, nanoClock.getAsLong());
    this.mode = disk.isEmpty() ? Mode.DIRECT : Mode.REPLAYING;
    this.thread = new Thread(this::run, "kafka-delivery-" + config.topic());
    this.thread.setDaemon(false);
    this.window = new InFlightWindow(producer, config.topic(), config.deadLetterTopic(), config.gapTopic(), bounds.maxInFlightBytes(), flow, stats,
      thread, this::wake);
    this.rescue = new ShutdownRescue(producer, window, disk, stats);
  }

  void start() {
    thread.start();
  }

  /** Queues the trades of one frame. Only from the writer's event loop; never blocks. */
  void offer(TradeBatch batch) {
    queue.add(batch);
    wake();
  }

  /** Queues one ready record (a dead letter, a gap). Only from the writer's event loop; never blocks. */
  void offer(OutboundRecord record) {
    queue.add(record);
    wake();
  }

  /** Approximate heap bytes accepted and not yet handed to the producer or the disk buffer. */
  long queuedBytes() {
    return queue.bytes();
  }

  long tradesAcked() {
    return flow.get(FlowCounters.TRADES_ACKED);
  }

  long deadLettersAcked() {
    return flow.get(FlowCounters.DEAD_LETTERS_ACKED);
  }

  long gapsAcked() {
    return flow.get(FlowCounters.GAPS_ACKED);
  }

  /** Asks for one {@code queueDrained} call once the queue is at or below the low watermark. */
  void notifyWhenDrained() {
    queue.notifyWhenDrained();
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
    long now = nanoClock.getAsLong();
    closeDeadlineNanos = now + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    // The last quarter is kept for the producer's close, to hear back about what is in flight by then.
    replayDeadlineNanos = now + TimeUnit.MILLISECONDS.toNanos(timeoutMs * 3 / 4);
    closing = true;
    wake();
    return finished;
  }

  /** The delivery's part of the writer's status (KafkaWriterVerticle answers the status request). */
  SinkStatus.Delivery status() {
    return new SinkStatus.Delivery(mode.name(), flow.queuedBytes(), Math.max(0, flow.inFlightBytes()),
      Math.max(0, flow.inFlightRecords()), stats.outages.sum(), stats.requeued.sum(),
      new SinkStatus.DiskBufferStatus(diskBytes, diskRecords, disk.maxBytes(), stats.spilledToDisk.sum(),
        stats.replayedFromDisk.sum(), stats.dropped.sum(), stats.droppedTrades.sum(), disk.previousRun()));
  }

  private void wake() {
    flow.wakeup();
    if (parked) {
      LockSupport.unpark(thread);
    }
  }

  private void run() {
    if (mode == Mode.REPLAYING) {
      LOGGER.info("Replaying {} records from the disk buffer before new trades", disk.unreadRecords());
    }
    while (keepsDelivering(nanoClock.getAsLong())) {
      long wakeStamp = flow.wakeups();
      long now = nanoClock.getAsLong();
      boolean moved;
      try {
        moved = turn(now);
      } catch (RuntimeException e) {
        // A bug or an I/O error of the disk buffer: keep the thread (and whatever it holds) alive, say so loudly.
        loopErrors++;
        stats.lastError = "delivery loop: " + e;
        if (SampledLog.shouldLog(loopErrors)) {
          LOGGER.error("Kafka delivery loop error #{} (retrying in 1 s)", loopErrors, e);
        }
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        continue;
      }
      if (!moved) {
        park(wakeStamp, parkNanos(now));
      }
    }
    shutdown();
  }

  /**
   * True until {@link #close}; after it, while Kafka is up and records read back from the disk buffer are still on
   * disk or unacknowledged in the producer's hands, until three quarters of the close timeout have passed. A stop
   * right after an outage would otherwise write the queue to disk behind them (order), for a next start that, with
   * several instances or a replaced VM, may never come on this disk.
   */
  boolean keepsDelivering(long now) {
    return !closing || mode != Mode.OUTAGE && (window.holdsReplayed() || mode == Mode.REPLAYING && disk.hasUnread())
      && now - replayDeadlineNanos < 0;
  }

  /** One pass over everything; true if any record moved. */
  boolean turn(long now) {
    boolean moved = handleFailures(now);
    moved |= window.retireCompleted(disk);
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
      // What a crash would lose: the producer's records (an over-estimate while the disk buffer is replayed:
      // those are on disk too) and the queue's.
      disk.checkpoint(stats.tradesReceived.sum(), Math.max(0, flow.inFlightRecords()) + queue.records());
    }
    diskBytes = disk.sizeBytes();
    diskRecords = disk.unreadRecords();
    // While the disk buffer is read back with Kafka up, what waits on disk counts as queued: after an
    // overflow (queue_max_bytes passed) Finnhub reading resumes only once Kafka caught up, not as soon as
    // the queue moved to disk. During an outage the disk is where records belong, so it does not count.
    queue.checkDrained(mode == Mode.REPLAYING ? disk.unreadBytes() : 0);
    return moved;
  }

  private long parkNanos(long now) {
    if (outage.refusing()) {
      return REFUSED_RETRY_NANOS;
    }
    long wait = outage.nextCheckWithin(now, Math.min(IDLE_PARK_NANOS, nextFlushNanos - now), mode == Mode.OUTAGE,
      flow.inFlightRecords());
    return Math.max(wait, 100_000);
  }

  private void park(long wakeStamp, long nanos) {
    boolean windowFull = window.isFull();
    window.wantAcks(windowFull || mode == Mode.OUTAGE || window.holdsReplayed());
    parked = true;
    // Re-checked after publishing the flags, so an acknowledgement that freed the window meanwhile is not missed.
    // close() wakes too, so a close since wakeStamp is not slept through either.
    if (flow.wakeups() == wakeStamp && window.isFull() == windowFull) {
      LockSupport.parkNanos(this, nanos);
    }
    parked = false;
    window.wantAcks(false);
  }

  /**
   * Moves queued records to the producer (DIRECT) or to the disk buffer (otherwise). With {@code draining}
   * (shutdown) the in-flight bound is ignored and a refused send sends the rest to disk instead of waiting.
   */
  private boolean route(long now, boolean draining) {
    boolean moved = false;
    for (int i = 0; draining || i < RECORDS_PER_TURN; i++) {
      OutboundRecord r = queue.peek();
      if (r == null) {
        break;
      }
      if (mode == Mode.DIRECT) {
        // Behind a record read back from disk, a record from memory waits for that one's acknowledgement: a stop
        // would leave the disk record on disk and write this one ahead of it (ShutdownRescue), out of order.
        if (window.holdsReplayed() || !draining && window.isFull()) {
          if (!draining && queue.bytes() <= bounds.queueMaxBytes()) {
            break;
          }
          mode = Mode.REPLAYING;
          if (!draining) {
            LOGGER.warn("Kafka writer queue passed queue_max_bytes ({} bytes): the overflow goes to the disk buffer", queue.bytes());
          }
          continue;
        }
        if (send(r, null, now) == InFlightWindow.SendResult.REFUSED) {
          if (draining) {
            mode = Mode.REPLAYING;
            continue;
          }
          if (!enterOutageIfRefusedTooLong(now)) {
            break;
          }
          continue;
        }
      } else {
        undelivered.toSpillBuffer(r);
      }
      queue.remove(r);
      moved = true;
    }
    return moved;
  }

  /** Sends buffered records while Kafka takes them (REPLAYING), or one probe record during an outage. */
  private boolean replay(long now) {
    if (mode == Mode.REPLAYING) {
      boolean moved = false;
      for (int i = 0; i < RECORDS_PER_TURN && !window.isFull(); i++) {
        OutboundRecord r = disk.peek();
        if (r == null) {
          break;
        }
        if (send(r, disk, now) == InFlightWindow.SendResult.REFUSED) {
          enterOutageIfRefusedTooLong(now);
          break;
        }
        moved = true;
      }
      return moved;
    }
    if (mode == Mode.OUTAGE && flow.inFlightRecords() == 0 && outage.probeDue(now)) {
      // Nothing left in the producer's hands to tell us Kafka is back: send the oldest buffered record.
      OutboundRecord r = disk.peek();
      if (r == null) {
        if (queue.isEmpty()) {
          mode = Mode.DIRECT;
        }
        return false;
      }
      return send(r, disk, now) != InFlightWindow.SendResult.REFUSED;
    }
    return false;
  }

  /** Hands one record to the producer ({@code from}: see {@link InFlightWindow#send}) and tells the detector. */
  private InFlightWindow.SendResult send(OutboundRecord r, SpillBuffer from, long now) {
    boolean wasIdle = flow.inFlightRecords() == 0;
    InFlightWindow.SendResult result = window.send(r, from);
    if (result == InFlightWindow.SendResult.REFUSED) {
      outage.refused(now, window.lastRefusal());
      return result;
    }
    if (result == InFlightWindow.SendResult.REJECTED) {
      undelivered.rejected(r, window.lastRefusal());
    }
    outage.taken(now, wasIdle && result == InFlightWindow.SendResult.SENT);
    return result;
  }

  /** Failures of records the producer had accepted (it gives up only for errors it cannot retry). */
  private boolean handleFailures(long now) {
    boolean any = false;
    InFlightWindow.Failure f;
    while ((f = window.pollFailure()) != null) {
      any = true;
      if (InFlightWindow.isPermanent(f.error())) {
        undelivered.rejected(f.record(), f.error());
      } else {
        undelivered.requeue(f.record(), f.error());
        if (mode != Mode.OUTAGE) {
          enterOutage(now, "a send failed: " + f.error());
        }
        undelivered.toSpillBuffer(f.record());
      }
    }
    return any;
  }

  private void observeProgress(long now) {
    if (outage.acknowledged(flow.acks(), now)) {
      if (mode == Mode.OUTAGE) {
        mode = disk.hasUnread() ? Mode.REPLAYING : Mode.DIRECT;
        outage.outageEnded(now, disk.unreadRecords());
      }
    } else if (mode != Mode.OUTAGE) {
      String silence = outage.silentTooLong(now, flow.inFlightRecords());
      if (silence != null) {
        enterOutage(now, silence);
      }
    }
  }

  private boolean enterOutageIfRefusedTooLong(long now) {
    String refusals = outage.refusedTooLong(now);
    if (refusals != null) {
      enterOutage(now, refusals);
    }
    return refusals != null;
  }

  private void enterOutage(long now, String reason) {
    mode = Mode.OUTAGE;
    outage.outageStarted(now, reason);
  }

  /**
   * After {@link #close}: routes what is queued, then hands over to {@link ShutdownRescue}, closes the disk buffer
   * and completes {@code close}'s future.
   */
  void shutdown() {
    try {
      long now = nanoClock.getAsLong();
      handleFailures(now);
      window.retireCompleted(disk);
      route(now, true);
      boolean kafkaAway = mode == Mode.OUTAGE;
      long waitMs = kafkaAway ? 0 : Math.max(0, TimeUnit.NANOSECONDS.toMillis(closeDeadlineNanos - nanoClock.getAsLong()));
      rescue.run(waitMs, kafkaAway, flow.inFlightRecords());
      diskBytes = disk.sizeBytes();
      diskRecords = disk.unreadRecords();
      disk.close();
      finished.complete(null);
    } catch (Throwable t) {
      LOGGER.error("Kafka delivery shutdown failed", t);
      finished.completeExceptionally(t);
    }
  }
}
