package dev.finnhubstream.sink;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * Where {@link KafkaDelivery} puts the records Kafka cannot take now, and reads them back from in the order they
 * went in. {@link DiskBuffer} is the service's one implementation; an interface so that the delivery rules can be
 * unit-tested against one in memory.
 *
 * <p>Reading and acknowledging are separate steps: a record read back stays stored until Kafka has acknowledged
 * it and every record read before it, so a process that stops in between sends it again rather than losing it.
 * Not thread-safe: only the delivery thread uses it.
 */
interface SpillBuffer extends Closeable {

  /** A point in the buffer: where one record ends. Positions are acknowledged in read order. */
  record Position(long segment, long offset) {
  }

  /** True when nothing is stored at all: no unread and no unacknowledged record. */
  boolean isEmpty();

  /** Records appended and not yet read back. */
  long unreadRecords();

  default boolean hasUnread() {
    return unreadRecords() > 0;
  }

  /** Bytes appended and not yet read back. */
  long unreadBytes();

  /** Bytes stored, counted against {@link #maxBytes()}. */
  long sizeBytes();

  long maxBytes();

  /** Appends a record at the tail. Returns false, storing nothing, when the budget does not allow it. */
  boolean append(OutboundRecord record);

  /**
   * Stores {@code older} (in order) ahead of everything else, durably. For records that were in the producer's
   * hands at shutdown: they are older than everything buffered.
   *
   * @return those that did not fit in the budget, in order (dropped; the caller counts and logs them)
   */
  List<OutboundRecord> prepend(List<OutboundRecord> older) throws IOException;

  /** The next unread record, without consuming it; {@code null} when everything was read. */
  OutboundRecord peek();

  /** Consumes the record returned by {@link #peek()}; returns where it ends, for {@link #acknowledged}. */
  Position advance();

  /** Kafka acknowledged every record read up to {@code position}; what is wholly acknowledged is freed. */
  void acknowledged(Position position);

  /** Hands buffered writes to the OS and saves the acknowledgement cursor, so that a crash loses neither. */
  void flush();

  /** Records, for a crash report on the next start, what this process has received and holds in memory only. */
  void checkpoint(long received, long heldInMemory);

  /** The previous process's last checkpoint when it stopped without closing the buffer; null after a clean stop. */
  SinkStatus.PreviousRun previousRun();
}
