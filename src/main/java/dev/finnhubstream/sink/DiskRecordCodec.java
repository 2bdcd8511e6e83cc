package dev.finnhubstream.sink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The on-disk form of one {@link OutboundRecord}, as {@link DiskBuffer} stores it: a frame
 * {@code [int length][int crc32c][body]}. The checksum is what lets the buffer tell a frame torn by a crash, or
 * damaged on disk, from a good one, so it cuts it off at start-up instead of replaying garbage.
 *
 * <p>Body: kind, receivedAtMs, key (length -1 = null), value, headers (count, then name + value each), id. The
 * topic is not stored (see {@link OutboundRecord}).
 */
final class DiskRecordCodec {

  /** Length and checksum ahead of each body. */
  static final int FRAME_HEADER = 8;

  private DiskRecordCodec() {
  }

  /** The whole frame, header included. */
  static byte[] encode(OutboundRecord r) {
    byte[] id = r.id().getBytes(StandardCharsets.UTF_8);
    int size = 1 + 8 + 4 + (r.key() == null ? 0 : r.key().length) + 4 + r.value().length + 2 + 4 + id.length;
    List<byte[]> names = new ArrayList<>(r.headers().size());
    for (Header h : r.headers()) {
      byte[] name = h.key().getBytes(StandardCharsets.UTF_8);
      names.add(name);
      size += 2 + name.length + 4 + (h.value() == null ? 0 : h.value().length);
    }
    ByteBuffer b = ByteBuffer.allocate(FRAME_HEADER + size);
    b.position(FRAME_HEADER);
    b.put(r.kind().code).putLong(r.receivedAtMs());
    putBytes(b, r.key());
    putBytes(b, r.value());
    b.putShort((short) r.headers().size());
    for (int i = 0; i < names.size(); i++) {
      b.putShort((short) names.get(i).length).put(names.get(i));
      putBytes(b, r.headers().get(i).value());
    }
    putBytes(b, id);
    byte[] frame = b.array();
    b.putInt(0, size).putInt(4, crc(frame, FRAME_HEADER, size));
    return frame;
  }

  /** The record of a frame's body (the frame without its header), whose checksum {@link #intact} confirmed. */
  static OutboundRecord decode(byte[] body) {
    ByteBuffer b = ByteBuffer.wrap(body);
    OutboundRecord.Kind kind = OutboundRecord.Kind.of(b.get());
    long receivedAt = b.getLong();
    byte[] key = getBytes(b);
    byte[] value = getBytes(b);
    int count = b.getShort();
    List<Header> headers = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] name = new byte[b.getShort()];
      b.get(name);
      headers.add(new RecordHeader(new String(name, StandardCharsets.UTF_8), getBytes(b)));
    }
    String id = new String(getBytes(b), StandardCharsets.UTF_8);
    return new OutboundRecord(kind, key, value, headers, receivedAt, id);
  }

  /** Whether the first {@code length} bytes of {@code body} match the checksum of their frame header. */
  static boolean intact(byte[] body, int length, int crc) {
    return crc(body, 0, length) == crc;
  }

  private static void putBytes(ByteBuffer b, byte[] bytes) {
    if (bytes == null) {
      b.putInt(-1);
    } else {
      b.putInt(bytes.length).put(bytes);
    }
  }

  private static byte[] getBytes(ByteBuffer b) {
    int length = b.getInt();
    if (length < 0) {
      return null;
    }
    byte[] bytes = new byte[length];
    b.get(bytes);
    return bytes;
  }

  private static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }
}
