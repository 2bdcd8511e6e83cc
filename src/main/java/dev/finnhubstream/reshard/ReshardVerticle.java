package dev.finnhubstream.reshard;

import dev.finnhubstream.ingest.ConnectionSnapshot;
import dev.finnhubstream.reshard.ReshardPlanner.KeyHealth;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance with several keys: moves the symbols of a key Finnhub keeps refusing onto the keys with room, and back
 * once it connects again. Every {@link #TICK_MS} it reads every connection's snapshot, asks {@link ReshardPlanner}
 * where the lent symbols belong, and applies the difference through {@link ReshardApplier} (never a symbol on two
 * connections at once; the price is a moment without a subscription on each move). With several instances each holds
 * only some keys: {@code ha/HaReshardVerticle} plans from what every instance publishes instead.
 */
public final class ReshardVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(ReshardVerticle.class);
  /** How often the plan is checked: a symbol moved back waits up to this long on top of the subscribe tick. */
  public static final long TICK_MS = 250;

  private final List<String> connections;
  private final long reshardAfterMs;
  private PeriodicPass passes;
  private ReshardApplier applier;

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
    return applier.snapshots(connections).compose(snapshots -> applier.apply(snapshots,
      ReshardPlanner.plan(health(snapshots), System.currentTimeMillis(), reshardAfterMs), ReshardApplier.Peers.NONE));
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

}
