package dev.finnhubstream.metrics;

import dev.finnhubstream.sink.SinkStatus;

/**
 * Whether the Kafka producer works, judged from the writer's status replies (one a second): it does not when
 * the writer stops answering, declares an outage, or has records in flight and no acknowledgement for
 * {@link #STALL_MS}. Event-loop only.
 */
final class ProducerHealth {

  static final long STALL_MS = 10_000;
  private static final int MISSED_REPLIES = 3;

  private long lastAcked = -1;
  private long lastProgressAtMs = System.currentTimeMillis();
  private int missedReplies;
  private String problem;

  void onReply(SinkStatus sink, long nowMs) {
    missedReplies = 0;
    long inFlight = sink.delivery().inFlightRecords();
    if (sink.acked() != lastAcked || inFlight == 0) {
      lastProgressAtMs = nowMs;
    }
    lastAcked = sink.acked();
    if (sink.outage()) {
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

  MetricsStatus.KafkaHealth status() {
    return new MetricsStatus.KafkaHealth(problem == null, problem);
  }
}
