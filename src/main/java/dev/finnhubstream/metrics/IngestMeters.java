package dev.finnhubstream.metrics;

import dev.finnhubstream.ingest.ConnectionSnapshot;
import dev.finnhubstream.ingest.ConnectionState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Meters of the Finnhub connections, read from their latest status snapshots (polled once a second): frames and
 * bytes received, pings, parse errors by kind, reconnects and other connection events, the state per
 * connection, symbols per subscription status. Labels: {@code connection} ({@code key-1}...), never a key.
 */
final class IngestMeters {

  /** Counter name, how to read it from the snapshot's counters, its {@code kind} label or null, description. */
  private record CounterField(String name, ToLongFunction<ConnectionSnapshot.Counters> value, String kind, String description) {
  }

  private static final List<CounterField> COUNTERS = List.of(
    new CounterField("finnhub.frames.received", ConnectionSnapshot.Counters::frames, null, "WebSocket frames received from Finnhub (trades, pings, errors)"),
    new CounterField("finnhub.received.bytes", ConnectionSnapshot.Counters::bytes, null, "Characters of WebSocket text received from Finnhub"),
    new CounterField("finnhub.pings", ConnectionSnapshot.Counters::pings, null, "Ping frames received"),
    new CounterField("finnhub.parse.errors", ConnectionSnapshot.Counters::malformedFrames, "malformed_frame", "Frames or trades that could not be used, by kind"),
    new CounterField("finnhub.parse.errors", ConnectionSnapshot.Counters::rejectedTrades, "invalid_trade", "Frames or trades that could not be used, by kind"),
    new CounterField("finnhub.parse.errors", ConnectionSnapshot.Counters::unknownFrames, "unknown_frame", "Frames or trades that could not be used, by kind"),
    new CounterField("finnhub.server.errors", ConnectionSnapshot.Counters::serverErrors, null, "Error frames sent by Finnhub"),
    new CounterField("finnhub.disconnects", ConnectionSnapshot.Counters::disconnects, null, "Connections lost or abandoned"),
    new CounterField("finnhub.connect.failures", ConnectionSnapshot.Counters::failedConnects, null, "Failed connection attempts (refused handshakes included)"),
    new CounterField("finnhub.watchdog.trips", ConnectionSnapshot.Counters::watchdogTrips, null, "Connections abandoned after a silence"),
    new CounterField("finnhub.pauses", ConnectionSnapshot.Counters::pauses, null, "Times reading paused for backpressure from Kafka"));

  /** A subscription status (the {@code status} label) and how many symbols of a snapshot are in it. */
  private record Subscription(String status, ToIntFunction<ConnectionSnapshot> count) {
  }

  private static final List<Subscription> SUBSCRIPTIONS = List.of(
    new Subscription("subscribed", s -> s.subscribed().size()),
    new Subscription("pending", s -> s.pending().size()),
    new Subscription("refused", s -> s.refused().size()),
    new Subscription("over_cap", s -> s.overCap().size()),
    // Held by another connection for this one (re-sharding); that connection counts them as subscribed, pending...
    new Subscription("lent", s -> s.sharing().lent().size()));

  private final Map<String, ConnectionSnapshot> snapshots = new HashMap<>();

  IngestMeters(MeterSet meters, List<String> connections) {
    for (String c : connections) {
      for (CounterField f : COUNTERS) {
        FunctionCounter.Builder<IngestMeters> b = FunctionCounter.builder(f.name(), this, m -> m.counter(c, f.value()))
          .description(f.description()).tag("connection", c);
        if (f.kind() != null) {
          b.tag("kind", f.kind());
        }
        meters.add(b.register(meters.registry()));
      }
      meters.add(FunctionCounter.builder("finnhub.reconnects", this, m -> m.reconnects(c))
        .description("Successful connections after the first").tag("connection", c).register(meters.registry()));
      for (ConnectionState state : ConnectionState.values()) {
        meters.add(Gauge.builder("finnhub.connection.state", this, m -> m.state(c) == state ? 1 : 0)
          .description("1 for the connection's current state, 0 for the others").tag("connection", c).tag("state", state.name())
          .register(meters.registry()));
      }
      meters.add(Gauge.builder("finnhub.connection.paused", this, m -> m.paused(c))
        .description("1 while reading from Finnhub is paused by backpressure").tag("connection", c).register(meters.registry()));
      for (Subscription sub : SUBSCRIPTIONS) {
        meters.add(Gauge.builder("finnhub.symbols", this, m -> m.symbolCount(c, sub.count()))
          .description("Symbols of the connection by subscription status").tag("connection", c).tag("status", sub.status())
          .register(meters.registry()));
      }
    }
  }

  void update(String connection, ConnectionSnapshot snapshot) {
    snapshots.put(connection, snapshot);
  }

  /** The connection's latest snapshot, or {@code null} before its first answer. */
  ConnectionSnapshot snapshot(String connection) {
    return snapshots.get(connection);
  }

  private double counter(String connection, ToLongFunction<ConnectionSnapshot.Counters> value) {
    ConnectionSnapshot s = snapshots.get(connection);
    return s == null ? 0 : value.applyAsLong(s.counters());
  }

  private double reconnects(String connection) {
    ConnectionSnapshot s = snapshots.get(connection);
    return s == null ? 0 : s.reconnects();
  }

  private ConnectionState state(String connection) {
    ConnectionSnapshot s = snapshots.get(connection);
    return s == null ? null : s.state();
  }

  private double paused(String connection) {
    ConnectionSnapshot s = snapshots.get(connection);
    return s != null && s.paused() ? 1 : 0;
  }

  private double symbolCount(String connection, ToIntFunction<ConnectionSnapshot> count) {
    ConnectionSnapshot s = snapshots.get(connection);
    return s == null ? Double.NaN : count.applyAsInt(s);
  }
}
