package dev.finnhubstream.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * The meters one verticle registered, so that it removes exactly those when undeployed: the registry belongs
 * to Vert.x and outlives a redeployment, whose fresh meters must not read a stopped verticle's state.
 */
final class MeterSet {

  private final MeterRegistry registry;
  /** Synchronized: dead-letter counters are added on publishers' threads. */
  private final List<Meter> meters = java.util.Collections.synchronizedList(new ArrayList<>());

  MeterSet(MeterRegistry registry) {
    this.registry = registry;
  }

  MeterRegistry registry() {
    return registry;
  }

  <T extends Meter> T add(T meter) {
    meters.add(meter);
    return meter;
  }

  void removeAll() {
    synchronized (meters) {
      meters.forEach(registry::remove);
      meters.clear();
    }
  }
}
