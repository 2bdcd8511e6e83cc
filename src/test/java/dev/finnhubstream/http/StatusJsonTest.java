package dev.finnhubstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.ingest.ConnectionSnapshot;
import dev.finnhubstream.ingest.ConnectionState;
import dev.finnhubstream.market.MarketStatus;
import dev.finnhubstream.market.Markets;
import dev.finnhubstream.metrics.MetricsStatus;
import dev.finnhubstream.sink.SinkStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The status records become exactly the JSON the verticles used to reply with (field names, nesting, types and
 * order): each expected object below is built the way the old replies were, from the same values. The status
 * page, {@code ci/run-local.sh} and the integration tests read these names.
 */
class StatusJsonTest {

  private static void assertSameJson(JsonObject actual, JsonObject expected) {
    assertThat(actual.encode()).isEqualTo(expected.encode());
  }

  @Test
  @DisplayName("a connection snapshot: sorted symbol maps, no last frame as null, every counter")
  void connection() {
    Map<String, Long> lastTrades = new LinkedHashMap<>();
    lastTrades.put("MSFT", 20L);
    lastTrades.put("AAPL", 10L);
    ConnectionSnapshot s = new ConnectionSnapshot("key-1", ConnectionState.CONNECTED, 5, true, List.of("MSFT", "AAPL"),
      List.of("GOOG"), Map.of("BAD:X", 99L), Map.of(), 50, 2, "watchdog: silent", 0, lastTrades,
      new ConnectionSnapshot.Counters(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18),
      new ConnectionSnapshot.Sharing(0, List.of("TSLA"), 7, Map.of("NVDA", "key-3", "AMZN", "key-2")));
    JsonObject expected = new JsonObject()
      .put("connection", "key-1").put("state", "CONNECTED").put("since_ms", 5L).put("paused", true)
      .put("subscribed", new JsonArray(List.of("MSFT", "AAPL"))).put("pending", new JsonArray(List.of("GOOG")))
      .put("refused", new JsonObject().put("BAD:X", 99L)).put("over_cap", new JsonObject())
      .put("effective_cap", 50).put("reconnects", 2L).put("last_error", "watchdog: silent").put("last_frame_at_ms", null)
      .put("last_trade_at_ms", new JsonObject().put("AAPL", 10L).put("MSFT", 20L))
      .put("unusable_since_ms", null).put("lent", new JsonArray(List.of("TSLA"))).put("lent_since_ms", 7L)
      .put("borrowed", new JsonObject().put("AMZN", "key-2").put("NVDA", "key-3"))
      .put("counters", new JsonObject().put("connect_attempts", 1L).put("failed_connects", 2L).put("disconnects", 3L)
        .put("watchdog_trips", 4L).put("last_reconnect_delay_ms", 5L).put("frames", 6L).put("bytes", 7L).put("trades", 8L)
        .put("rejected_trades", 9L).put("pings", 10L).put("server_errors", 11L).put("cap_errors", 12L)
        .put("invalid_symbol_errors", 13L).put("unknown_frames", 14L).put("malformed_frames", 15L)
        .put("empty_trade_frames", 16L).put("subscribe_frames", 17L).put("pauses", 18L));
    assertSameJson(StatusJson.connection(s), expected);
  }

  @Test
  @DisplayName("the Kafka writer: delivery fields first, then the writer's, latency buckets as <=bound and >last")
  void sink() {
    SinkStatus s = new SinkStatus(new SinkStatus.Delivery("REPLAYING", 100, 200, 3, 1, 4,
      new SinkStatus.DiskBufferStatus(4096, 12, 1 << 20, 20, 8, 0, 0, new SinkStatus.PreviousRun(1_000, 50, 7))),
      "trades", "trades.dlq", "127.0.0.1:9092", 10, 7, 1, true, 2, 300, 400, new SinkStatus.Limits(64, 128, 256, 512),
      new SinkStatus.DeadLetters(3, 2, Map.of("z", 1L, "a", 2L)),
      new SinkStatus.Latency(6, 1L, 5L, 5L, 400_000L, 400_013, List.of(new SinkStatus.Bucket(1, false, 3),
        new SinkStatus.Bucket(5, false, 2), new SinkStatus.Bucket(300_000, true, 1))),
      new SinkStatus.Latency(0, null, null, null, null, 0, List.of()), Map.of("MSFT", 1L, "AAPL", 4L), "boom");
    JsonObject expected = new JsonObject()
      .put("mode", "REPLAYING").put("queued_bytes", 100L).put("in_flight_bytes", 200L).put("in_flight_records", 3L)
      .put("outages", 1L).put("requeued", 4L)
      .put("disk_buffer", new JsonObject().put("bytes", 4096L).put("records", 12L).put("max_bytes", (long) (1 << 20))
        .put("spilled", 20L).put("replayed", 8L).put("dropped", 0L).put("dropped_trades", 0L)
        .put("previous_run", new JsonObject().put("clean_shutdown", false).put("checkpoint_at_ms", 1_000L).put("received", 50L)
          .put("held_in_memory", 7L)))
      .put("topic", "trades").put("dead_letter_topic", "trades.dlq").put("bootstrap_servers", "127.0.0.1:9092")
      .put("received", 10L).put("acked", 7L).put("failed", 1L).put("unacked", 3L).put("paused", true).put("pauses", 2L)
      .put("peak_queued_bytes", 300L).put("peak_in_flight_bytes", 400L)
      .put("limits", new JsonObject().put("max_in_flight_bytes", 64L).put("queue_low_watermark_bytes", 128L)
        .put("queue_high_watermark_bytes", 256L).put("queue_max_bytes", 512L))
      .put("dead_letters", new JsonObject().put("received", 3L).put("acked", 2L).put("by_reason", new JsonObject().put("a", 2L).put("z", 1L)))
      .put("ack_latency_ms", new JsonObject().put("count", 6L).put("p50", 1L).put("p99", 5L).put("p999", 5L).put("max", 400_000L)
        .put("sum_ms", 400_013L).put("buckets", new JsonObject().put("<=1", 3L).put("<=5", 2L).put(">300000", 1L)))
      .put("send_latency_ms", new JsonObject().put("count", 0L).put("p50", null).put("p99", null).put("p999", null).put("max", null)
        .put("sum_ms", 0L).put("buckets", new JsonObject()))
      .put("acked_by_symbol", new JsonObject().put("AAPL", 4L).put("MSFT", 1L))
      .put("last_error", "boom");
    assertSameJson(StatusJson.sink(s), expected);
    assertThat(StatusJson.sink(new SinkStatus(new SinkStatus.Delivery("DIRECT", 0, 0, 0, 0, 0,
      new SinkStatus.DiskBufferStatus(0, 0, 0, 0, 0, 0, 0, null)), "t", "d", "b", 0, 0, 0, false, 0, 0, 0, s.limits(),
      s.deadLetters(), s.sendLatency(), s.sendLatency(), Map.of(), null)).getJsonObject("disk_buffer").fieldNames())
      .as("no previous run: the field is there, null").contains("previous_run");
  }

