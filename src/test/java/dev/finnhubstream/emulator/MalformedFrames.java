package dev.finnhubstream.emulator;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A strict client-side reading of a server frame, independent of how the emulator builds them: which
 * {@link MalformedKind} a frame is, or {@code null} when it is a ping, an error or a fully valid trade frame.
 */
final class MalformedFrames {

  private MalformedFrames() {
  }

  static MalformedKind kindOf(String text) {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException e) {
      // Standard JSON has no NaN; Jackson refuses it as it refuses a cut-off object.
      return text.contains("NaN") ? MalformedKind.NAN : MalformedKind.TRUNCATED_JSON;
    }
    Object type = json.getValue("type");
    if ("ping".equals(type) || "error".equals(type)) {
      return null;
    }
    if (!"trade".equals(type)) {
      return MalformedKind.UNKNOWN_TYPE;
    }
    JsonArray data = json.getJsonArray("data");
    if (data.isEmpty()) {
      return MalformedKind.EMPTY_DATA;
    }
    for (int i = 0; i < data.size(); i++) {
      JsonObject trade = data.getJsonObject(i);
      if (!trade.containsKey("p") || !trade.containsKey("s")) {
        return MalformedKind.MISSING_FIELDS;
      }
      if (!(trade.getValue("p") instanceof Number) || !(trade.getValue("t") instanceof Number)
        || !(trade.getValue("s") instanceof String)) {
        return MalformedKind.WRONG_TYPES;
      }
    }
    return null;
  }
}
