package dev.finnhubstream.ha;

import dev.finnhubstream.config.HaConfig;
import dev.finnhubstream.ingest.ConnectionPermit;
import dev.finnhubstream.ingest.ConnectionState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * What this instance may hold right now: which slots are its own and until when its lease (proof of group
 * membership) is valid. Written by the coordinator's thread, read by the connections' event loops through one
 * {@link ConnectionPermit} per key; hence atomics and volatiles, no locks.
 */
public final class KeySlots {

  private final HaConfig config;
  private final AtomicIntegerArray owned;
  private volatile long leaseValidUntilMs;
  private volatile long leaseFromMs = -1;
  private volatile boolean refusing;

  public KeySlots(HaConfig config) {
    this.config = config;
    this.owned = new AtomicIntegerArray(config.slots());
  }

  void own(int slot, boolean own) {
    owned.set(slot, own ? 1 : 0);
  }

  boolean owns(int slot) {
    return owned.get(slot) == 1;
  }

  List<Integer> ownedSlots() {
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < owned.length(); i++) {
      if (owned.get(i) == 1) {
        slots.add(i);
      }
    }
    return slots;
  }

  /** A proof of membership: a renewal sent at {@code sentAtMs} succeeded (or an assignment arrived). */
  void renewed(long sentAtMs) {
    if (sentAtMs + config.leaseMs() > leaseValidUntilMs) {
      leaseValidUntilMs = sentAtMs + config.leaseMs();
      leaseFromMs = sentAtMs;
    }
  }

  /** Refusing every key (configuration diverged from the other instances'). */
  void refuse(boolean refuse) {
    refusing = refuse;
  }

  boolean leaseFresh(long nowMs) {
    return nowMs < leaseValidUntilMs;
  }

  long leaseAgeMs(long nowMs) {
    return leaseFromMs < 0 ? -1 : nowMs - leaseFromMs;
  }

  /** The permit of the key in {@code slot}. */
  public ConnectionPermit permit(int slot) {
    return new ConnectionPermit() {
      @Override
      public boolean mayOpen() {
        return !refusing && owns(slot) && leaseFresh(System.currentTimeMillis());
      }

      @Override
      public boolean mayKeepOpen() {
        return !refusing && owns(slot)
          && (config.onLeaseLoss() == HaConfig.LeaseLossPolicy.KEEP_OPEN || leaseFresh(System.currentTimeMillis()));
      }

      @Override
      public ConnectionState waitingState() {
        return owns(slot) && !refusing ? ConnectionState.FENCED : ConnectionState.STANDBY;
      }
    };
  }
}
