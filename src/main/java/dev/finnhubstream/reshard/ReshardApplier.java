package dev.finnhubstream.reshard;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.ingest.ConnectionSnapshot;
import dev.finnhubstream.ingest.SymbolChange;
import dev.finnhubstream.ingest.SymbolChangeResult;
import dev.finnhubstream.reshard.ReshardPlanner.Placement;
import dev.finnhubstream.reshard.ReshardPlanner.Plan;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link Plan} to the connections of this process, through their runtime symbol changes
 * ({@link SymbolChange}), one change at a time and each after the answer to the previous one, in the order that never
 * subscribes a symbol twice:
 *
 * <ul>
 *   <li>first every borrower lets go of what it no longer holds in the plan (its unsubscribe frame is sent before
 *       it answers);</li>
 *   <li>then a lender takes back what nobody holds for it any more;</li>
 *   <li>then a lender marks what it lends (never subscribed there until reclaimed) and only then the borrower
 *       adds it.</li>
 * </ul>
 *
 * <p>It changes only the connections whose snapshots it is given. One instance gives it all of them, and that order
 * is the whole protocol. With several instances a lender or a borrower may live in another process: {@link Peers}
 * says what the other instances published, and a reclaim or an add whose other side is remote waits until it is safe.
 */
public final class ReshardApplier {

  private static final Logger LOGGER = LoggerFactory.getLogger(ReshardApplier.class);
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(2_000);

  /** What the other instances hold, as far as this one knows; one instance has no peers. */
  public interface Peers {

    /** No other instance: every connection is local. */
    Peers NONE = new Peers() {
      @Override
      public boolean releasedElsewhere(String symbol) {
        return true;
      }

      @Override
      public boolean mayAdd(String lender, String symbol) {
        return true;
      }
    };

    /** Whether no connection of another instance may still hold {@code symbol} as a borrower. */
    boolean releasedElsewhere(String symbol);

    /**
     * Whether a local connection may add {@code symbol} borrowed from {@code lender}: the lender has stopped
     * subscribing it (a local lender is asked first in the same pass), and no other instance may still hold it.
     */
    boolean mayAdd(String lender, String symbol);
  }

  private final Vertx vertx;
  private Map<String, List<String>> lastUnplaced = Map.of();

  public ReshardApplier(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Asks each connection for its snapshot; the list is in the order of {@code connections}. */
  public Future<List<ConnectionSnapshot>> snapshots(List<String> connections) {
    List<Future<ConnectionSnapshot>> asks = new ArrayList<>();
    for (String c : connections) {
      asks.add(vertx.eventBus().<ConnectionSnapshot>request(Addresses.statusIngest(c), null, ASK).map(Message::body));
    }
    return Future.all(asks).map(all -> asks.stream().map(Future::result).toList());
  }

  /**
   * @param local the snapshots of the connections this process may change (all of them alone; the held ones in HA)
   * @param plan  where the lent symbols belong
   * @param peers what the other instances published
   */
  public Future<Void> apply(List<ConnectionSnapshot> local, Plan plan, Peers peers) {
    Map<String, Placement> now = new TreeMap<>(); // symbol → lender and borrower, as the local connections hold it
    Map<String, List<String>> lent = new LinkedHashMap<>();
    for (ConnectionSnapshot s : local) {
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
    lent.forEach((lender, symbols) -> symbols.stream()
      .filter(symbol -> !plan.placements().containsKey(symbol) && peers.releasedElsewhere(symbol))
      .forEach(symbol -> steps.add(() -> change(lender, new SymbolChange(SymbolChange.Action.RECLAIM, symbol)))));
    plan.placements().forEach((symbol, planned) -> {
      if (planned.equals(now.get(symbol))) {
        return;
      }
      if (lent.containsKey(planned.lender()) && !lent.get(planned.lender()).contains(symbol)) {
        steps.add(() -> change(planned.lender(), new SymbolChange(SymbolChange.Action.LEND, symbol)));
      }
      if (lent.containsKey(planned.borrower())
        && (lent.containsKey(planned.lender()) ? peers.releasedElsewhere(symbol) : peers.mayAdd(planned.lender(), symbol))) {
        steps.add(() -> change(planned.borrower(), new SymbolChange(SymbolChange.Action.ADD, symbol, planned.lender())));
        out.computeIfAbsent(planned, k -> new ArrayList<>()).add(symbol);
      }
    });
    logChanges(local, out, back, plan);
    Future<SymbolChangeResult> chain = Future.succeededFuture();
    for (Supplier<Future<SymbolChangeResult>> step : steps) {
      chain = chain.compose(r -> step.get());
    }
    return chain.mapEmpty();
  }

  /** Lets go of everything {@code connection} borrows: it may no longer hold its key (several instances). */
  public Future<Void> dropBorrowed(ConnectionSnapshot connection, String why) {
    if (connection.sharing().borrowed().isEmpty()) {
      return Future.succeededFuture();
    }
    LOGGER.warn("Re-sharding: {} lets go of the symbols it borrowed, {}: {}", connection.connection(), why,
      connection.sharing().borrowed().keySet());
    Future<SymbolChangeResult> chain = Future.succeededFuture();
    for (String symbol : connection.sharing().borrowed().keySet()) {
      chain = chain.compose(r -> change(connection.connection(), new SymbolChange(SymbolChange.Action.REMOVE, symbol)));
    }
    return chain.mapEmpty();
  }

  private void logChanges(List<ConnectionSnapshot> snapshots, Map<Placement, List<String>> out, Map<Placement, List<String>> back,
                          Plan plan) {
    long nowMs = System.currentTimeMillis();
    Map<String, Long> unusableSince = new LinkedHashMap<>();
    snapshots.forEach(s -> unusableSince.put(s.connection(), s.sharing().unusableSinceMs()));
    out.forEach((move, symbols) -> {
      Long since = unusableSince.get(move.lender());
      LOGGER.warn("Re-sharding: {} unusable{}; {} now held by {}", move.lender(), since == null ? "" : " for " + (nowMs - since) + " ms",
        symbols, move.borrower());
    });
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
