package dev.finnhubstream.reshard;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.ingest.ConnectionSnapshot;
import dev.finnhubstream.ingest.SymbolChange;
import dev.finnhubstream.ingest.SymbolChangeResult;
import dev.finnhubstream.reshard.ReshardPlanner.KeyHealth;
import dev.finnhubstream.reshard.ReshardPlanner.Placement;
import dev.finnhubstream.reshard.ReshardPlanner.Plan;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance with several keys: moves the symbols of a key Finnhub keeps refusing onto the keys with room, and back
 * once it connects again. Every {@link #TICK_MS} it reads every connection's snapshot, asks {@link ReshardPlanner}
 * where the lent symbols belong, and applies the difference through the connections' runtime symbol changes (the
 * admin endpoints' {@link SymbolChange}), one change at a time and each after the answer to the previous one:
 *
 * <ul>
 *   <li>first every borrower lets go of what it no longer holds in the plan (its unsubscribe frame is sent before
 *       it answers);</li>
 *   <li>then a lender takes back what nobody holds for it any more;</li>
 *   <li>then a lender marks what it lends (never subscribed there until reclaimed) and only then the borrower
 *       adds it.</li>
 * </ul>
 *
 * <p>So a symbol is never subscribed on two connections at once; the price is a moment without a subscription on
 * each move (the next subscribe tick of the receiving connection). Not deployed with several instances, where each
 * instance holds only some of the keys.
 */
public final class ReshardVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(ReshardVerticle.class);
  /** How often the plan is checked: a symbol moved back waits up to this long on top of the subscribe tick. */
  static final long TICK_MS = 250;
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(2_000);

  private final List<String> connections;
  private final long reshardAfterMs;
  private long timer = -1;
  private boolean busy;
  private Map<String, List<String>> lastUnplaced = Map.of();

  /**
   * @param connections    every connection's label, in key order
   * @param reshardAfterMs how long a key must be refused before it lends its symbols (positive)
   */
  public ReshardVerticle(List<String> connections, long reshardAfterMs) {
    this.connections = List.copyOf(connections);
    this.reshardAfterMs = reshardAfterMs;
  }

  @Override
  public Future<?> start() {
    LOGGER.info("Re-sharding on: a key refused for {} ms lends its symbols to the {} other keys with room", reshardAfterMs,
      connections.size() - 1);
    timer = vertx.setPeriodic(TICK_MS, id -> {
      if (busy) {
        return; // one pass at a time: the next one starts from what this one did
      }
      busy = true;
      pass().onComplete(ar -> {
        busy = false;
        if (ar.failed()) {
          LOGGER.warn("Re-sharding pass failed, retried in {} ms: {}", TICK_MS, ar.cause().getMessage());
        }
      });
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private Future<Void> pass() {
    List<Future<ConnectionSnapshot>> asks = new ArrayList<>();
    for (String c : connections) {
      asks.add(vertx.eventBus().<ConnectionSnapshot>request(Addresses.statusIngest(c), null, ASK).map(Message::body));
    }
    return Future.all(asks).compose(all -> {
      List<ConnectionSnapshot> snapshots = new ArrayList<>();
      asks.forEach(f -> snapshots.add(f.result()));
      return apply(snapshots, ReshardPlanner.plan(health(snapshots), System.currentTimeMillis(), reshardAfterMs));
    });
  }

  /** What the planner needs of each connection. */
  static List<KeyHealth> health(List<ConnectionSnapshot> snapshots) {
    List<KeyHealth> keys = new ArrayList<>();
    for (ConnectionSnapshot s : snapshots) {
      Set<String> own = new LinkedHashSet<>(s.subscribed());
      own.addAll(s.pending());
      own.addAll(s.refused().keySet());
      own.addAll(s.overCap().keySet());
      own.removeAll(s.sharing().borrowed().keySet());
      own.addAll(s.sharing().lent());
      keys.add(new KeyHealth(s.connection(), s.sharing().unusableSinceMs(), s.effectiveCap(), new ArrayList<>(own),
        s.sharing().borrowed()));
    }
    return keys;
  }

  /** The changes from what the snapshots show to the plan, in the order that never subscribes a symbol twice. */
  private Future<Void> apply(List<ConnectionSnapshot> snapshots, Plan plan) {
    Map<String, Placement> now = new TreeMap<>(); // symbol → lender and borrower, as the connections hold it
    Map<String, List<String>> lent = new LinkedHashMap<>();
    for (ConnectionSnapshot s : snapshots) {
      s.sharing().borrowed().forEach((symbol, lender) -> now.put(symbol, new Placement(lender, s.connection())));
      lent.put(s.connection(), s.sharing().lent());
    }
    List<Supplier<Future<SymbolChangeResult>>> steps = new ArrayList<>();
    Map<Placement, List<String>> back = new LinkedHashMap<>(); // for the log: moved back, by lender and borrower
    Map<Placement, List<String>> out = new LinkedHashMap<>(); // lent out, by lender and borrower
    now.forEach((symbol, held) -> {
      Placement planned = plan.placements().get(symbol);
      if (!held.equals(planned)) {
        steps.add(() -> change(held.borrower(), new SymbolChange(SymbolChange.Action.REMOVE, symbol)));
        if (planned == null) {
          back.computeIfAbsent(held, k -> new ArrayList<>()).add(symbol);
        }
      }
    });
    lent.forEach((lender, symbols) -> symbols.stream().filter(symbol -> !plan.placements().containsKey(symbol))
      .forEach(symbol -> steps.add(() -> change(lender, new SymbolChange(SymbolChange.Action.RECLAIM, symbol)))));
    plan.placements().forEach((symbol, planned) -> {
      if (!planned.equals(now.get(symbol))) {
        if (!lent.getOrDefault(planned.lender(), List.of()).contains(symbol)) {
          steps.add(() -> change(planned.lender(), new SymbolChange(SymbolChange.Action.LEND, symbol)));
        }
        steps.add(() -> change(planned.borrower(), new SymbolChange(SymbolChange.Action.ADD, symbol, planned.lender())));
        out.computeIfAbsent(planned, k -> new ArrayList<>()).add(symbol);
      }
    });
    logChanges(snapshots, out, back, plan);
    Future<SymbolChangeResult> chain = Future.succeededFuture();
    for (Supplier<Future<SymbolChangeResult>> step : steps) {
      chain = chain.compose(r -> step.get());
    }
    return chain.mapEmpty();
  }

  private void logChanges(List<ConnectionSnapshot> snapshots, Map<Placement, List<String>> out, Map<Placement, List<String>> back,
                          Plan plan) {
    long nowMs = System.currentTimeMillis();
    Map<String, Long> unusableSince = new LinkedHashMap<>();
    snapshots.forEach(s -> unusableSince.put(s.connection(), s.sharing().unusableSinceMs()));
    out.forEach((move, symbols) -> LOGGER.warn("Re-sharding: {} unusable for {} ms; {} now held by {}", move.lender(),
      nowMs - unusableSince.getOrDefault(move.lender(), nowMs), symbols, move.borrower()));
    back.forEach((move, symbols) -> LOGGER.info("Re-sharding: {} back to {} from {}", symbols, move.lender(), move.borrower()));
    if (!plan.unplaced().equals(lastUnplaced)) {
      if (!plan.unplaced().isEmpty()) {
        LOGGER.warn("Re-sharding: no key has room for {} (every usable key is at its cap); they wait for their own key",
          plan.unplaced());
      }
      lastUnplaced = plan.unplaced();
    }
  }

  private Future<SymbolChangeResult> change(String connection, SymbolChange change) {
    return vertx.eventBus().<SymbolChangeResult>request(Addresses.ingestSymbols(connection), change, ASK).map(Message::body);
  }
}
