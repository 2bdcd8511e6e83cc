package dev.finnhubstream.ingest;

import io.vertx.core.json.JsonObject;

/**
 * What one Finnhub connection has seen, for the status endpoint. Mutated only on the verticle's event
 * loop, so plain fields suffice; readers get a JSON snapshot through the event bus.
 */
final class IngestCounters {

  long connectAttempts;
  long disconnects;
  long connectedSinceMs;
  long lastFrameAtMs;
  long frames;
  long bytes;
  long trades;
  long rejectedTrades;
  long pings;
  long serverErrors;
  long unknownFrames;
  long malformedFrames;
  long pauses;
  String lastError;

  JsonObject toJson() {
    return new JsonObject()
      .put("connect_attempts", connectAttempts)
      .put("disconnects", disconnects)
      .put("connected_since_ms", connectedSinceMs == 0 ? null : connectedSinceMs)
      .put("last_frame_at_ms", lastFrameAtMs == 0 ? null : lastFrameAtMs)
      .put("frames", frames)
      .put("bytes", bytes)
      .put("trades", trades)
      .put("rejected_trades", rejectedTrades)
      .put("pings", pings)
      .put("server_errors", serverErrors)
      .put("unknown_frames", unknownFrames)
      .put("malformed_frames", malformedFrames)
      .put("pauses", pauses)
      .put("last_error", lastError);
  }
}
