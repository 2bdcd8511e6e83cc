package dev.finnhubstream.metrics;

import dev.finnhubstream.ingest.ConnectionState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Meters of the Finnhub connections, read from their latest status snapshots (polled once a second): frames and
 * bytes received, pings, parse errors by kind, reconnects and other connection events, the state per
 * connection, symbols per subscription status. Labels: {@code connection} ({@code key-1}...), never a key.
 */
final class IngestMeters {

  /** Counter name, its key in the snapshot's {@code counters}, description. */
  private record CounterField(String name, String key, String kind, String description) {
  }

  private static final List<CounterField> COUNTERS = List.of(
    new CounterField("finnhub.frames.received", "frames", null, "WebSocket frames received from Finnhub (trades, pings, errors)"),
    new CounterField("finnhub.received.bytes", "bytes", null, "Characters of WebSocket text received from Finnhub"),
    new CounterField("finnhub.pings", "pings", null, "Ping frames received"),
    new CounterField("finnhub.parse.errors", "malformed_frames", "malformed_frame", "Frames or trades that could not be used, by kind"),
    new CounterField("finnhub.parse.errors", "rejected_trades", "invalid_trade", "Frames or trades that could not be used, by kind"),
    new CounterField("finnhub.parse.errors", "unknown_frames", "unknown_frame", "Frames or trades that could not be used, by kind"),
    new CounterField("finnhub.server.errors", "server_errors", null, "Error frames sent by Finnhub"),
    new CounterField("finnhub.disconnects", "disconnects", null, "Connections lost or abandoned"),
    new CounterField("finnhub.connect.failures", "failed_connects", null, "Failed connection attempts (refused handshakes included)"),
    new CounterField("finnhub.watchdog.trips", "watchdog_trips", null, "Connections abandoned after a silence"),
    new CounterField("finnhub.pauses", "pauses", null, "Times reading paused for backpressure from Kafka"));

  private static final List<String> SUBSCRIPTIONS = List.of("subscribed", "pending", "refused", "over_cap");

  private final Map<String, JsonObject> snapshots = new HashMap<>();

  IngestMeters(MeterSet meters, List<String> connections) {
    for (String c : connections) {
      for (CounterField f : COUNTERS) {
        FunctionCounter.Builder<IngestMeters> b = FunctionCounter.builder(f.name(), this, m -> m.counter(c, f.key()))
          .description(f.description()).tag("connection", c);
        if (f.kind() != null) {
          b.tag("kind", f.kind());
        }
        meters.add(b.register(meters.registry()));
      }
      meters.add(FunctionCounter.builder("finnhub.reconnects", this, m -> m.number(c, "reconnects"))
        .description("Successful connections after the first").tag("connection", c).register(meters.registry()));
      for (ConnectionState state : ConnectionState.values()) {
        meters.add(Gauge.builder("finnhub.connection.state", this, m -> state.name().equals(m.state(c)) ? 1 : 0)
          .description("1 for the connection's current state, 0 for the others").tag("connection", c).tag("state", state.name())
          .register(meters.registry()));
      }
      meters.add(Gauge.builder("finnhub.connection.paused", this, m -> m.paused(c))
        .description("1 while reading from Finnhub is paused by backpressure").tag("connection", c).register(meters.registry()));
      for (String status : SUBSCRIPTIONS) {
        meters.add(Gauge.builder("finnhub.symbols", this, m -> m.symbolCount(c, status))
          .description("Symbols of the connection by subscription status").tag("connection", c).tag("status", status)
          .register(meters.registry()));
      }
    }
  }

  void update(String connection, JsonObject snapshot) {
    snapshots.put(connection, snapshot);
  }

  JsonObject snapshot(String connection) {
    return snapshots.get(connection);
  }

  private double counter(String connection, String key) {
    JsonObject s = snapshots.get(connection);
    return s == null ? 0 : s.getJsonObject("counters", new JsonObject()).getLong(key, 0L);
  }

  private double number(String connection, String key) {
    JsonObject s = snapshots.get(connection);
    return s == null ? 0 : s.getLong(key, 0L);
  }

  private String state(String connection) {
    JsonObject s = snapshots.get(connection);
    return s == null ? null : s.getString("state");
  }

  private double paused(String connection) {
    JsonObject s = snapshots.get(connection);
    return s != null && s.getBoolean("paused", false) ? 1 : 0;
  }

  private double symbolCount(String connection, String status) {
    JsonObject s = snapshots.get(connection);
    if (s == null) {
      return Double.NaN;
    }
    Object v = s.getValue(status);
    return v instanceof JsonArray a ? a.size() : v instanceof JsonObject o ? o.size() : 0;
  }
}
