package dev.finnhubstream.http;

import dev.finnhubstream.ingest.ConnectionSnapshot;
import dev.finnhubstream.bus.FeedGap;
import dev.finnhubstream.gaps.GapStatus;
import dev.finnhubstream.ha.HaStatus;
import dev.finnhubstream.market.MarketStatus;
import dev.finnhubstream.metrics.MetricsStatus;
import dev.finnhubstream.sink.SinkStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of {@code /status}, the one place where the verticles' status records become JSON: the records travel
 * on the event bus as they are, and only the HTTP edge gives them field names. The status page
 * ({@code status-page/status.js}), {@code ci/run-local.sh} and the tests read these names: change them only with
 * those.
 */
public final class StatusJson {

  private StatusJson() {
  }

  /** One element of {@code finnhub}. */
  public static JsonObject connection(ConnectionSnapshot s) {
    ConnectionSnapshot.Counters c = s.counters();
    return new JsonObject()
      .put("connection", s.connection())
      .put("state", s.state().name())
      .put("since_ms", s.sinceMs())
      .put("paused", s.paused())
      .put("subscribed", new JsonArray(new ArrayList<>(s.subscribed())))
      .put("pending", new JsonArray(new ArrayList<>(s.pending())))
      .put("refused", object(s.refused()))
      .put("over_cap", object(s.overCap()))
      .put("effective_cap", s.effectiveCap())
      .put("reconnects", s.reconnects())
      .put("last_error", s.lastError())
      .put("last_frame_at_ms", s.lastFrameAtMs() == 0 ? null : s.lastFrameAtMs())
      .put("last_trade_at_ms", object(s.lastTradeAtMs()))
      .put("unusable_since_ms", s.sharing().unusableSinceMs() == 0 ? null : s.sharing().unusableSinceMs())
      .put("lent", new JsonArray(new ArrayList<>(s.sharing().lent())))
      .put("lent_since_ms", s.sharing().lentSinceMs() == 0 ? null : s.sharing().lentSinceMs())
      .put("borrowed", new JsonObject(new LinkedHashMap<>(s.sharing().borrowed())))
      .put("counters", new JsonObject()
        .put("connect_attempts", c.connectAttempts())
        .put("failed_connects", c.failedConnects())
        .put("disconnects", c.disconnects())
        .put("watchdog_trips", c.watchdogTrips())
        .put("last_reconnect_delay_ms", c.lastReconnectDelayMs())
        .put("frames", c.frames())
        .put("bytes", c.bytes())
        .put("trades", c.trades())
        .put("rejected_trades", c.rejectedTrades())
        .put("pings", c.pings())
        .put("server_errors", c.serverErrors())
        .put("cap_errors", c.capErrors())
        .put("invalid_symbol_errors", c.invalidSymbolErrors())
        .put("unknown_frames", c.unknownFrames())
        .put("malformed_frames", c.malformedFrames())
        .put("empty_trade_frames", c.emptyTradeFrames())
        .put("subscribe_frames", c.subscribeFrames())
        .put("pauses", c.pauses()));
  }

