package dev.finnhubstream.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProducerHealthTest {

  private static JsonObject sink(long received, long acked) {
    return new JsonObject().put("received", received).put("acked", acked).put("failed", 0L).put("in_flight", received - acked);
  }

  @Test
  @DisplayName("unhealthy STALL_MS after the last acknowledgement (or idle moment) while records are in flight; healthy once acks move")
  void stall() {
    ProducerHealth h = new ProducerHealth();
    h.onReply(sink(10, 10), 0);
    h.onReply(sink(20, 10), 1_000);
    h.onReply(sink(30, 10), ProducerHealth.STALL_MS - 1);
    assertThat(h.healthy()).isTrue();
    h.onReply(sink(30, 10), ProducerHealth.STALL_MS);
    assertThat(h.healthy()).isFalse();
    assertThat(h.toJson().getString("problem")).contains("no Kafka acknowledgement").contains("20 records in flight");
    h.onReply(sink(30, 25), ProducerHealth.STALL_MS + 1);
    assertThat(h.healthy()).isTrue();
  }

  @Test
  @DisplayName("idle is healthy however long; outage mode and a silent writer are not")
  void idleOutageSilence() {
    ProducerHealth h = new ProducerHealth();
    h.onReply(sink(5, 5), 0);
    h.onReply(sink(5, 5), 10 * ProducerHealth.STALL_MS);
    assertThat(h.healthy()).isTrue();
    h.onReply(sink(5, 5).put("mode", "OUTAGE"), 10 * ProducerHealth.STALL_MS + 1);
    assertThat(h.toJson().getString("problem")).contains("outage");
    h.onReply(sink(5, 5).put("mode", "DIRECT"), 10 * ProducerHealth.STALL_MS + 2);
    assertThat(h.healthy()).isTrue();
    h.onNoReply("timeout");
    h.onNoReply("timeout");
    assertThat(h.healthy()).as("two missed replies are tolerated").isTrue();
    h.onNoReply("timeout");
    assertThat(h.toJson().getString("problem")).contains("does not answer");
  }

  @Test
  @DisplayName("in flight, whichever way the writer reports it")
  void inFlight() {
    assertThat(ProducerHealth.inFlight(new JsonObject().put("in_flight_records", 7))).isEqualTo(7);
    assertThat(ProducerHealth.inFlight(new JsonObject().put("in_flight", 3))).isEqualTo(3);
    assertThat(ProducerHealth.inFlight(new JsonObject().put("received", 10).put("acked", 6).put("failed", 1))).isEqualTo(3);
  }
}
