package dev.finnhubstream.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /ready}: ready only when every Finnhub connection is connected with at least one symbol subscribed
 * and the Kafka producer is healthy. Every failed check becomes one reason, so a 503 says what to look at.
 */
final class Readiness {

  private Readiness() {
  }

  /**
   * @param connections  connection label → its snapshot, or {@code null} when it did not answer
   * @param sink         the Kafka writer's status, or {@code null} when it did not answer
   * @param kafkaHealth  the metrics verticle's verdict on the producer ({@code {"healthy", "problem"}}), or {@code null}
   * @return {@code {"ready": bool, "reasons": [...]}}
   */
  static JsonObject evaluate(List<String> names, List<JsonObject> connections, JsonObject sink, JsonObject kafkaHealth) {
    List<String> reasons = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      JsonObject s = connections.get(i);
      if (s == null) {
        reasons.add(name + ": the Finnhub connection does not answer status requests");
      } else if (!"CONNECTED".equals(s.getString("state"))) {
        String error = s.getString("last_error");
        reasons.add(name + ": not connected to Finnhub (state " + s.getString("state") + (error == null ? "" : "; last error: " + error) + ")");
      } else if (s.getJsonArray("subscribed", new JsonArray()).isEmpty()) {
        reasons.add(name + ": connected, but no symbol subscribed yet");
      }
    }
    if (sink == null) {
      reasons.add("kafka: the Kafka writer does not answer status requests");
    } else if ("OUTAGE".equals(sink.getString("mode"))) {
      reasons.add("kafka: the Kafka writer is in outage mode (Kafka does not acknowledge; trades go to the disk buffer)");
    } else if (kafkaHealth != null && !kafkaHealth.getBoolean("healthy", true)) {
      reasons.add("kafka: " + kafkaHealth.getString("problem"));
    }
    return new JsonObject().put("ready", reasons.isEmpty()).put("reasons", new JsonArray(reasons));
  }
}
