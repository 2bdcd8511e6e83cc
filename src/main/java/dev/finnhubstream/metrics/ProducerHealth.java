package dev.finnhubstream.metrics;

import io.vertx.core.json.JsonObject;

/**
 * Whether the Kafka producer works, judged from the writer's status replies (one a second): it does not when
 * the writer stops answering, declares an outage ({@code mode: OUTAGE}), or has records in flight and no
 * acknowledgement for {@link #STALL_MS}. Event-loop only.
 */
final class ProducerHealth {

  static final long STALL_MS = 10_000;
  private static final int MISSED_REPLIES = 3;

  private long lastAcked = -1;
  private long lastProgressAtMs = System.currentTimeMillis();
  private int missedReplies;
  private String problem;

  void onReply(JsonObject sink, long nowMs) {
    missedReplies = 0;
    long acked = sink.getLong("acked", 0L);
    long inFlight = inFlight(sink);
    if (acked != lastAcked || inFlight == 0) {
      lastProgressAtMs = nowMs;
    }
    lastAcked = acked;
    if ("OUTAGE".equals(sink.getString("mode"))) {
      problem = "the Kafka writer is in outage mode: Kafka does not acknowledge, trades go to the disk buffer";
    } else if (inFlight > 0 && nowMs - lastProgressAtMs >= STALL_MS) {
      problem = "no Kafka acknowledgement for " + (nowMs - lastProgressAtMs) / 1000 + " s with " + inFlight + " records in flight";
    } else {
      problem = null;
    }
  }

  void onNoReply(String cause) {
    if (++missedReplies >= MISSED_REPLIES) {
      problem = "the Kafka writer does not answer status requests (" + cause + ")";
    }
  }

  boolean healthy() {
    return problem == null;
  }

  JsonObject toJson() {
    return new JsonObject().put("healthy", problem == null).put("problem", problem);
  }

  /** Records handed to the producer and not yet acknowledged or failed, whichever way the writer reports it. */
  static long inFlight(JsonObject sink) {
    if (sink.getValue("in_flight_records") instanceof Number n) {
      return n.longValue();
    }
    if (sink.getValue("in_flight") instanceof Number n) {
      return n.longValue();
    }
    return Math.max(0, sink.getLong("received", 0L) - sink.getLong("acked", 0L) - sink.getLong("failed", 0L));
  }
}
