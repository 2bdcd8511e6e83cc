package dev.finnhubstream.ha;

import dev.finnhubstream.config.FinnhubConfig;
import dev.finnhubstream.config.HaConfig;
import dev.finnhubstream.ingest.ConnectionSnapshot;
import dev.finnhubstream.ingest.FinnhubWebSocketVerticle;
import dev.finnhubstream.reshard.PeriodicPass;
import dev.finnhubstream.reshard.ReshardApplier;
import dev.finnhubstream.reshard.ReshardPlanner;
import dev.finnhubstream.reshard.ReshardPlanner.KeyHealth;
import dev.finnhubstream.reshard.ReshardPlanner.Plan;
import dev.finnhubstream.reshard.ReshardVerticle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-sharding with several instances (docs/ha.md): every instance plans from what every slot's owner committed with
 * its lease ({@link SlotHealth}, read by the coordinator into the {@link SlotHealthBoard}), so all compute the same
 * plan, and each applies it only to the connections it holds ({@link ReshardApplier}). The order a single process gets
 * from one chain of changes is kept across processes through what each publishes:
 *
 * <ul>
 *   <li>a borrower adds a symbol only once the lender's owner publishes it as lent (it has stopped subscribing it), and
 *       no other instance shows it borrowed;</li>
 *   <li>a lender stops publishing a symbol it wants back, and reclaims it only once every other live owner has
 *       published a pass applied after that (their {@code viewMs}) without it, or its lease has run out;</li>
 *   <li>a connection that no longer holds its key with a fresh lease drops what it borrowed (its slot's new owner, or
 *       the lender, may count on that one lease after its last commit).</li>
 * </ul>
 *
 * <p>A slot without a live lease counts as unusable since its last commit: a takeover shorter than
 * {@code reshard_after_ms} lends nothing.
 */
