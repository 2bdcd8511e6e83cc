package dev.finnhubstream.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finnhubstream.ingest.ConnectionSnapshot;
import dev.finnhubstream.ingest.ConnectionState;
import dev.finnhubstream.ingest.SymbolChange;
import dev.finnhubstream.ingest.SymbolChangeResult;
import dev.finnhubstream.market.MarketStatus;
import dev.finnhubstream.metrics.MetricsStatus;
import dev.finnhubstream.sink.SinkStatus;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every status reply, and the admin's symbol change both ways, travels the event bus as its record, through the
 * codecs {@link Codecs} registers.
 */
class StatusCodecsTest {

  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    Codecs.registerAll(vertx.eventBus());
    Codecs.registerAll(vertx.eventBus()); // a second deployment in the same Vert.x registers again: harmless
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private Object roundTrip(Object status) {
    MessageConsumer<Void> consumer = vertx.eventBus().consumer("status.test", msg -> msg.reply(status));
    try {
      return vertx.eventBus().request("status.test", null).await().body();
    } finally {
      consumer.unregister().await();
    }
  }

  private static List<Record> samples() {
    SinkStatus.Latency latency = new SinkStatus.Latency(1, 2L, 2L, 2L, 2L, 2, List.of(new SinkStatus.Bucket(2, false, 1)));
    return List.of(
      new ConnectionSnapshot("key-1", ConnectionState.BACKOFF, 1, false, List.of("AAPL"), List.of(), Map.of(), Map.of("X", 2L), 50, 0,
        "HTTP 503", 3, Map.of("AAPL", 4L), new ConnectionSnapshot.Counters(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18),
        ConnectionSnapshot.Sharing.NONE),
      new SinkStatus(new SinkStatus.Delivery("OUTAGE", 1, 2, 3, 4, 5, new SinkStatus.DiskBufferStatus(6, 7, 8, 9, 10, 11, 11,
        new SinkStatus.PreviousRun(12, 13, 14))), "t", "d", "b", 15, 16, 17, true, 18, 19, 20, new SinkStatus.Limits(1, 2, 3, 4),
        new SinkStatus.DeadLetters(1, 1, Map.of("r", 1L)), latency, latency, Map.of("AAPL", 16L), "e"),
      new MetricsStatus(false, List.of(), null, new MetricsStatus.Throughput(1000, null, 0, List.of(), List.of()), 0,
        new MetricsStatus.DeadLetters(0, Map.of()), new MetricsStatus.KafkaHealth(true, null), new MetricsStatus.Backpressure(false, null, null)),
      new MarketStatus(false, "disabled", "US", null, null, null, null, 60_000, 300_000, 0, 0, null),
      new SymbolChange(SymbolChange.Action.REMOVE, "IC MARKETS:1"),
      new SymbolChangeResult("key-2", "IC MARKETS:1", SymbolChangeResult.Outcome.REMOVED, "OVER_CAP"));
  }

  @Test
  @DisplayName("a record sent as a reply arrives as the same immutable record")
  void roundTrips() {
    for (Record status : samples()) {
      Object received = roundTrip(status);
      assertThat(received).as(status.getClass().getSimpleName()).isInstanceOf(status.getClass()).isEqualTo(status);
    }
  }

  @Test
  @DisplayName("the records are immutable: the maps and lists they were built from can change afterwards")
  void immutable() {
    HashMap<String, Long> acked = new HashMap<>(Map.of("AAPL", 1L));
    SinkStatus sink = (SinkStatus) samples().get(1);
    SinkStatus copy = new SinkStatus(sink.delivery(), sink.topic(), sink.deadLetterTopic(), sink.bootstrapServers(), sink.received(),
      sink.acked(), sink.failed(), sink.paused(), sink.pauses(), sink.peakQueuedBytes(), sink.peakInFlightBytes(), sink.limits(),
      sink.deadLetters(), sink.ackLatency(), sink.sendLatency(), acked, sink.lastError());
    acked.put("MSFT", 2L);
    assertThat(copy.ackedBySymbol()).containsOnlyKeys("AAPL");
    assertThatThrownBy(() -> copy.ackedBySymbol().put("X", 1L)).isInstanceOf(UnsupportedOperationException.class);
  }
}
