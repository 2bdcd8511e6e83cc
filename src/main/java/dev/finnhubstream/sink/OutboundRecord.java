package dev.finnhubstream.sink;

import dev.finnhubstream.bus.DeadLetter;
import dev.finnhubstream.bus.FeedGap;
import dev.finnhubstream.bus.Trade;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * One Kafka record as the writer holds it between the event bus and the broker: already serialized, so the
 * same bytes go to Kafka, to the disk buffer and back. The topic is not stored, only the {@link Kind}: a
 * record replayed from disk after a restart goes to the topic configured now.
 *
 * @param kind         which topic it belongs to
 * @param key          record key (the symbol for trades), or {@code null}
 * @param value        record value
 * @param headers      record headers (dead letters carry their reason and receive time here)
 * @param receivedAtMs when the data reached the service; acknowledgement latency is measured from it
 * @param id           what names the record in a log line: the trade's ingest id, or the dead letter's reason
 * @param keyText      the key as text (logs, the per-symbol acknowledged counts); a trade passes its symbol, so the
 *                     acknowledgement of every trade does not decode its key again
 */
record OutboundRecord(Kind kind, byte[] key, byte[] value, List<Header> headers, long receivedAtMs, String id, String keyText) {

  /** Object overhead per record beyond its byte arrays (record, arrays, Kafka's ProducerRecord, bookkeeping). */
  static final int OVERHEAD_BYTES = 160;

  enum Kind {
    TRADE((byte) 1),
    DEAD_LETTER((byte) 2),
    GAP((byte) 3);

    final byte code;

    Kind(byte code) {
      this.code = code;
    }

    static Kind of(byte code) {
      for (Kind k : values()) {
        if (k.code == code) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown record kind " + code);
    }
  }

  OutboundRecord {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
    headers = headers == null ? List.of() : List.copyOf(headers);
    Objects.requireNonNull(id, "id");
    if (keyText == null && key != null) {
      keyText = new String(key, StandardCharsets.UTF_8);
    }
  }

  /** A record whose key text is decoded from its key (read back from disk, dead letters, gaps). */
  OutboundRecord(Kind kind, byte[] key, byte[] value, List<Header> headers, long receivedAtMs, String id) {
    this(kind, key, value, headers, receivedAtMs, id, null);
  }

  /** Dead-letter header names (README, "Dead letters"). */
  static final String HEADER_REASON = "reason";
  static final String HEADER_RECEIVED_AT_MS = "received_at_ms";
  static final String HEADER_CONNECTION = "connection";
  static final String HEADER_FRAME_SEQ = "frame_seq";
  static final String HEADER_PAYLOAD_BYTES = "payload_bytes";
  static final String HEADER_TRUNCATED = "truncated";

  /** A trade: key = symbol (UTF-8), value = {@link TradeJson}. */
  static OutboundRecord trade(Trade t) {
    return new OutboundRecord(Kind.TRADE, TradeJson.keyBytes(t.symbol()), TradeJson.toJsonBytes(t), List.of(), t.receivedAtMs(),
      t.ingestId(), t.symbol());
  }

  /**
   * A dead letter: key = reason, value = the raw payload cut to at most {@code maxPayloadBytes} UTF-8 bytes
   * (never inside a character), headers = reason, receive time, connection, frame number, the payload's
   * full size and whether it was cut.
   */
  static OutboundRecord deadLetter(DeadLetter d, int maxPayloadBytes) {
    String payload = d.payload();
    long fullBytes = utf8Length(payload);
    byte[] value;
    if (fullBytes <= maxPayloadBytes) {
      value = payload.getBytes(StandardCharsets.UTF_8);
    } else {
      CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
      ByteBuffer out = ByteBuffer.allocate(maxPayloadBytes);
      // Stops with OVERFLOW before a character that does not fit whole: the cut never splits a character.
      encoder.encode(CharBuffer.wrap(payload, 0, (int) Math.min(payload.length(), maxPayloadBytes)), out, true);
      value = Arrays.copyOf(out.array(), out.position());
    }
    List<Header> headers = List.of(
      header(HEADER_REASON, d.reason()),
      header(HEADER_RECEIVED_AT_MS, Long.toString(d.receivedAtMs())),
      header(HEADER_CONNECTION, d.connection() == null ? "" : d.connection()),
      header(HEADER_FRAME_SEQ, Long.toString(d.frameSeq())),
      header(HEADER_PAYLOAD_BYTES, Long.toString(fullBytes)),
      header(HEADER_TRUNCATED, Boolean.toString(fullBytes > maxPayloadBytes)));
    return new OutboundRecord(Kind.DEAD_LETTER, d.reason().getBytes(StandardCharsets.UTF_8), value, headers,
      d.receivedAtMs(), d.reason() + " (frame " + d.frameSeq() + ")");
  }

  /**
   * A closed feed gap: key = the connection's label (a connection's gaps stay in order on one partition), value =
   * {@link GapJson}; its receive time is its end, when it became a record.
   */
  static OutboundRecord gap(FeedGap g) {
    return new OutboundRecord(Kind.GAP, g.connection().getBytes(StandardCharsets.UTF_8), GapJson.toJsonBytes(g), List.of(),
      g.toMs(), "gap " + g.gapId());
  }

  private static Header header(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }

  /** UTF-8 length without encoding; an unpaired surrogate counts as the 1-byte '?' the encoder writes for it. */
  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n += 1;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** Approximate heap bytes held by this record: what the writer's memory bounds count. */
  long heapBytes() {
    long bytes = OVERHEAD_BYTES + value.length + (key == null ? 0 : key.length) + 2L * id.length();
    for (Header h : headers) {
      bytes += 48 + 2L * h.key().length() + (h.value() == null ? 0 : h.value().length);
    }
    return bytes;
  }
}
