package dev.finnhubstream.sink;

import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.config.RecordConfig;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The Kafka record value: one flat JSON object per trade, with exactly the fields of the record contract
 * ({@code clickhouse.md} §2) that ClickHouse and Data Transfer read:
 * {@code symbol, trade_ts_ms, price, volume, conditions, received_at_ms, ingest_id, schema_version}.
 *
 * <p>Written by hand rather than through a generic encoder: the field set is fixed, it is the hot path,
 * and this way the output is exactly the contract (no extra or renamed fields by accident).
 */
public final class TradeJson {

  /** The contract's fields and their logical types ({@link RecordConfig#TYPES}), in the order they are written. */
  public static final List<RecordConfig.Field> WRITTEN = List.of(
    new RecordConfig.Field("symbol", "string", true),
    new RecordConfig.Field("trade_ts_ms", "int64", true),
    new RecordConfig.Field("price", "float64", false),
    new RecordConfig.Field("volume", "float64", false),
    new RecordConfig.Field("conditions", "array<string>", false),
    new RecordConfig.Field("received_at_ms", "int64", false),
    new RecordConfig.Field("ingest_id", "string", true),
    new RecordConfig.Field("schema_version", "int32", false));

  /** The field names, in the order they are written. */
  public static final List<String> FIELDS = WRITTEN.stream().map(RecordConfig.Field::name).toList();

  private TradeJson() {
  }

  /**
   * Fails start-up when {@code record.fields} in the config and what this class writes differ, so the
   * ClickHouse columns and the Data Transfer parser (built from the config) can never drift from the records.
   */
  public static void checkContract(RecordConfig record) {
    if (!record.fields().equals(WRITTEN)) {
      throw new ConfigException("record.fields", "the service writes " + describe(WRITTEN) + " but the config lists "
        + describe(record.fields()), "make record.fields match the writer (a new field needs a new writer, schemas and a schema_version decision)");
    }
  }

  private static String describe(List<RecordConfig.Field> fields) {
    return fields.stream().map(f -> f.name() + ":" + f.type() + (f.key() ? "*" : "")).toList().toString();
  }

  /** The record value as UTF-8 bytes: what goes to Kafka. */
  public static byte[] toJsonBytes(Trade t) {
    return WRITER.get().trade(t);
  }

  /**
   * A trade's record key, the symbol as UTF-8. The same array for the same symbol while it stays in this thread's
   * cache (the producer and the disk buffer only read keys): the parser hands over one String per symbol, so a
   * hit is one identity check instead of an encoding and an allocation per trade.
   */
  static byte[] keyBytes(String symbol) {
    return WRITER.get().key(symbol);
  }

  /** The record value as text (tests, logs). */
  public static String toJson(Trade t) {
    return new String(toJsonBytes(t), StandardCharsets.UTF_8);
  }

  /** How {@link #toJsonBytes} writes a double: exposed for the round-trip test. */
  static String formatDouble(double v) {
    Writer w = WRITER.get();
    w.length = 0;
    w.decimal(v);
    return new String(w.buffer, 0, w.length, StandardCharsets.US_ASCII);
  }

  /** One scratch buffer per thread: a record costs one exact-size array, not a builder, a string and a copy. */
  private static final ThreadLocal<Writer> WRITER = ThreadLocal.withInitial(Writer::new);
  private static final long[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /**
   * Writes JSON straight into bytes. Structure and numbers are ASCII; strings are escaped per RFC 8259 §7 and
   * non-ASCII characters encoded as UTF-8 (an unpaired surrogate becomes '?', as {@link String#getBytes} does).
   */
  private static final class Writer {
    private static final int KEY_SLOTS = 256;
    private byte[] buffer = new byte[512];
    private int length;
    /** Direct-mapped by the symbol's hash; a colliding symbol replaces the entry. */
    private final String[] keySymbols = new String[KEY_SLOTS];
    private final byte[][] keys = new byte[KEY_SLOTS][];

    byte[] key(String symbol) {
      int slot = symbol.hashCode() & (KEY_SLOTS - 1);
      String cached = keySymbols[slot];
      if (cached == symbol || cached != null && cached.equals(symbol)) {
        return keys[slot];
      }
      byte[] bytes = symbol.getBytes(StandardCharsets.UTF_8);
      keySymbols[slot] = symbol;
      keys[slot] = bytes;
      return bytes;
    }

    byte[] trade(Trade t) {
      length = 0;
      ascii("{\"symbol\":");
      string(t.symbol());
      ascii(",\"trade_ts_ms\":");
      integer(t.tradeTsMs());
      ascii(",\"price\":");
      decimal(t.price());
      ascii(",\"volume\":");
      decimal(t.volume());
      ascii(",\"conditions\":[");
      for (int i = 0; i < t.conditions().size(); i++) {
        if (i > 0) {
          put((byte) ',');
        }
        string(t.conditions().get(i));
      }
      ascii("],\"received_at_ms\":");
      integer(t.receivedAtMs());
      ascii(",\"ingest_id\":");
      string(t.ingestId());
      ascii(",\"schema_version\":");
      integer(Trade.SCHEMA_VERSION);
      put((byte) '}');
      return Arrays.copyOf(buffer, length);
    }

    private void ensure(int extra) {
      if (length + extra > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + extra));
      }
    }