  /** {@code kafka}, without the two fields the endpoint adds ({@code partitions} from the configuration, {@code health}). */
  public static JsonObject sink(SinkStatus s) {
    SinkStatus.Delivery d = s.delivery();
    SinkStatus.DiskBufferStatus disk = d.diskBuffer();
    SinkStatus.PreviousRun previous = disk.previousRun();
    return new JsonObject()
      .put("mode", d.mode())
      .put("queued_bytes", d.queuedBytes())
      .put("in_flight_bytes", d.inFlightBytes())
      .put("in_flight_records", d.inFlightRecords())
      .put("outages", d.outages())
      .put("requeued", d.requeued())
      .put("disk_buffer", new JsonObject()
        .put("bytes", disk.bytes())
        .put("records", disk.records())
        .put("max_bytes", disk.maxBytes())
        .put("spilled", disk.spilled())
        .put("replayed", disk.replayed())
        .put("dropped", disk.dropped())
        .put("dropped_trades", disk.droppedTrades())
        .put("previous_run", previous == null ? null : new JsonObject()
          .put("clean_shutdown", false)
          .put("checkpoint_at_ms", previous.checkpointAtMs())
          .put("received", previous.received())
          .put("held_in_memory", previous.heldInMemory())))
      .put("topic", s.topic())
      .put("dead_letter_topic", s.deadLetterTopic())
      .put("bootstrap_servers", s.bootstrapServers())
      .put("received", s.received())
      .put("acked", s.acked())
      .put("failed", s.failed())
      .put("unacked", s.unacked())
      .put("paused", s.paused())
      .put("pauses", s.pauses())
      .put("peak_queued_bytes", s.peakQueuedBytes())
      .put("peak_in_flight_bytes", s.peakInFlightBytes())
      .put("limits", new JsonObject()
        .put("max_in_flight_bytes", s.limits().maxInFlightBytes())
        .put("queue_low_watermark_bytes", s.limits().queueLowWatermarkBytes())
        .put("queue_high_watermark_bytes", s.limits().queueHighWatermarkBytes())
        .put("queue_max_bytes", s.limits().queueMaxBytes()))
      .put("dead_letters", new JsonObject()
        .put("received", s.deadLetters().received())
        .put("acked", s.deadLetters().acked())
        .put("by_reason", object(s.deadLetters().byReason())))
      .put("ack_latency_ms", latency(s.ackLatency()))
      .put("send_latency_ms", latency(s.sendLatency()))
      .put("acked_by_symbol", object(s.ackedBySymbol()))
      .put("last_error", s.lastError());
  }

  /**
   * Summary plus the non-empty buckets ({@code "<=bound": count}, {@code ">last"} for the overflow), so a reader
   * can subtract two snapshots and get the percentiles of just that interval (the benchmark does).
   */
  static JsonObject latency(SinkStatus.Latency l) {
    JsonObject buckets = new JsonObject();
    for (SinkStatus.Bucket b : l.buckets()) {
      buckets.put((b.overflow() ? ">" : "<=") + b.boundMs(), b.count());
    }
    return new JsonObject()
      .put("count", l.count())
      .put("p50", l.p50())
      .put("p99", l.p99())
      .put("p999", l.p999())
      .put("max", l.max())
      .put("sum_ms", l.sumMs())
      .put("buckets", buckets);
  }

  /** {@code market_hours}. */
  /** Several instances: who this instance is in the group, which keys it holds, and its lease. */
  public static JsonObject ha(HaStatus h) {
    return new JsonObject()
      .put("enabled", h.enabled())
      .put("state", h.state())
      .put("reason", h.reason())
      .put("member_id", h.memberId())
      .put("generation", h.generation())
      .put("owned_slots", new JsonArray(h.ownedSlots()))
      .put("owned_connections", new JsonArray(h.ownedConnections()))
      .put("lease_age_ms", h.leaseAgeMs())
      .put("lease_fresh", h.leaseFresh())
      .put("takeovers", h.takeovers())
      .put("rebalances", h.rebalances())
      .put("last_rebalance_at_ms", h.lastRebalanceAtMs())
      .put("last_rebalance_ms", h.lastRebalanceMs())
      .put("config_hash", h.configHash());
  }

  /**
   * Feed gaps: the gaps open now (with their age), counts and summed lengths of the closed ones per reason, the
   * latest closed ones, and how the previous run ended (docs/gaps.md).
   */
  public static JsonObject gaps(GapStatus g, long nowMs) {
    JsonObject byReason = new JsonObject();
    g.closedByReason().forEach((reason, n) -> byReason.put(reason, new JsonObject().put("count", n)
      .put("total_ms", g.closedMsByReason().getOrDefault(reason, 0L))));
    return new JsonObject()
      .put("open_now", g.open().size())
      .put("open", new JsonArray(g.open().stream().map(o -> gap(o).put("open_for_ms", nowMs - o.fromMs())).toList()))
      .put("closed_by_reason", byReason)
      .put("recent", new JsonArray(g.recent().stream().map(StatusJson::gap).toList()))
      .put("previous_run", g.previousRun().reason() == null ? null
        : new JsonObject().put("ended", g.previousRun().reason().wire()).put("at_ms", g.previousRun().atMs()));
  }

