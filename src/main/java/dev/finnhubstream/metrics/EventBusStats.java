package dev.finnhubstream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per event-bus address, what Vert.x's own meters say (messages published and sent, delivered to handlers,
 * processed, discarded; handlers registered; messages pending), plus the message rate over the last minute,
 * from a sample of the totals taken once a second. Needs Vert.x created with metrics
 * ({@link VertxMetricsSetup}); without them it reports nothing. Event-loop only.
 */
final class EventBusStats {

  static final int WINDOW_SECONDS = 60;
  /** Addresses followed for rates; ours are a dozen, Vert.x leaves out reply addresses. */
  static final int MAX_ADDRESSES = 200;

  private static final String PREFIX = "vertx.eventbus.";
  private static final String ADDRESS = "address";

  private final MeterRegistry registry;
  /** Address → ring of per-second totals (published + sent). */
  private final Map<String, long[]> totals = new HashMap<>();
  private int samples;

  EventBusStats(MeterRegistry registry) {
    this.registry = registry;
  }

  void sample() {
    Map<String, Long> now = sum("published");
    sum("sent").forEach((address, n) -> now.merge(address, n, Long::sum));
    int slot = samples % (WINDOW_SECONDS + 1);
    now.forEach((address, n) -> {
      long[] ring = totals.get(address);
      if (ring == null) {
        if (totals.size() >= MAX_ADDRESSES) {
          return;
        }
        ring = new long[WINDOW_SECONDS + 1];
        java.util.Arrays.fill(ring, n); // first seen now: no rate until it moves
        totals.put(address, ring);
      }
      ring[slot] = n;
    });
    samples++;
  }

  Map<String, MetricsStatus.AddressStats> snapshot() {
    Map<String, Long> published = sum("published");
    Map<String, Long> sent = sum("sent");
    Map<String, Long> received = sum("received");
    Map<String, Long> delivered = sum("delivered");
    Map<String, Long> processed = sum("processed");
    Map<String, Long> discarded = sum("discarded");
    Map<String, Long> handlers = gauges("handlers");
    Map<String, Long> pending = gauges("pending");
    Set<String> addresses = new HashSet<>();
    for (Map<String, Long> m : List.of(published, sent, handlers)) {
      addresses.addAll(m.keySet());
    }
    int window = Math.min(samples - 1, WINDOW_SECONDS);
    int newest = Math.floorMod(samples - 1, WINDOW_SECONDS + 1);
    int oldest = Math.floorMod(samples - 1 - window, WINDOW_SECONDS + 1);
    Map<String, MetricsStatus.AddressStats> out = new HashMap<>();
    for (String address : addresses) {
      long[] ring = totals.get(address);
      Double rate = ring == null || window <= 0 ? null : (ring[newest] - ring[oldest]) / (double) window;
      out.put(address, new MetricsStatus.AddressStats(published.getOrDefault(address, 0L), sent.getOrDefault(address, 0L),
        received.getOrDefault(address, 0L), delivered.getOrDefault(address, 0L), processed.getOrDefault(address, 0L),
        discarded.getOrDefault(address, 0L), handlers.getOrDefault(address, 0L), pending.getOrDefault(address, 0L), rate));
    }
    return out;
  }

  private Map<String, Long> sum(String name) {
    Map<String, Long> byAddress = new HashMap<>();
    for (Counter c : registry.find(PREFIX + name).counters()) {
      String address = c.getId().getTag(ADDRESS);
      if (address != null) {
        byAddress.merge(address, (long) c.count(), Long::sum);
      }
    }
    return byAddress;
  }

  private Map<String, Long> gauges(String name) {
    Map<String, Long> byAddress = new HashMap<>();
    for (Gauge g : registry.find(PREFIX + name).gauges()) {
      String address = g.getId().getTag(ADDRESS);
      if (address != null && !Double.isNaN(g.value())) {
        byAddress.merge(address, (long) g.value(), Long::sum);
      }
    }
    return byAddress;
  }
}
