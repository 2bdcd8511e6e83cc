package dev.finnhubstream.reshard;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where the symbols of refused keys go: a pure function of the keys, in their configured order, and their health, so
 * that whoever computes it (one instance now; every instance of a group, from the health each owner publishes) gets
 * the same answer.
 *
 * <ul>
 *   <li>A key lends its symbols once it has been unusable for {@code reshardAfterMs} without a break (0 = never).</li>
 *   <li>They go to usable keys only, never beyond a key's cap (the learned one): a key's own symbols come first.</li>
 *   <li>A symbol already borrowed by a key that is still usable and within its cap stays there: every move costs
 *       the symbol a moment without a subscription, so the plan never moves one without a reason.</li>
 *   <li>The others go round-robin over the usable keys with room, in key order; the lender's symbols sorted, so the
 *       order in which a connection reports them does not matter, and a kept symbol takes its turn too, so where the
 *       others go does not depend on which borrows are known yet. What fits nowhere stays with its own key.</li>
 *   <li>A key usable again lends nothing: its symbols leave the plan, and the caller moves them back.</li>
 * </ul>
 */
public final class ReshardPlanner {

  private ReshardPlanner() {
  }

  /**
   * One key as the plan sees it.
   *
   * @param key             the connection's label, e.g. {@code key-2}
   * @param unusableSinceMs since when the key has been refused (or fenced) without a break; 0 = usable
   * @param cap             the most symbols it may hold (the learned cap)
   * @param own             its own symbols, lent ones included, borrowed ones excluded
   * @param borrowed        what it holds for other keys now: symbol → lender
   */
  public record KeyHealth(String key, long unusableSinceMs, int cap, List<String> own, Map<String, String> borrowed) {

    public KeyHealth {
      Objects.requireNonNull(key, "key");
      own = List.copyOf(own);
      borrowed = Map.copyOf(borrowed);
    }

    boolean usable() {
      return unusableSinceMs == 0;
    }
  }

  /** Where a lent symbol is held. */
  public record Placement(String lender, String borrower) {
  }

  /**
   * @param placements symbol → lender and borrower, by lender in key order, then symbol
   * @param unplaced   lender → its symbols that fit on no usable key (they stay with the lender, unsubscribed)
   */
  public record Plan(Map<String, Placement> placements, Map<String, List<String>> unplaced) {

    public static final Plan EMPTY = new Plan(Map.of(), Map.of());

    public Plan {
      placements = Collections.unmodifiableMap(new LinkedHashMap<>(placements));
      unplaced = Collections.unmodifiableMap(new LinkedHashMap<>(unplaced));
    }

    /** The symbols {@code borrower} holds for others in this plan: symbol → lender. */
    public Map<String, String> borrowedBy(String borrower) {
      Map<String, String> out = new TreeMap<>();
      placements.forEach((symbol, p) -> {
        if (p.borrower().equals(borrower)) {
          out.put(symbol, p.lender());
        }
      });
      return out;
    }

    /** The symbols {@code lender} has lent in this plan. */
    public List<String> lentBy(String lender) {
      List<String> out = new ArrayList<>();
      placements.forEach((symbol, p) -> {
        if (p.lender().equals(lender)) {
          out.add(symbol);
        }
      });
      return out;
    }
  }

  /**
   * @param keys           every key, in configured order
   * @param nowMs          the clock the {@code unusableSinceMs} values are on
   * @param reshardAfterMs how long a key must have been unusable before it lends; 0 = never
   */
  public static Plan plan(List<KeyHealth> keys, long nowMs, long reshardAfterMs) {
    if (reshardAfterMs <= 0) {
      return Plan.EMPTY;
    }
    List<KeyHealth> lenders = keys.stream()
      .filter(k -> !k.usable() && nowMs - k.unusableSinceMs() >= reshardAfterMs && !k.own().isEmpty()).toList();
    if (lenders.isEmpty()) {
      return Plan.EMPTY;
    }
    List<KeyHealth> targets = keys.stream().filter(KeyHealth::usable).toList();
    Map<String, Integer> room = new LinkedHashMap<>();
    Map<String, String> heldBy = new TreeMap<>(); // symbol → the usable key that borrows it now
    for (KeyHealth t : targets) {
      room.put(t.key(), Math.max(0, t.cap() - t.own().size()));
      t.borrowed().keySet().forEach(symbol -> heldBy.put(symbol, t.key()));
    }
    Map<String, TreeSet<String>> toLend = new LinkedHashMap<>();
    for (KeyHealth lender : lenders) {
      toLend.put(lender.key(), new TreeSet<>(lender.own()));
    }
    // First what can stay where it is, so that a change elsewhere moves nothing that need not move.
    Map<String, String> kept = new TreeMap<>();
    for (Map.Entry<String, TreeSet<String>> e : toLend.entrySet()) {
      for (String symbol : e.getValue()) {
        String holder = heldBy.get(symbol);
        if (holder != null && room.get(holder) > 0) {
          room.merge(holder, -1, Integer::sum);
          kept.put(symbol, holder);
        }
      }
    }
    Map<String, Placement> placements = new LinkedHashMap<>();
    Map<String, List<String>> unplaced = new LinkedHashMap<>();
    List<String> order = new ArrayList<>(room.keySet());
    int next = 0;
    for (Map.Entry<String, TreeSet<String>> e : toLend.entrySet()) {
      String lender = e.getKey();
      for (String symbol : e.getValue()) {
        String borrower = kept.get(symbol);
        if (borrower != null && !order.isEmpty()) {
          // A kept symbol takes its turn all the same: the others land where they would without it, so a plan made
          // before a borrow is published (another instance's view) and one made after it agree.
          next = (next + 1) % order.size();
        }
        for (int tried = 0; borrower == null && tried < order.size(); tried++) {
          String candidate = order.get(next);
          next = (next + 1) % order.size();
          if (room.get(candidate) > 0) {
            room.merge(candidate, -1, Integer::sum);
            borrower = candidate;
          }
        }
        if (borrower == null) {
          unplaced.computeIfAbsent(lender, k -> new ArrayList<>()).add(symbol);
        } else {
          placements.put(symbol, new Placement(lender, borrower));
        }
      }
    }
    return new Plan(placements, unplaced);
  }
}
