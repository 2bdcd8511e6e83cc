package dev.finnhubstream.reshard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.reshard.ReshardPlanner.KeyHealth;
import dev.finnhubstream.reshard.ReshardPlanner.Placement;
import dev.finnhubstream.reshard.ReshardPlanner.Plan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReshardPlannerTest {

  private static final long AFTER = 60_000;
  private static final long NOW = 1_000_000;

  private static KeyHealth usable(String key, int cap, List<String> own, Map<String, String> borrowed) {
    return new KeyHealth(key, 0, cap, own, borrowed);
  }

  private static KeyHealth refused(String key, long forMs, List<String> own) {
    return new KeyHealth(key, NOW - forMs, 50, own, Map.of());
  }

  @Test
  @DisplayName("a key refused for less than the configured time, or with resharding off, lends nothing")
  void waitsForTheConfiguredTime() {
    List<KeyHealth> keys = List.of(usable("key-1", 50, List.of("A"), Map.of()), refused("key-2", AFTER - 1, List.of("B")));
    assertThat(ReshardPlanner.plan(keys, NOW, AFTER).placements()).isEmpty();
    List<KeyHealth> long_ = List.of(usable("key-1", 50, List.of("A"), Map.of()), refused("key-2", 10 * AFTER, List.of("B")));
    assertThat(ReshardPlanner.plan(long_, NOW, 0)).isEqualTo(Plan.EMPTY);
    assertThat(ReshardPlanner.plan(long_, NOW, AFTER).placements()).containsExactly(Map.entry("B", new Placement("key-2", "key-1")));
  }

  @Test
  @DisplayName("the symbols go round-robin over the usable keys in key order, sorted, never to another refused key")
  void roundRobin() {
    List<KeyHealth> keys = List.of(
      usable("key-1", 50, List.of("A"), Map.of()),
      refused("key-2", AFTER, List.of("Z", "Y", "X", "W", "V")),
      usable("key-3", 50, List.of("C"), Map.of()),
      refused("key-4", AFTER / 2, List.of("D")));
    Plan plan = ReshardPlanner.plan(keys, NOW, AFTER);
    assertThat(plan.placements()).containsExactly(
      Map.entry("V", new Placement("key-2", "key-1")), Map.entry("W", new Placement("key-2", "key-3")),
      Map.entry("X", new Placement("key-2", "key-1")), Map.entry("Y", new Placement("key-2", "key-3")),
      Map.entry("Z", new Placement("key-2", "key-1")));
    assertThat(plan.unplaced()).isEmpty();
    assertThat(plan.borrowedBy("key-3")).containsExactly(Map.entry("W", "key-2"), Map.entry("Y", "key-2"));
    assertThat(plan.lentBy("key-2")).containsExactly("V", "W", "X", "Y", "Z");
  }

  @Test
  @DisplayName("never beyond a key's learned cap, its own symbols counted first; what fits nowhere stays home")
  void caps() {
    List<KeyHealth> keys = List.of(
      usable("key-1", 2, List.of("A"), Map.of()),        // room for 1
      usable("key-2", 3, List.of("B", "C", "D"), Map.of()), // full
      usable("key-3", 3, List.of("E"), Map.of()),        // room for 2
      refused("key-4", AFTER, List.of("P", "Q", "R", "S", "T")));
    Plan plan = ReshardPlanner.plan(keys, NOW, AFTER);
    assertThat(plan.placements()).containsExactly(
      Map.entry("P", new Placement("key-4", "key-1")), Map.entry("Q", new Placement("key-4", "key-3")),
      Map.entry("R", new Placement("key-4", "key-3")));
    assertThat(plan.unplaced()).containsExactly(Map.entry("key-4", List.of("S", "T")));
  }

  @Test
  @DisplayName("the same keys and health give the same plan, whatever order each connection lists its symbols in")
  void deterministic() {
    List<String> own = new ArrayList<>(List.of("M1", "M2", "M3", "M4", "M5", "M6", "M7"));
    List<KeyHealth> a = List.of(usable("key-1", 4, List.of("A"), Map.of()), refused("key-2", AFTER, own), usable("key-3", 5, List.of(), Map.of()));
    Collections.shuffle(own, new java.util.Random(7));
    List<KeyHealth> b = List.of(usable("key-1", 4, List.of("A"), Map.of()), refused("key-2", AFTER, own), usable("key-3", 5, List.of(), Map.of()));
    assertThat(ReshardPlanner.plan(b, NOW, AFTER)).isEqualTo(ReshardPlanner.plan(a, NOW, AFTER));
  }

  @Test
  @DisplayName("a symbol already borrowed stays where it is while its borrower is usable and within its cap")
  void sticky() {
    // key-3 holds V and W for key-2 now; key-1 (earlier in the order) has room too: nothing moves.
    List<KeyHealth> keys = List.of(
      usable("key-1", 50, List.of("A"), Map.of()),
      refused("key-2", AFTER, List.of("V", "W")),
      usable("key-3", 50, List.of("C"), Map.of("V", "key-2", "W", "key-2")));
    assertThat(ReshardPlanner.plan(keys, NOW, AFTER).borrowedBy("key-3")).containsOnlyKeys("V", "W");
    // Its cap learned lower (room for one): one of them moves, the other stays.
    List<KeyHealth> lower = List.of(keys.get(0), keys.get(1), usable("key-3", 2, List.of("C"), Map.of("V", "key-2", "W", "key-2")));
    Plan plan = ReshardPlanner.plan(lower, NOW, AFTER);
    assertThat(plan.placements()).containsExactly(
      Map.entry("V", new Placement("key-2", "key-3")), Map.entry("W", new Placement("key-2", "key-1")));
  }

  @Test
  @DisplayName("the same plan whether a borrow is already known or not (instances whose views differ by one commit)")
  void keptSymbolsTakeTheirTurn() {
    List<KeyHealth> before = List.of(
      usable("key-1", 50, List.of("A"), Map.of()),
      refused("key-2", AFTER, List.of("V", "W")),
      usable("key-3", 50, List.of("C"), Map.of()));
    Plan fresh = ReshardPlanner.plan(before, NOW, AFTER);
    assertThat(fresh.placements()).containsExactly(
      Map.entry("V", new Placement("key-2", "key-1")), Map.entry("W", new Placement("key-2", "key-3")));
    List<KeyHealth> afterOne = List.of(usable("key-1", 50, List.of("A"), Map.of("V", "key-2")), before.get(1), before.get(2));
    assertThat(ReshardPlanner.plan(afterOne, NOW, AFTER)).isEqualTo(fresh);
  }

  @Test
  @DisplayName("a borrower refused in turn loses what it borrowed, and lends its own symbols too")
  void borrowerRefused() {
    Map<String, String> borrowed = new HashMap<>(Map.of("V", "key-2"));
    List<KeyHealth> keys = List.of(
      usable("key-1", 50, List.of("A"), Map.of()),
      refused("key-2", 2 * AFTER, List.of("V")),
      new KeyHealth("key-3", NOW - AFTER, 50, List.of("C"), borrowed));
    Plan plan = ReshardPlanner.plan(keys, NOW, AFTER);
    assertThat(plan.placements()).containsExactly(
      Map.entry("V", new Placement("key-2", "key-1")), Map.entry("C", new Placement("key-3", "key-1")));
  }

  @Test
  @DisplayName("once the key is usable again it lends nothing: its symbols leave the plan and go back")
  void moveBack() {
    List<KeyHealth> keys = List.of(
      usable("key-1", 50, List.of("A"), Map.of("V", "key-2")),
      usable("key-2", 50, List.of("V", "W"), Map.of()),
      usable("key-3", 50, List.of("C"), Map.of("W", "key-2")));
    assertThat(ReshardPlanner.plan(keys, NOW, AFTER)).isEqualTo(Plan.EMPTY);
  }
}
