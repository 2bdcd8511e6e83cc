package dev.finnhubstream.ingest;

import io.vertx.core.json.JsonObject;

/**
 * What one Finnhub connection has counted since start. Mutated only on the verticle's event loop, so
 * plain fields suffice; readers get a copy through {@link ConnectionSnapshot}.
 */
final class IngestCounters {

  long connectAttempts;
  long failedConnects;
  long disconnects;
  long watchdogTrips;
  long lastReconnectDelayMs;
  long lastFrameAtMs;
  long frames;
  long bytes;
  long trades;
  long rejectedTrades;
  long pings;
  long serverErrors;
  long capErrors;
  long invalidSymbolErrors;
  long unknownFrames;
  long malformedFrames;
  long emptyTradeFrames;
  long subscribeFrames;
  long pauses;

  JsonObject toJson() {
    return new JsonObject()
      .put("connect_attempts", connectAttempts)
      .put("failed_connects", failedConnects)
      .put("disconnects", disconnects)
      .put("watchdog_trips", watchdogTrips)
      .put("last_reconnect_delay_ms", lastReconnectDelayMs)
      .put("frames", frames)
      .put("bytes", bytes)
      .put("trades", trades)
      .put("rejected_trades", rejectedTrades)
      .put("pings", pings)
      .put("server_errors", serverErrors)
      .put("cap_errors", capErrors)
      .put("invalid_symbol_errors", invalidSymbolErrors)
      .put("unknown_frames", unknownFrames)
      .put("malformed_frames", malformedFrames)
      .put("empty_trade_frames", emptyTradeFrames)
      .put("subscribe_frames", subscribeFrames)
      .put("pauses", pauses);
  }
}
