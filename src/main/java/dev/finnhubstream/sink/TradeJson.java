package dev.finnhubstream.sink;

import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.config.RecordConfig;
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

  public static String toJson(Trade t) {
    StringBuilder sb = new StringBuilder(160);
    sb.append("{\"symbol\":");
    appendString(sb, t.symbol());
    sb.append(",\"trade_ts_ms\":").append(t.tradeTsMs());
    sb.append(",\"price\":").append(t.price());
    sb.append(",\"volume\":").append(t.volume());
    sb.append(",\"conditions\":[");
    for (int i = 0; i < t.conditions().size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      appendString(sb, t.conditions().get(i));
    }
    sb.append("],\"received_at_ms\":").append(t.receivedAtMs());
    sb.append(",\"ingest_id\":");
    appendString(sb, t.ingestId());
    sb.append(",\"schema_version\":").append(Trade.SCHEMA_VERSION).append('}');
    return sb.toString();
  }

  /** JSON string escaping (RFC 8259 §7); non-ASCII characters pass through as UTF-8. */
  static void appendString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
