package dev.finnhubstream.http;

import dev.finnhubstream.ingest.ConnectionSnapshot;
import dev.finnhubstream.ingest.ConnectionState;
import dev.finnhubstream.metrics.MetricsStatus;
import dev.finnhubstream.sink.SinkStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /ready}: ready only when every Finnhub connection this instance holds is connected with at least one
 * symbol subscribed and the Kafka producer is healthy. A key another instance holds (STANDBY) is not this one's to
 * serve: a healthy standby is ready, so that an instance group never recycles it. Every failed check becomes one
 * reason, so a 503 says what to look at.
 */
final class Readiness {

  private Readiness() {
  }

  /**
   * @param names        the connections' labels
   * @param connections  each connection's snapshot, in the order of {@code names}; {@code null} when it did not answer
   * @param sink         the Kafka writer's status, or {@code null} when it did not answer
   * @param kafkaHealth  the metrics verticle's verdict on the producer, or {@code null} when it did not answer
   * @return {@code {"ready": bool, "reasons": [...]}}
   */
  static JsonObject evaluate(List<String> names, List<ConnectionSnapshot> connections, SinkStatus sink,
                             MetricsStatus.KafkaHealth kafkaHealth) {
    List<String> reasons = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      ConnectionSnapshot s = connections.get(i);
      if (s == null) {
        reasons.add(name + ": the Finnhub connection does not answer status requests");
      } else if (s.state() == ConnectionState.STANDBY || s.state() == ConnectionState.RETIRED) {
        continue; // held by another instance, or a removed key's place
      } else if (s.state() != ConnectionState.CONNECTED) {
        String error = s.lastError();
        reasons.add(name + ": not connected to Finnhub (state " + s.state() + (error == null ? "" : "; last error: " + error) + ")");
      } else if (s.subscribed().isEmpty()) {
        reasons.add(name + ": connected, but no symbol subscribed yet");
      }
    }
    if (sink == null) {
      reasons.add("kafka: the Kafka writer does not answer status requests");
    } else if (sink.outage()) {
      reasons.add("kafka: the Kafka writer is in outage mode (Kafka does not acknowledge; trades go to the disk buffer)");
    } else if (kafkaHealth != null && !kafkaHealth.healthy()) {
      reasons.add("kafka: " + kafkaHealth.problem());
    }
    return new JsonObject().put("ready", reasons.isEmpty()).put("reasons", new JsonArray(reasons));
  }
}
