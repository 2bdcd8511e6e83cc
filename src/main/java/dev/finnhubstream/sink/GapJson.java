package dev.finnhubstream.sink;

import dev.finnhubstream.bus.FeedGap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The gap topic's record value: one flat JSON object per closed {@link FeedGap}, the columns of ClickHouse's
 * {@code feed_gaps} (docs/gaps.md), e.g.
 * {@code {"gap_id":"…","connection":"key-1","symbols":["AAPL"],"from_ms":…,"to_ms":…,"duration_ms":…,
 * "reason":"disconnected","market_open":"open","schema_version":1}}. Gaps are rare, so a generic encoder is fine.
 */
public final class GapJson {

  /** The field names, in the order they are written: the ClickHouse schemas and the Data Transfer parser use them. */
  public static final List<String> FIELDS = List.of("gap_id", "connection", "symbols", "from_ms", "to_ms", "duration_ms",
    "reason", "market_open", "schema_version");
  static final int SCHEMA_VERSION = 1;

  private GapJson() {
  }

  public static String toJson(FeedGap g) {
    if (g.open()) {
      throw new IllegalArgumentException("only closed gaps are written: " + g);
    }
    return new JsonObject()
      .put("gap_id", g.gapId())
      .put("connection", g.connection())
      .put("symbols", new JsonArray(g.symbols()))
      .put("from_ms", g.fromMs())
      .put("to_ms", g.toMs())
      .put("duration_ms", g.toMs() - g.fromMs())
      .put("reason", g.reason())
      .put("market_open", g.marketOpen() == null ? "unknown" : g.marketOpen())
      .put("schema_version", SCHEMA_VERSION)
      .encode();
  }

  static byte[] toJsonBytes(FeedGap g) {
    return toJson(g).getBytes(StandardCharsets.UTF_8);
  }
}
