package dev.finnhubstream.sink;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link SpillBuffer} in memory, for fast unit tests of the delivery rules. It keeps {@link DiskBuffer}'s rules
 * that the delivery relies on: read back in append order, stored until acknowledged in read order, a budget
 * counted in the same encoded frame bytes, and {@link #prepend} read first. What a next start would read back is
 * {@link #stored()}.
 */
final class InMemorySpillBuffer implements SpillBuffer {

  private final long maxBytes;
  /** Every record ever stored; those before {@code acked} are acknowledged (freed). */
  private final List<OutboundRecord> records = new ArrayList<>();
  private int acked;
  private int read;
  private boolean peeked;
  private boolean closed;

  InMemorySpillBuffer(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  static long frameBytes(OutboundRecord r) {
    return DiskRecordCodec.encode(r).length;
  }

  /** What is stored (read or not, not acknowledged): what the next start reads back, in this order. */
  List<OutboundRecord> stored() {
    return List.copyOf(records.subList(acked, records.size()));
  }

  boolean closed() {
    return closed;
  }

  @Override
  public boolean isEmpty() {
    return acked == records.size();
  }

  @Override
  public long unreadRecords() {
    return records.size() - read;
  }

  @Override
  public long unreadBytes() {
    return bytes(read);
  }

  @Override
  public long sizeBytes() {
    return bytes(acked);
  }

  private long bytes(int from) {
    long sum = 0;
    for (OutboundRecord r : records.subList(from, records.size())) {
      sum += frameBytes(r);
    }
    return sum;
  }

  @Override
  public long maxBytes() {
    return maxBytes;
  }

  @Override
  public boolean append(OutboundRecord record) {
    if (sizeBytes() + frameBytes(record) > maxBytes) {
      return false;
    }
    records.add(record);
    return true;
  }

  /** Like the disk buffer's: ahead of everything stored, and reading starts over from the front. */
  @Override
  public List<OutboundRecord> prepend(List<OutboundRecord> older) {
    List<OutboundRecord> dropped = new ArrayList<>();
    int at = acked;
    for (OutboundRecord r : older) {
      if (sizeBytes() + frameBytes(r) > maxBytes) {
        dropped.add(r);
        continue;
      }
      records.add(at++, r);
    }
    read = acked;
    peeked = false;
    return dropped;
  }

  @Override
  public OutboundRecord peek() {
    if (read == records.size()) {
      return null;
    }
    peeked = true;
    return records.get(read);
  }

  @Override
  public Position advance() {
    if (!peeked) {
      throw new IllegalStateException("advance() without a peeked record");
    }
    peeked = false;
    read++;
    return new Position(0, read);
  }

  @Override
  public void acknowledged(Position position) {
    acked = Math.max(acked, (int) position.offset());
  }

  @Override
  public void flush() {
  }

  @Override
  public void checkpoint(long received, long heldInMemory) {
  }

  @Override
  public SinkStatus.PreviousRun previousRun() {
    return null;
  }

  @Override
  public void close() {
    closed = true;
  }
}