  private static JsonObject gap(FeedGap g) {
    return new JsonObject()
      .put("connection", g.connection())
      .put("symbols", new JsonArray(g.symbols()))
      .put("reason", g.reason())
      .put("from_ms", g.fromMs())
      .put("to_ms", g.open() ? null : g.toMs())
      .put("market_open", g.marketOpen());
  }

  public static JsonObject market(MarketStatus m) {
    return new JsonObject()
      .put("enabled", m.enabled())
      .put("off_reason", m.offReason())
      .put("exchange", m.exchange())
      .put("is_open", m.isOpen())
      .put("session", m.session())
      .put("holiday", m.holiday())
      .put("checked_at_ms", m.checkedAtMs())
      .put("poll_ms", m.pollMs())
      .put("stale_after_ms", m.staleAfterMs())
      .put("requests", m.requests())
      .put("failures", m.failures())
      .put("last_error", m.lastError());
  }

  /** {@code symbols}. */
  static JsonArray symbols(List<MetricsStatus.SymbolRow> rows) {
    JsonArray out = new JsonArray();
    for (MetricsStatus.SymbolRow r : rows) {
      out.add(new JsonObject()
        .put("symbol", r.symbol())
        .put("connection", r.connection())
        .put("subscription", r.subscription())
        .put("market", r.market().name())
        .put("market_open", r.marketOpen())
        .put("flow", r.flow().name())
        .put("last_price", r.lastPrice())
        .put("last_trade_ts_ms", r.lastTradeTsMs())
        .put("last_received_at_ms", r.lastReceivedAtMs())
        .put("age_ms", r.ageMs())
        .put("trades_received", r.tradesReceived()));
    }
    return out;
  }

  /** {@code eventbus.addresses}: per address, as Vert.x's meters count it; {@code null} without them. */
  static JsonObject addresses(Map<String, MetricsStatus.AddressStats> byAddress) {
    if (byAddress == null) {
      return null;
    }
    JsonObject out = new JsonObject();
    byAddress.forEach((address, a) -> out.put(address, new JsonObject()
      .put("published", a.published())
      .put("sent", a.sent())
      .put("received", a.received())
      .put("delivered", a.delivered())
      .put("processed", a.processed())
      .put("discarded", a.discarded())
      .put("consumers", a.consumers())
      .put("pending", a.pending())
      .put("rate_per_s_1m", a.ratePerS1m())));
    return out;
  }

  /** {@code throughput}: per-second series, oldest first, and the average of the last minute. */
  static JsonObject throughput(MetricsStatus.Throughput t) {
    return new JsonObject()
      .put("interval_ms", t.intervalMs())
      .put("last_sample_at_ms", t.lastSampleAtMs())
      .put("received_per_s_1m", t.receivedPerS1m())
      .put("received_per_s", new JsonArray(new ArrayList<>(t.receivedPerS())))
      .put("written_per_s", new JsonArray(new ArrayList<>(t.writtenPerS())));
  }

  /** {@code dead_letters}. */
  static JsonObject deadLetters(MetricsStatus.DeadLetters d) {
    return new JsonObject().put("total", d.total()).put("by_reason", object(d.byReason()));
  }

  /** {@code kafka.health}. */
  static JsonObject kafkaHealth(MetricsStatus.KafkaHealth h) {
    return new JsonObject().put("healthy", h.healthy()).put("problem", h.problem());
  }

  /** {@code backpressure}. */
  static JsonObject backpressure(MetricsStatus.Backpressure b) {
    return new JsonObject().put("paused", b.paused()).put("reason", b.reason()).put("since_ms", b.sinceMs());
  }

  /** A map as a JSON object, in the map's order (the records keep theirs sorted). */
  private static JsonObject object(Map<String, Long> map) {
    JsonObject o = new JsonObject();
    map.forEach(o::put);
    return o;
  }
}