public final class HaReshardVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(HaReshardVerticle.class);

  private final FinnhubConfig finnhub;
  private final HaConfig ha;
  private final KeySlots slots;
  private final SlotHealthBoard board;
  /** The keys the planner sees (a retired key neither lends nor borrows), in key order. */
  private final List<Integer> keys = new ArrayList<>();
  private final Map<String, Integer> symbolIndex = new HashMap<>();
  private final Map<String, String> home = new HashMap<>(); // symbol → its own key's connection
  private final Map<String, Integer> keyOf = new HashMap<>(); // connection → its key's position (= its slot)
  /** When this instance first saw a slot without any commit: such a slot counts as unusable since then. */
  private final Map<Integer, Long> missingSince = new HashMap<>();
  /** Symbols this instance wants back: symbol → when it stopped publishing them as lent. */
  private final Map<String, Long> recalledAt = new HashMap<>();
  /** Recalled symbols: symbol → when the first lease commit that no longer listed them as lent returned. */
  private final Map<String, Long> recallCommittedAt = new HashMap<>();
  private ReshardApplier applier;
  private PeriodicPass passes;
  /** The view the last completed pass applied (its read start), published as {@code viewMs}. */
  private long appliedViewMs;
  private long lastWaitLogMs;

  public HaReshardVerticle(FinnhubConfig finnhub, HaConfig ha, KeySlots slots, SlotHealthBoard board) {
    this.finnhub = finnhub;
    this.ha = ha;
    this.slots = slots;
    this.board = board;
    for (int k = 0; k < finnhub.connectionCount(); k++) {
      if (!finnhub.retired(k)) {
        keys.add(k);
        keyOf.put(name(k), k);
        for (String symbol : finnhub.shard(k)) {
          home.put(symbol, name(k));
        }
      }
    }
    for (int i = 0; i < finnhub.symbols().size(); i++) {
      symbolIndex.put(finnhub.symbols().get(i), i);
    }
  }

  private static String name(int key) {
    return FinnhubWebSocketVerticle.connectionName(key);
  }

  /** How long after its last commit an owner has surely dropped what it borrowed: its lease, a pass, a margin. */
  private long staleAfterMs() {
    return ha.leaseMs() + ha.confirmIntervalMs() + 2 * ReshardVerticle.TICK_MS;
  }

  @Override
  public Future<?> start() {
    LOGGER.info("Re-sharding across instances on: a key refused for {} ms lends its symbols to the keys with room, whichever "
      + "instance holds them", finnhub.reshardAfterMs());
    applier = new ReshardApplier(vertx);
    passes = PeriodicPass.start(vertx, this::pass);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    passes.stop();
    return Future.succeededFuture();
  }

  private Future<Void> pass() {
    SlotHealthBoard.View view = board.view();
    if (view == null) {
      return Future.succeededFuture();
    }
    return applier.snapshots(keys.stream().map(HaReshardVerticle::name).toList()).compose(snapshots -> {
      long now = System.currentTimeMillis();
      List<ConnectionSnapshot> held = new ArrayList<>();
      Future<Void> drops = Future.succeededFuture();
      for (int i = 0; i < keys.size(); i++) {
        ConnectionSnapshot s = snapshots.get(i);
        if (slots.owns(keys.get(i)) && slots.leaseFresh(now)) {
          held.add(s);
        } else {
          drops = drops.compose(v -> applier.dropBorrowed(s, "its key is not held here with a fresh lease"));
        }
      }
      Plan plan = ReshardPlanner.plan(health(view, now), now, finnhub.reshardAfterMs());
      publish(held, plan, now);
      long viewMs = view.readStartMs();
      return drops.compose(v -> applier.apply(held, plan, new Peers(view, now))).onSuccess(v -> appliedViewMs = viewMs);
    });
  }

  /** Every key's health as its owner committed it: the same input on every instance, hence the same plan. */
  private List<KeyHealth> health(SlotHealthBoard.View view, long now) {
    List<KeyHealth> out = new ArrayList<>();
    for (int k : keys) {
      SlotHealth h = view.slots().get(k);
      long unusableSince;
      int cap = finnhub.maxSymbolsPerKey();
      Map<String, String> borrowed = new HashMap<>();
      if (h == null) {
        missingSince.putIfAbsent(k, now);
        unusableSince = missingSince.get(k);
      } else {
        missingSince.remove(k);
        boolean live = now - h.leaseTimeMs() < ha.leaseMs();
        // No live lease: the fenced or dead case, unusable since the last commit (a takeover is shorter than that).
        unusableSince = live ? h.unusableSinceMs() : h.unusableSinceMs() > 0 ? Math.min(h.unusableSinceMs(), h.leaseTimeMs())
          : h.leaseTimeMs();
        if (h.health()) {
          cap = h.cap();
          if (live) {
            symbols(h.borrowed()).forEach(symbol -> borrowed.put(symbol, home.getOrDefault(symbol, "?")));
          }
        }
      }
      out.add(new KeyHealth(name(k), unusableSince, cap, finnhub.shard(k), borrowed));
    }
    return out;
  }

  /** The health of the keys held here, for the coordinator's next lease commit. */
  private void publish(List<ConnectionSnapshot> held, Plan plan, long now) {
    Map<Integer, SlotHealth> out = new HashMap<>();
    for (ConnectionSnapshot s : held) {
      int k = keyOf(s.connection());
      List<String> lentOut = new ArrayList<>();
      List<String> planned = plan.lentBy(s.connection());
      for (String symbol : s.sharing().lent()) {
        if (planned.contains(symbol)) {
          lentOut.add(symbol);
          recalledAt.remove(symbol);
          recallCommittedAt.remove(symbol);
        } else {
          recalledAt.putIfAbsent(symbol, now); // no longer published as lent from this commit on
        }
      }
      out.put(k, SlotHealth.of(s.sharing().unusableSinceMs(), s.effectiveCap(), appliedViewMs,
        indices(s.sharing().borrowed().keySet()), indices(lentOut)));
    }
    recalledAt.keySet().removeIf(symbol -> held.stream().noneMatch(s -> s.sharing().lent().contains(symbol)));
    recallCommittedAt.keySet().retainAll(recalledAt.keySet());
    board.publish(out, now);
  }

  private int keyOf(String connection) {
    return keyOf.get(connection);
  }

  private List<Integer> indices(Iterable<String> symbols) {
    List<Integer> out = new ArrayList<>();
    for (String symbol : symbols) {
      Integer i = symbolIndex.get(symbol);
      if (i != null) { // a symbol added at runtime through the admin endpoints is not the re-sharding's
        out.add(i);
      }
    }
    return out;
  }

  private List<String> symbols(List<Integer> indices) {
    List<String> out = new ArrayList<>();
    for (int i : indices) {
      if (i >= 0 && i < finnhub.symbols().size()) {
        out.add(finnhub.symbols().get(i));
      }
    }
    return out;
  }

  /** What the other instances' owners committed, as the applier's gate. */
  private final class Peers implements ReshardApplier.Peers {

    private final SlotHealthBoard.View view;
    private final long now;

    Peers(SlotHealthBoard.View view, long now) {
      this.view = view;
      this.now = now;
    }

    /** Whether a slot held elsewhere may still hold {@code symbol} as a borrower, or has not yet seen what was published at {@code seenSinceMs}. */
    private boolean borrowedElsewhere(String symbol, long seenSinceMs) {
      Integer index = symbolIndex.get(symbol);
      for (Map.Entry<Integer, SlotHealth> e : view.slots().entrySet()) {
        SlotHealth h = e.getValue();
        if (slots.owns(e.getKey()) || !h.health() || now - h.leaseTimeMs() >= staleAfterMs()) {
          continue; // held here (the local snapshots tell), never published health, or its owner has dropped it by now
        }
        if (h.borrowed().contains(index) || h.viewMs() <= seenSinceMs) {
          waiting(symbol, e.getKey(), h, seenSinceMs);
          return true;
        }
      }
      return false;
    }

    /** A reclaim held up for long is worth a line: which slot it waits for, and what that slot published. */
    private void waiting(String symbol, int slot, SlotHealth h, long seenSinceMs) {
      Long recalled = recalledAt.get(symbol);
      if (recalled != null && now - recalled > 5_000 && now - lastWaitLogMs > 5_000) {
        lastWaitLogMs = now;
        LOGGER.warn("Re-sharding: {} waits {} ms to go back: slot {} (lease {} ms old) {} (its view {} ms, needed after {} ms)", symbol,
          now - recalled, slot, now - h.leaseTimeMs(), h.borrowed().contains(symbolIndex.get(symbol)) ? "still borrows it" : "has not shown it saw the recall",
          h.viewMs(), seenSinceMs);
      }
    }

    @Override
    public boolean releasedElsewhere(String symbol) {
      Long recalled = recalledAt.get(symbol);
      SlotHealthBoard.Ack ack = board.ack();
      if (recalled == null) {
        return !borrowedElsewhere(symbol, Long.MIN_VALUE); // a local move: only what is published matters
      }
      if (ack.publishedAtMs() < recalled) {
        return false; // the others cannot know yet that this instance wants it back
      }
      // The first commit that carried the recall (each later one would move the mark): every other live owner must
      // have applied a view read after it, and not hold the symbol.
      long carried = recallCommittedAt.computeIfAbsent(symbol, k -> ack.ackedAtMs());
      return !borrowedElsewhere(symbol, carried);
    }

    @Override
    public boolean mayAdd(String lender, String symbol) {
      int k = keyOf(lender);
      SlotHealth h = view.slots().get(k);
      Integer index = symbolIndex.get(symbol);
      return h != null && h.health() && now - h.leaseTimeMs() < ha.leaseMs() && h.lent().contains(index)
        && !borrowedElsewhere(symbol, Long.MIN_VALUE);
    }
  }
}
