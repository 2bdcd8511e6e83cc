package dev.finnhubstream.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.config.HaConfig;
import dev.finnhubstream.ingest.ConnectionPermit;
import dev.finnhubstream.ingest.ConnectionState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The permits the connections read: own the slot and hold a fresh lease to open; the policy decides keeping. */
class KeySlotsTest {

  private static HaConfig config(HaConfig.LeaseLossPolicy policy) {
    return new HaConfig(true, "slots", "g", 4, 6_000, 1_000, 1_500, 1_000, policy);
  }

  @Test
  @DisplayName("no slot: standby, may neither open nor keep; owned with a fresh lease: may open; a stale lease never opens")
  void openOnlyWithSlotAndFreshLease() {
    KeySlots slots = new KeySlots(config(HaConfig.LeaseLossPolicy.KEEP_OPEN));
    ConnectionPermit permit = slots.permit(1);
    assertThat(permit.mayOpen()).isFalse();
    assertThat(permit.mayKeepOpen()).isFalse();
    assertThat(permit.waitingState()).isEqualTo(ConnectionState.STANDBY);

    slots.own(1, true);
    assertThat(permit.mayOpen()).as("owned, but no proof of membership yet").isFalse();
    assertThat(permit.waitingState()).isEqualTo(ConnectionState.FENCED);
    slots.renewed(System.currentTimeMillis());
    assertThat(permit.mayOpen()).isTrue();
    assertThat(slots.permit(2).mayOpen()).as("another slot's key").isFalse();

    slots.renewed(System.currentTimeMillis() - 5_000); // an older renewal never shortens the lease
    assertThat(permit.mayOpen()).isTrue();
  }

  @Test
  @DisplayName("a stale lease: keep_open keeps an open connection, fence closes it; neither reopens")
  void policies() {
    long stale = System.currentTimeMillis() - 4_600; // lease = 6,000 - 1,500 ms
    KeySlots keep = new KeySlots(config(HaConfig.LeaseLossPolicy.KEEP_OPEN));
    keep.own(0, true);
    keep.renewed(stale);
    assertThat(keep.permit(0).mayOpen()).isFalse();
    assertThat(keep.permit(0).mayKeepOpen()).isTrue();
    KeySlots fence = new KeySlots(config(HaConfig.LeaseLossPolicy.FENCE));
    fence.own(0, true);
    fence.renewed(stale);
    assertThat(fence.permit(0).mayOpen()).isFalse();
    assertThat(fence.permit(0).mayKeepOpen()).isFalse();
    assertThat(fence.leaseAgeMs(System.currentTimeMillis())).isBetween(4_600L, 10_000L);
  }

  @Test
  @DisplayName("refusing (configuration diverged) closes and never opens, whatever the lease and the policy")
  void refusing() {
    KeySlots slots = new KeySlots(config(HaConfig.LeaseLossPolicy.KEEP_OPEN));
    slots.own(0, true);
    slots.renewed(System.currentTimeMillis());
    slots.refuse(true);
    assertThat(slots.permit(0).mayOpen()).isFalse();
    assertThat(slots.permit(0).mayKeepOpen()).isFalse();
    assertThat(slots.permit(0).waitingState()).isEqualTo(ConnectionState.STANDBY);
    slots.refuse(false);
    assertThat(slots.permit(0).mayOpen()).isTrue();
  }
}
