package dev.finnhubstream.ha;

import java.util.Map;

/**
 * Where the re-sharding and the coordinator meet: the re-sharding puts the health of the keys this instance holds,
 * the coordinator commits it with each lease renewal and puts back what it read of every slot. Written and read on
 * two threads (the coordinator's, an event loop): immutable values behind volatiles.
 */
public final class SlotHealthBoard {

  /**
   * Every slot's latest commit, as read by the coordinator.
   *
   * @param readStartMs when the read was sent: every commit acknowledged before it is in it
   * @param slots       slot → its committed metadata (slots never committed, or not parsable, are absent)
   */
  public record View(long readStartMs, Map<Integer, SlotHealth> slots) {

    public View {
      slots = Map.copyOf(slots);
    }
  }

  /**
   * The latest commit of this instance that carried published health.
   *
   * @param publishedAtMs when that health was put on the board
   * @param ackedAtMs     when the commit returned
   */
  public record Ack(long publishedAtMs, long ackedAtMs) {
  }

  private volatile Map<Integer, SlotHealth> local = Map.of();
  private volatile long localAtMs;
  private volatile View view;
  private volatile Ack ack = new Ack(0, 0);

  /** The re-sharding's latest health of the slots it holds (slot → health); the coordinator commits it. */
  public void publish(Map<Integer, SlotHealth> health, long nowMs) {
    local = Map.copyOf(health);
    localAtMs = nowMs;
  }

  SlotHealth local(int slot) {
    return local.get(slot);
  }

  long localAtMs() {
    return localAtMs;
  }

  void acked(long publishedAtMs, long ackedAtMs) {
    ack = new Ack(publishedAtMs, ackedAtMs);
  }

  void view(View v) {
    view = v;
  }

  /** What every slot committed last, or {@code null} before the first read. */
  public View view() {
    return view;
  }

  public Ack ack() {
    return ack;
  }
}
