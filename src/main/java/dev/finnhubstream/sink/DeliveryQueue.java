package dev.finnhubstream.sink;

import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.bus.TradeBatch;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The queue from the writer's event loop to the delivery thread. The event loop adds a whole batch (a
 * {@link TradeBatch}: the frames of a read) or one dead letter and never blocks; the delivery thread turns a batch
 * into its records only when it reaches it, so a batch costs the event loop one insertion, not a serialization per
 * trade.
 *
 * <p>Its size, in approximate heap bytes, is what the writer holds against its watermarks; it lives in
 * {@link FlowCounters} (offered by the event loop, taken and staged by the delivery thread).
 */
final class DeliveryQueue {

  /**
   * Heap estimate of a queued trade before it is serialized (record, strings, list). By count only: the
   * event loop then never reads the trades themselves, which were written on another core.
   */
  static final int TRADE_ESTIMATE_BYTES = 320;

  private final FlowCounters flow;
  private final long lowWatermarkBytes;
  private final Runnable drained;
  private volatile boolean drainWanted;
  /** Event loop to delivery thread: TradeBatch or OutboundRecord items. */
  private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
  /** Delivery thread only: the records of the inbox item being worked through. */
  private final ArrayDeque<OutboundRecord> staged = new ArrayDeque<>();

  /** @param drained see {@link #notifyWhenDrained()} */
  DeliveryQueue(FlowCounters flow, long lowWatermarkBytes, Runnable drained) {
    this.flow = flow;
    this.lowWatermarkBytes = lowWatermarkBytes;
    this.drained = drained;
  }

  /** Asks for one {@code drained} call (on the delivery thread) once the queue is at or below the low watermark. */
  void notifyWhenDrained() {
    drainWanted = true;
  }

  /**
   * Delivery thread, every turn: runs {@code drained} if asked and the queue, plus {@code alsoWaitingBytes}, is at
   * or below the low watermark.
   */
  void checkDrained(long alsoWaitingBytes) {
    if (drainWanted && bytes() + alsoWaitingBytes <= lowWatermarkBytes) {
      drainWanted = false;
      drained.run();
    }
  }

  static long estimate(TradeBatch batch) {
    return (long) TRADE_ESTIMATE_BYTES * batch.trades().size();
  }

  /** Event loop only. */
  void add(TradeBatch batch) {
    flow.add(FlowCounters.OFFERED_BYTES, estimate(batch));
    inbox.add(batch);
  }

  /** Event loop only. */
  void add(OutboundRecord record) {
    flow.add(FlowCounters.OFFERED_BYTES, record.heapBytes());
    inbox.add(record);
  }

  /** Approximate heap bytes accepted and not yet handed to the producer or the disk buffer. Any thread. */
  long bytes() {
    return flow.queuedBytes();
  }

  /** The next record, unpacking the next inbox item when needed; {@code null} when empty. Delivery thread only. */
  OutboundRecord peek() {
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

  /** Removes {@code head}, the record {@link #peek()} returned, once it went to the producer or the disk buffer. */
  void remove(OutboundRecord head) {
    staged.poll();
    flow.add(FlowCounters.STAGED_BYTES, -head.heapBytes());
  }

  boolean isEmpty() {
    return staged.isEmpty() && inbox.isEmpty();
  }

  /** Records held, for the crash checkpoint: those staged plus the inbox's (from its byte estimate). */
  long records() {
    long inboxRecords = (flow.get(FlowCounters.OFFERED_BYTES) - flow.get(FlowCounters.TAKEN_BYTES)) / TRADE_ESTIMATE_BYTES;
    return staged.size() + Math.max(0, inboxRecords);
  }
}
