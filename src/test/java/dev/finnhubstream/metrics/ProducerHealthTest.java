package dev.finnhubstream.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.sink.SinkStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProducerHealthTest {

  /** The writer's reply with what the health judges by: acknowledged, in flight, mode. */
  static SinkStatus sink(long acked, long inFlight, String mode) {
    SinkStatus.Latency none = new SinkStatus.Latency(0, null, null, null, null, 0, List.of());
    return new SinkStatus(new SinkStatus.Delivery(mode, 0, 0, inFlight, 0, 0,
      new SinkStatus.DiskBufferStatus(0, 0, 1 << 20, 0, 0, 0, 0, null)), "trades", "trades.dlq", "127.0.0.1:9092",
      acked + inFlight, acked, 0, false, 0, 0, 0, new SinkStatus.Limits(1, 1, 2, 3),
      new SinkStatus.DeadLetters(0, 0, Map.of()), none, none, Map.of(), null);
  }

  private static SinkStatus sink(long received, long acked) {
    return sink(acked, received - acked, "DIRECT");
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
    assertThat(h.status().problem()).contains("no Kafka acknowledgement").contains("20 records in flight");
    h.onReply(sink(30, 25), ProducerHealth.STALL_MS + 1);
    assertThat(h.healthy()).isTrue();
    assertThat(h.status()).isEqualTo(new MetricsStatus.KafkaHealth(true, null));
  }

  @Test
  @DisplayName("idle is healthy however long; outage mode and a silent writer are not")
  void idleOutageSilence() {
    ProducerHealth h = new ProducerHealth();
    h.onReply(sink(5, 5), 0);
    h.onReply(sink(5, 5), 10 * ProducerHealth.STALL_MS);
    assertThat(h.healthy()).isTrue();
    h.onReply(sink(5, 0, "OUTAGE"), 10 * ProducerHealth.STALL_MS + 1);
    assertThat(h.healthy()).isFalse();
    assertThat(h.status().problem()).contains("outage");
    h.onReply(sink(5, 0, "REPLAYING"), 10 * ProducerHealth.STALL_MS + 2);
    assertThat(h.healthy()).isTrue();
    h.onNoReply("timeout");
    h.onNoReply("timeout");
    assertThat(h.healthy()).as("two missed replies are tolerated").isTrue();
    h.onNoReply("timeout");
    assertThat(h.status().healthy()).isFalse();
    assertThat(h.status().problem()).contains("does not answer").contains("timeout");
    h.onReply(sink(6, 0, "DIRECT"), 10 * ProducerHealth.STALL_MS + 3);
    assertThat(h.healthy()).as("an answer ends it").isTrue();
  }
}
