package dev.finnhubstream.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * One Finnhub connection as the status endpoint shows it: an immutable copy, taken on the connection's
 * event loop, so readers never see a half-updated state. It holds no token, only the connection's label.
 *
 * @param connection      label, e.g. {@code key-1}
 * @param state           see {@link ConnectionState}
 * @param sinceMs         when the current state began
 * @param paused          reading stopped by backpressure from the Kafka side
 * @param subscribed      subscribe sent and not refused (Finnhub acknowledges nothing)
 * @param pending         waiting to be subscribed on this connection
 * @param refused         refused as invalid: symbol → epoch ms of the next try
 * @param overCap         beyond the key's cap: symbol → epoch ms of the next try
 * @param effectiveCap    the cap in force: the configured one, or lower once learned from Finnhub's errors
 * @param reconnects      successful connections after the first
 * @param lastError       the latest failure, redacted
 * @param lastFrameAtMs   the latest frame of any kind (pings included); 0 if none yet
 * @param lastTradeAtMs   per symbol of the shard, receive time of its latest trade (absent if none yet)
 * @param counters        frames, trades, pings, errors... since start
 */
public record ConnectionSnapshot(String connection, ConnectionState state, long sinceMs, boolean paused,
                                 List<String> subscribed, List<String> pending, Map<String, Long> refused,
                                 Map<String, Long> overCap, int effectiveCap, long reconnects, String lastError,
                                 long lastFrameAtMs, Map<String, Long> lastTradeAtMs, JsonObject counters) {

  public ConnectionSnapshot {
    subscribed = List.copyOf(subscribed);
    pending = List.copyOf(pending);
    refused = Map.copyOf(refused);
    overCap = Map.copyOf(overCap);
    lastTradeAtMs = Map.copyOf(lastTradeAtMs);
    counters = counters.copy();
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("connection", connection)
      .put("state", state.name())
      .put("since_ms", sinceMs)
      .put("paused", paused)
      .put("subscribed", new JsonArray(subscribed))
      .put("pending", new JsonArray(pending))
      .put("refused", toJson(refused))
      .put("over_cap", toJson(overCap))
      .put("effective_cap", effectiveCap)
      .put("reconnects", reconnects)
      .put("last_error", lastError)
      .put("last_frame_at_ms", lastFrameAtMs == 0 ? null : lastFrameAtMs)
      .put("last_trade_at_ms", toJson(lastTradeAtMs))
      .put("counters", counters.copy());
  }

  private static JsonObject toJson(Map<String, Long> map) {
    JsonObject o = new JsonObject();
    new java.util.TreeMap<>(map).forEach(o::put);
    return o;
  }
}