  @Test
  @DisplayName("market hours: unknown values as null")
  void market() {
    MarketStatus m = new MarketStatus(true, null, "US", null, null, null, 1_234L, 60_000, 300_000, 3, 1, "HTTP 503");
    JsonObject expected = new JsonObject().put("enabled", true).put("off_reason", null).put("exchange", "US").put("is_open", null)
      .put("session", null).put("holiday", null).put("checked_at_ms", 1_234L).put("poll_ms", 60_000L).put("stale_after_ms", 300_000L)
      .put("requests", 3L).put("failures", 1L).put("last_error", "HTTP 503");
    assertSameJson(StatusJson.market(m), expected);
  }

  @Test
  @DisplayName("the metrics verticle's parts: symbol rows, event-bus addresses (sorted), throughput, dead letters, health, backpressure")
  void metrics() {
    MetricsStatus.SymbolRow traded = new MetricsStatus.SymbolRow("AAPL", "key-1", "subscribed", Markets.Kind.US, true,
      MetricsStatus.Flow.FLOWING, 187.5, 1_000L, 1_010L, 40L, 12);
    MetricsStatus.SymbolRow idle = new MetricsStatus.SymbolRow("X", null, "none", Markets.Kind.US, null,
      MetricsStatus.Flow.NOT_SUBSCRIBED, null, null, null, null, 0);
    assertThat(StatusJson.symbols(List.of(traded, idle)).encode()).isEqualTo(new JsonArray()
      .add(new JsonObject().put("symbol", "AAPL").put("connection", "key-1").put("subscription", "subscribed").put("market", "US")
        .put("market_open", true).put("flow", "FLOWING").put("last_price", 187.5).put("last_trade_ts_ms", 1_000L)
        .put("last_received_at_ms", 1_010L).put("age_ms", 40L).put("trades_received", 12L))
      .add(new JsonObject().put("symbol", "X").put("connection", null).put("subscription", "none").put("market", "US")
        .put("market_open", null).put("flow", "NOT_SUBSCRIBED").put("last_price", null).put("last_trade_ts_ms", null)
        .put("last_received_at_ms", null).put("age_ms", null).put("trades_received", 0L)).encode());

    MetricsStatus status = new MetricsStatus(true, List.of(), Map.of(
      "z.addr", new MetricsStatus.AddressStats(1, 2, 3, 4, 5, 6, 7, 8, null),
      "a.addr", new MetricsStatus.AddressStats(9, 0, 0, 0, 0, 0, 1, 0, 2.5)),
      new MetricsStatus.Throughput(1000, 5_000L, 1.5, List.of(1L, 2L), List.of(0L, 3L)), 3,
      new MetricsStatus.DeadLetters(3, Map.of("b", 1L, "a", 2L)), new MetricsStatus.KafkaHealth(false, "outage"),
      new MetricsStatus.Backpressure(true, "queue full", 77L));
    assertSameJson(StatusJson.addresses(status.eventbus()), new JsonObject()
      .put("a.addr", new JsonObject().put("published", 9L).put("sent", 0L).put("received", 0L).put("delivered", 0L).put("processed", 0L)
        .put("discarded", 0L).put("consumers", 1L).put("pending", 0L).put("rate_per_s_1m", 2.5))
      .put("z.addr", new JsonObject().put("published", 1L).put("sent", 2L).put("received", 3L).put("delivered", 4L).put("processed", 5L)
        .put("discarded", 6L).put("consumers", 7L).put("pending", 8L).put("rate_per_s_1m", null)));
    assertThat(StatusJson.addresses(null)).as("without Vert.x metrics").isNull();
    assertSameJson(StatusJson.throughput(status.throughput()), new JsonObject().put("interval_ms", 1000).put("last_sample_at_ms", 5_000L)
      .put("received_per_s_1m", 1.5).put("received_per_s", new JsonArray().add(1L).add(2L)).put("written_per_s", new JsonArray().add(0L).add(3L)));
    assertSameJson(StatusJson.deadLetters(status.deadLetters()),
      new JsonObject().put("total", 3L).put("by_reason", new JsonObject().put("a", 2L).put("b", 1L)));
    assertSameJson(StatusJson.kafkaHealth(status.kafkaHealth()), new JsonObject().put("healthy", false).put("problem", "outage"));
    assertSameJson(StatusJson.backpressure(status.backpressure()),
      new JsonObject().put("paused", true).put("reason", "queue full").put("since_ms", 77L));
  }
}