    private void put(byte b) {
      ensure(1);
      buffer[length++] = b;
    }

    /** Text known to be ASCII (field names, punctuation, number text). */
    private void ascii(String s) {
      ensure(s.length());
      for (int i = 0; i < s.length(); i++) {
        buffer[length++] = (byte) s.charAt(i);
      }
    }

    private void integer(long v) {
      if (v == Long.MIN_VALUE) {
        ascii(Long.toString(v));
        return;
      }
      ensure(20);
      if (v < 0) {
        buffer[length++] = '-';
        v = -v;
      }
      int digits = 1;
      for (long p = 10; p <= v && digits < 19; p *= 10) {
        digits++;
      }
      for (int i = length + digits - 1; i >= length; i--) {
        buffer[i] = (byte) ('0' + v % 10);
        v /= 10;
      }
      length += digits;
    }

    /**
     * Writes {@code v} as {@link Double#toString} does for prices and volumes (plain notation, at most six
     * decimals) without its general algorithm, which the benchmark's profile showed as the costliest part of
     * a record; anything else goes through {@code Double.toString}. The digits always parse back to exactly
     * {@code v}: they are used only if {@code m / 10^k == v} in double arithmetic, and that division is
     * correctly rounded, as is parsing the decimal {@code m·10^-k}.
     */
    void decimal(double v) {
      double abs = Math.abs(v);
      if (abs >= 1e-3 && abs < 1e7) {
        for (int k = 1; k < POW10.length; k++) {
          long m = Math.round(abs * POW10[k]);
          if (m / (double) POW10[k] == abs) {
            if (v < 0) {
              put((byte) '-');
            }
            long fraction = m % POW10[k];
            integer(m / POW10[k]);
            put((byte) '.');
            if (fraction == 0) {
              put((byte) '0'); // only for k = 1: an integral value, written "12.0" like Double.toString
              return;
            }
            for (long p = POW10[k] / 10; p > fraction; p /= 10) {
              put((byte) '0');
            }
            integer(fraction);
            return;
          }
        }
      }
      ascii(Double.toString(v));
    }

    /** A JSON string (RFC 8259 §7). */
    private void string(String s) {
      ensure(s.length() * 3 + 2);
      buffer[length++] = '"';
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
          buffer[length++] = (byte) c;
        } else if (c < 0x80) {
          escape(c);
        } else if (c < 0x800) {
          buffer[length++] = (byte) (0xC0 | c >> 6);
          buffer[length++] = (byte) (0x80 | c & 0x3F);
        } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          ensure(4);
          buffer[length++] = (byte) (0xF0 | cp >> 18);
          buffer[length++] = (byte) (0x80 | cp >> 12 & 0x3F);
          buffer[length++] = (byte) (0x80 | cp >> 6 & 0x3F);
          buffer[length++] = (byte) (0x80 | cp & 0x3F);
        } else if (Character.isSurrogate(c)) {
          buffer[length++] = '?';
        } else {
          buffer[length++] = (byte) (0xE0 | c >> 12);
          buffer[length++] = (byte) (0x80 | c >> 6 & 0x3F);
          buffer[length++] = (byte) (0x80 | c & 0x3F);
        }
      }
      put((byte) '"');
    }

    private void escape(char c) {
      ensure(6);
      buffer[length++] = '\\';
      switch (c) {
        case '"' -> buffer[length++] = '"';
        case '\\' -> buffer[length++] = '\\';
        case '\n' -> buffer[length++] = 'n';
        case '\r' -> buffer[length++] = 'r';
        case '\t' -> buffer[length++] = 't';
        default -> {
          buffer[length++] = 'u';
          buffer[length++] = '0';
          buffer[length++] = '0';
          buffer[length++] = HEX[c >> 4];
          buffer[length++] = HEX[c & 0xF];
        }
      }
    }
  }
}
