package dev.finnhubstream.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded on-disk queue that holds records while Kafka cannot take them, and across restarts.
 *
 * <p>Layout: segment files {@code <id>.seg} read in id order, each a sequence of frames
 * {@code [int length][int crc32c][body]}; a {@code cursor} file {@code "<segment> <offset>"} saying how much
 * of one segment Kafka has acknowledged; a {@code lock} file held while a process uses the directory. A
 * segment is deleted as soon as Kafka acknowledged all of it, which is what frees the budget.
 *
 * <p>Order: records are read back in the order they were appended. Records that were in the producer's hands
 * when the process stopped are older than everything on disk (the writer only sends from memory while the
 * disk is empty), so {@link #prepend} puts them in a segment with a lower id, read first on the next start.
 *
 * <p>Crash safety: appends reach the OS (page cache) at least every {@link #flush()} call (the writer calls it
 * every few hundred ms); {@link #close()} forces them to the device. A torn frame at the end of a segment (a
 * crash mid-write) fails its checksum ({@link DiskRecordCodec}) at start-up and is cut off, logged with its size.
 *
 * <p>Crash report: the directory also holds the {@link CrashCheckpoint} of the process using it; {@link #open}
 * reports the previous process's if it did not close the buffer, {@link #close()} clears this one's.
 *
 * <p>Not thread-safe: only the writer's delivery thread uses it.
 */
final class DiskBuffer implements SpillBuffer {

  private static final Logger LOGGER = LoggerFactory.getLogger(DiskBuffer.class);

  /** Ids of new buffers start here, leaving room below for segments written by {@link #prepend}. */
  static final long FIRST_SEGMENT = 1_000_000_000_000L;
  private static final String SUFFIX = ".seg";
  private static final int FRAME_HEADER = DiskRecordCodec.FRAME_HEADER;
  private static final int WRITE_BUFFER = 64 * 1024;
  private static final int READ_BUFFER = 256 * 1024;

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final CrashCheckpoint crashCheckpoint;
  /** Segment id → bytes appended to it (flushed or not). */
  private final TreeMap<Long, Long> segments = new TreeMap<>();
  private long totalBytes;
  private long records;
  private long unreadBytes;

  private long writeSegment = -1;
  private FileChannel writeChannel;
  private final ByteBuffer writeBuffer = ByteBuffer.allocate(WRITE_BUFFER);
  private long writeFlushed;

  private long readSegment;
  private long readOffset;
  private FileChannel readChannel;
  private long readChannelSegment = -1;
  private ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER).limit(0);
  private long readBufferOffset;
  private OutboundRecord peeked;
  private long peekedEnd;

  private long ackSegment = -1;
  private long ackOffset;
  private boolean cursorDirty;

  /** The previous process's last checkpoint, if it did not close this buffer. */
  private SinkStatus.PreviousRun previousRun;
  /** When the previous process stopped cleanly, or {@code null}. */
  private Long previousStopAtMs;
  /** When this process's connections stopped (0 = not told): the stop time a clean close leaves for the next start. */
  private volatile long stoppedAtMs;

  private DiskBuffer(Path dir, long maxBytes, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = Math.max(64 * 1024, Math.min(64L * 1024 * 1024, maxBytes / 8));
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.crashCheckpoint = new CrashCheckpoint(dir);
  }

  /**
   * Opens (creating if needed) the buffer in {@code dir}: takes the directory lock, checks every frame of the
   * existing segments, cuts off a torn tail, and positions the reader after what Kafka already acknowledged.
   *
   * @throws IllegalStateException when another process holds the directory
   */
  static DiskBuffer open(Path dir, long maxBytes) throws IOException {
    Files.createDirectories(dir);
    FileChannel lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException sameProcess) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IllegalStateException("the disk buffer " + dir.toAbsolutePath() + " is in use by another process"
        + " (each service instance needs its own kafka.disk_buffer_dir)");
    }
    DiskBuffer buffer = new DiskBuffer(dir, maxBytes, lockChannel, lock);
    try {
      buffer.recover();
      buffer.previousStopAtMs = buffer.crashCheckpoint.readPreviousStop();
      buffer.previousRun = buffer.crashCheckpoint.readPreviousRun();
      buffer.checkpoint(0, 0);
    } catch (IOException | RuntimeException e) {
      buffer.close();
      throw e;
    }
    return buffer;
  }

  private void recover() throws IOException {
    Position cursor = readCursor();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(SUFFIX) && name.length() > SUFFIX.length()) {
          try {
            segments.put(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())), 0L);
          } catch (NumberFormatException e) {
            LOGGER.warn("Ignoring unexpected file {} in the disk buffer", file);
          }
        }
      }
    }
    for (long id : new ArrayList<>(segments.keySet())) {
      long start = cursor != null && cursor.segment() == id ? cursor.offset() : 0;
      long[] scanned = scan(id, start);
      segments.put(id, scanned[0]);
      totalBytes += scanned[0];
      records += scanned[1];
      unreadBytes += Math.max(0, scanned[0] - start);
      if (scanned[1] == 0 && scanned[0] <= start) {
        Files.deleteIfExists(segmentPath(id));
        segments.remove(id);
        totalBytes -= scanned[0];
      }
    }
    if (cursor != null && segments.containsKey(cursor.segment())) {
      ackSegment = cursor.segment();
      ackOffset = cursor.offset();
    }
    readSegment = segments.isEmpty() ? -1 : segments.firstKey();
    readOffset = readSegment == ackSegment ? ackOffset : 0;
    if (records > 0) {
      LOGGER.info("Disk buffer {}: {} records ({} bytes) from an earlier run will be replayed first", dir, records, totalBytes);
    }
  }

  /** Validates the frames of a segment from {@code start}; cuts a torn or corrupt tail. Returns {size, records}. */
  private long[] scan(long id, long start) throws IOException {
    Path path = segmentPath(id);
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      long offset = Math.min(start, size);
      long count = 0;
      ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER);
      while (offset < size) {
        header.clear();
        if (readFully(ch, header, offset) < FRAME_HEADER) {
          break;
        }
        int length = header.getInt(0);
        int crc = header.getInt(4);
        if (length <= 0 || offset + FRAME_HEADER + length > size) {
          break;
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(ch, body, offset + FRAME_HEADER);
        if (!DiskRecordCodec.intact(body.array(), length, crc)) {
          break;
        }
        offset += FRAME_HEADER + length;
        count++;
      }
      if (offset < size) {
        LOGGER.warn("Disk buffer segment {}: cutting {} bytes of torn or corrupt data at offset {} (a crash during a write)",
          path, size - offset, offset);
        ch.truncate(offset);
      }
      return new long[] {offset, count};
    }
  }

  /** Records appended and not yet read back. */
  @Override
  public long unreadRecords() {
    return records;
  }

  /** Bytes appended and not yet read back. */
  @Override
  public long unreadBytes() {
    return unreadBytes;
  }

  /** Bytes on disk, acknowledged parts of the head segment included (they are freed with the segment). */
  @Override
  public long sizeBytes() {
    return totalBytes;
  }

  @Override
  public long maxBytes() {
    return maxBytes;
  }

  /** True when nothing is on disk at all: no unread and no unacknowledged record. */
  @Override
  public boolean isEmpty() {
    return segments.isEmpty();
  }

  /** Appends a record at the tail. Returns false, writing nothing, when the budget does not allow it. */
  @Override
  public boolean append(OutboundRecord record) {
    byte[] frame = DiskRecordCodec.encode(record);
    if (totalBytes + frame.length > maxBytes) {
      return false;
    }
    try {
      if (writeSegment < 0 || segments.get(writeSegment) > 0 && segments.get(writeSegment) + frame.length > segmentBytes) {
        roll(segments.isEmpty() ? FIRST_SEGMENT : segments.lastKey() + 1);
      }
      if (frame.length > writeBuffer.remaining()) {
        flushWrites();
      }
      if (frame.length > writeBuffer.capacity()) {
        writeAt(writeChannel, ByteBuffer.wrap(frame), writeFlushed);
        writeFlushed += frame.length;
      } else {
        writeBuffer.put(frame);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the disk buffer in " + dir, e);
    }
    segments.merge(writeSegment, (long) frame.length, Long::sum);
    if (readSegment < 0) {
      readSegment = writeSegment;
      readOffset = 0;
    }
    totalBytes += frame.length;
    unreadBytes += frame.length;
    records++;
    return true;
  }

  /**
   * Writes {@code older} (in order) into a new segment read before everything else, and forces it to the
   * device. For records that were in the producer's hands at shutdown: they are older than all buffered ones.
   *
   * @return how many did not fit in the budget (dropped; the caller counts and logs them)
   */
  @Override
  public List<OutboundRecord> prepend(List<OutboundRecord> older) throws IOException {
    if (older.isEmpty()) {
      return List.of();
    }
    long id = Math.min(segments.isEmpty() ? FIRST_SEGMENT : segments.firstKey(), FIRST_SEGMENT) - 1;
    List<OutboundRecord> dropped = new ArrayList<>();
    long size = 0;
    try (FileChannel ch = FileChannel.open(segmentPath(id), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (OutboundRecord r : older) {
        byte[] frame = DiskRecordCodec.encode(r);
        if (totalBytes + frame.length > maxBytes) {
          dropped.add(r);
          continue;
        }
        writeAt(ch, ByteBuffer.wrap(frame), size);
        size += frame.length;
        totalBytes += frame.length;
        unreadBytes += frame.length;
        records++;
      }
      ch.force(true);
    }
    segments.put(id, size);
    readSegment = id;
    readOffset = 0;
    peeked = null;
    return dropped;
  }

  /** The next unread record, without consuming it; {@code null} when everything was read. */
  @Override
  public OutboundRecord peek() {
    if (peeked != null) {
      return peeked;
    }
    if (records == 0) {
      return null;
    }
    try {
      while (true) {
        long segmentSize = segments.getOrDefault(readSegment, -1L);
        if (segmentSize < 0 || readOffset >= segmentSize) {
          Long next = segments.higherKey(readSegment);
          if (next == null) {
            throw new IllegalStateException("disk buffer counts " + records + " unread records but none is left to read");
          }
          readSegment = next;
          readOffset = 0;
          continue;
        }
        if (readSegment == writeSegment && readOffset + FRAME_HEADER > writeFlushed) {
          flushWrites();
        }
        ByteBuffer frame = frameAt(readSegment, readOffset);
        int length = frame.getInt(0);
        int crc = frame.getInt(4);
        byte[] body = new byte[length];
        frame.get(FRAME_HEADER, body);
        if (!DiskRecordCodec.intact(body, length, crc)) {
          throw new IllegalStateException("disk buffer segment " + segmentPath(readSegment) + " is corrupt at offset " + readOffset);
        }
        peeked = DiskRecordCodec.decode(body);
        peekedEnd = readOffset + FRAME_HEADER + length;
        return peeked;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the disk buffer in " + dir, e);
    }
  }

  /** Consumes the record returned by {@link #peek()}; returns where it ends, for {@link #acknowledged}. */
  @Override
  public Position advance() {
    if (peeked == null) {
      throw new IllegalStateException("advance() without a peeked record");
    }
    peeked = null;
    unreadBytes -= peekedEnd - readOffset;
    readOffset = peekedEnd;
    records--;
    return new Position(readSegment, readOffset);
  }

  /**
   * Kafka acknowledged every record read up to {@code position} (the caller reports positions in read order).
   * Deletes segments that are wholly acknowledged.
   */
  @Override
  public void acknowledged(Position position) {
    try {
      while (!segments.isEmpty() && segments.firstKey() < position.segment()) {
        deleteSegment(segments.firstKey());
      }
      ackSegment = position.segment();
      ackOffset = position.offset();
      cursorDirty = true;
      Long size = segments.get(ackSegment);
      boolean fullyAcked = size != null && ackOffset >= size;
      if (fullyAcked && (ackSegment != writeSegment || records == 0)) {
        deleteSegment(ackSegment);
        ackSegment = -1;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete a disk buffer segment in " + dir, e);
    }
  }

  @Override
  public SinkStatus.PreviousRun previousRun() {
    return previousRun;
  }

  /** When the previous process stopped cleanly (its stop time), or {@code null}: a first start, or a crash. */
  Long previousStopAtMs() {
    return previousStopAtMs;
  }

  /** The service's connections all stopped at {@code epochMs}: a clean close records that as the stop time. */
  void stoppedAt(long epochMs) {
    stoppedAtMs = epochMs;
  }

  /** The writer calls it with every {@link #flush()}. */
  @Override
  public void checkpoint(long received, long heldInMemory) {
    crashCheckpoint.write(received, heldInMemory);
  }

  /** Hands buffered appends to the OS and saves the acknowledgement cursor, so a crash loses neither. */
  @Override
  public void flush() {
    try {
      flushWrites();
      if (cursorDirty) {
        Path tmp = dir.resolve("cursor.tmp");
        Files.writeString(tmp, ackSegment < 0 ? "" : ackSegment + " " + ackOffset + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve("cursor"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        cursorDirty = false;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot flush the disk buffer in " + dir, e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (writeChannel != null) {
        flush();
        writeChannel.force(true);
      } else if (cursorDirty) {
        flush();
      }
      crashCheckpoint.clear(stoppedAtMs > 0 ? stoppedAtMs : System.currentTimeMillis());
    } finally {
      closeQuietly(writeChannel);
      closeQuietly(readChannel);
      lock.release();
      lockChannel.close();
    }
  }

  private void roll(long id) throws IOException {
    flushWrites();
    closeQuietly(writeChannel);
    writeSegment = id;
    writeChannel = FileChannel.open(segmentPath(id), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    writeFlushed = 0;
    segments.put(id, 0L);
  }

  private void flushWrites() throws IOException {
    if (writeChannel != null && writeBuffer.position() > 0) {
      writeBuffer.flip();
      writeAt(writeChannel, writeBuffer, writeFlushed);
      writeFlushed += writeBuffer.limit();
      writeBuffer.clear();
    }
  }

  private void deleteSegment(long id) throws IOException {
    Long size = segments.remove(id);
    if (size == null) {
      return;
    }
    if (id == writeSegment) {
      closeQuietly(writeChannel);
      writeChannel = null;
      writeSegment = -1;
      writeBuffer.clear();
    }
    if (id == readChannelSegment) {
      closeQuietly(readChannel);
      readChannel = null;
      readChannelSegment = -1;
      readBuffer.limit(0);
    }
    totalBytes -= size;
    Files.deleteIfExists(segmentPath(id));
    if (segments.isEmpty()) {
      readSegment = -1;
      readOffset = 0;
    }
  }

  /** A buffer positioned at 0 holding the whole frame at {@code offset} of {@code segment}. */
  private ByteBuffer frameAt(long segment, long offset) throws IOException {
    if (readChannelSegment != segment) {
      closeQuietly(readChannel);
      readChannel = FileChannel.open(segmentPath(segment), StandardOpenOption.READ);
      readChannelSegment = segment;
      readBuffer.limit(0);
    }
    ensureBuffered(offset, FRAME_HEADER);
    int length = readBuffer.getInt((int) (offset - readBufferOffset));
    if (length <= 0) {
      throw new IllegalStateException("disk buffer segment " + segmentPath(segment) + " has a bad frame length at offset " + offset);
    }
    ensureBuffered(offset, FRAME_HEADER + length);
    return readBuffer.slice((int) (offset - readBufferOffset), FRAME_HEADER + length);
  }

  private void ensureBuffered(long offset, int length) throws IOException {
    long bufferEnd = readBufferOffset + readBuffer.limit();
    if (offset >= readBufferOffset && offset + length <= bufferEnd) {
      return;
    }
    if (readBuffer.capacity() < length) {
      readBuffer = ByteBuffer.allocate(Math.max(length, READ_BUFFER));
    }
    readBuffer.clear();
    readBufferOffset = offset;
    int n = readFully(readChannel, readBuffer, offset);
    readBuffer.flip();
    if (n < length) {
      throw new IllegalStateException("disk buffer segment ends inside a frame at offset " + offset);
    }
  }

  private static int readFully(FileChannel ch, ByteBuffer buffer, long position) throws IOException {
    int total = 0;
    while (buffer.hasRemaining()) {
      int n = ch.read(buffer, position + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  private static void writeAt(FileChannel ch, ByteBuffer buffer, long position) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      at += ch.write(buffer, at);
    }
  }

  private Position readCursor() throws IOException {
    Path file = dir.resolve("cursor");
    if (!Files.exists(file)) {
      return null;
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    if (text.isEmpty()) {
      return null;
    }
    String[] parts = text.split(" ");
    try {
      return new Position(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
    } catch (RuntimeException e) {
      LOGGER.warn("Ignoring an unreadable disk buffer cursor \"{}\": buffered records may be sent again (downstream dedups on ingest_id)", text);
      return null;
    }
  }

  private Path segmentPath(long id) {
    return dir.resolve(String.format("%019d%s", id, SUFFIX));
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing left to do with it
      }
    }
  }

  /** For tests: segment ids currently on disk. */
  List<Long> segmentIds() {
    return List.copyOf(segments.keySet());
  }
}
