package dev.finnhubstream;

import dev.finnhubstream.bus.BusObservers;
import dev.finnhubstream.bus.Codecs;
import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.config.ConfigLoader;
import dev.finnhubstream.config.LockboxSecrets;
import dev.finnhubstream.gaps.GapVerticle;
import dev.finnhubstream.ha.HaVerticle;
import dev.finnhubstream.ha.HaReshardVerticle;
import dev.finnhubstream.ha.KeySlots;
import dev.finnhubstream.ha.SlotHealthBoard;
import dev.finnhubstream.http.StatusHttpVerticle;
import dev.finnhubstream.ingest.ConnectionPermit;
import dev.finnhubstream.ingest.FinnhubWebSocketVerticle;
import dev.finnhubstream.market.MarketHoursVerticle;
import dev.finnhubstream.metrics.MetricsVerticle;
import dev.finnhubstream.reshard.ReshardVerticle;
import dev.finnhubstream.sink.KafkaWriterVerticle;
import dev.finnhubstream.sink.TradeJson;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Loads and validates the configuration, then deploys the verticles in dependency order: the Kafka
 * writer and the metrics before the Finnhub connections (so no trade is published before someone writes
 * and counts it), the market-hours poller, the status endpoint last. Any failure fails the whole
 * deployment, and the launcher exits non-zero.
 *
 * <p>Run by the launcher, it also owns SIGTERM and SIGINT: {@link #shutDownInOrder()} stops the verticles
 * in the order that loses nothing, then the process exits 0. (Without this the JVM would run the
 * launcher's shutdown hook, which undeploys all verticles at once, and exit 143.)
 */
public final class MainVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(MainVerticle.class);

  /** Margin beyond the Kafka close timeout before a stuck shutdown is cut short. */
  private static final long SHUTDOWN_MARGIN_MS = 30_000;

  private final AppConfig preset;
  private final boolean handleSignals;
  private final AtomicBoolean shuttingDown = new AtomicBoolean();
  private StatusHttpVerticle http;
  private final List<String> sourceDeployments = new ArrayList<>();
  private String sinkDeployment;
  private String gapDeployment;
  private String haDeployment;
  private String httpDeployment;
  private KeySlots keySlots;
  /** What the re-sharding across instances publishes with the leases and reads of the other slots. */
  private final SlotHealthBoard slotHealth = new SlotHealthBoard();
  private long closeTimeoutMs;

  /** Used by the launcher: configuration from {@code conf/app.json} and the environment; handles SIGTERM. */
  public MainVerticle() {
    this.preset = null;
    this.handleSignals = true;
  }

  /** Used by tests: an already resolved configuration; signals are left to the test JVM. */
  public MainVerticle(AppConfig config) {
    this.preset = config;
    this.handleSignals = false;
  }

  @Override
  public Future<?> start() {
    Future<AppConfig> loaded = preset != null ? Future.succeededFuture(preset)
      : LockboxSecrets.load(vertx, System.getenv()).compose(secrets -> ConfigLoader.load(vertx, secrets));
    return loaded
      .map(cfg -> {
        TradeJson.checkContract(cfg.record());
        return cfg;
      })
      .onFailure(e -> {
        if (e instanceof ConfigException) {
          LOGGER.error("Invalid configuration, not starting: {}", e.getMessage());
        }
      })
      .compose(cfg -> {
        String runId = newRunId();
        LOGGER.info("finnhub-stream starting: environment {}, run id {}, config {}", cfg.environment(), runId, cfg.redactedSummary().encode());
        Codecs.registerAll(vertx.eventBus());
        // What runs inside eventBus().publish(), on the publisher's thread (for trades, a Finnhub connection's event
        // loop): the metrics count trades and dead letters, the /debug/eventbus tap keeps the latest messages.
        BusObservers busObservers = new BusObservers(vertx.eventBus());
        http = new StatusHttpVerticle(cfg, busObservers);
        closeTimeoutMs = cfg.kafka().delivery().closeTimeoutMs();
        return vertx.deployVerticle(new KafkaWriterVerticle(cfg.kafka()))
          .onSuccess(id -> sinkDeployment = id)
          .compose(id -> vertx.deployVerticle(new MetricsVerticle(cfg, busObservers)))
          .compose(id -> vertx.deployVerticle(new MarketHoursVerticle(cfg.marketHours(),
            cfg.finnhub().firstKey())))
          // Before the connections, whose gap trackers report to it; stopped after them, before the writer.
          .compose(id -> vertx.deployVerticle(new GapVerticle()))
          .onSuccess(id -> gapDeployment = id)
          .compose(id -> deployConnections(cfg, runId))
          .compose(v -> deployResharding(cfg))
          .compose(v -> vertx.deployVerticle(new HaVerticle(cfg, keySlots, connectionNames(cfg), slotHealth)))
          .onSuccess(id -> haDeployment = id)
          .compose(id -> vertx.deployVerticle(http))
          .onSuccess(id -> httpDeployment = id);
      })
      .onSuccess(id -> {
        LOGGER.info("finnhub-stream started");
        if (handleSignals) {
          handleSignal("TERM");
          handleSignal("INT");
        }
      });
  }

  /** Deploys a verticle that publishes trades; sources are stopped before the Kafka writer. */
  private Future<String> deploySource(Deployable source) {
    return vertx.deployVerticle(source).onSuccess(sourceDeployments::add);
  }

  /**
   * Stops the service without losing a trade: first every Finnhub connection (no new trades; what they
   * already read is on the event bus, queued ahead of the writer's stop), then the Kafka writer (delivers
   * everything it received, or writes it to the disk buffer), then the status endpoint, which answers
   * until then. Vert.x on its own would undeploy them all at once.
   */
  public Future<Void> shutDownInOrder() {
    Future<Void> sources = Future.join(sourceDeployments.stream().map(vertx::undeploy).toList()).mapEmpty();
    // The sockets are closed and their open gaps closed with them: the gap verticle hands those to the writer.
    // Then leave the group, so that another instance takes the keys over at once.
    return sources
      .transform(ar -> gapDeployment == null ? Future.<Void>succeededFuture() : vertx.undeploy(gapDeployment))
      .transform(ar -> haDeployment == null ? Future.<Void>succeededFuture() : vertx.undeploy(haDeployment))
      .transform(ar -> sinkDeployment == null ? Future.<Void>succeededFuture() : vertx.undeploy(sinkDeployment))
      .transform(ar -> httpDeployment == null ? Future.<Void>succeededFuture() : vertx.undeploy(httpDeployment)
        .compose(v -> ar.succeeded() ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(ar.cause())));
  }

  private void handleSignal(String name) {
    try {
      Signal.handle(new Signal(name), signal -> onSignal("SIG" + signal.getName()));
    } catch (IllegalArgumentException e) {
      LOGGER.warn("Cannot handle SIG{} ({}); the JVM's default applies", name, e.getMessage());
    }
  }

  /** Runs on the JVM's signal thread, where blocking is fine. */
  private void onSignal(String name) {
    if (!shuttingDown.compareAndSet(false, true)) {
      LOGGER.warn("{} received again: the shutdown is already under way", name);
      return;
    }
    LOGGER.info("{} received: closing the Finnhub connection, then delivering every received trade", name);
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(closeTimeoutMs + SHUTDOWN_MARGIN_MS);
      } catch (InterruptedException e) {
        return;
      }
      LOGGER.error("Shutdown did not finish within {} ms; halting", closeTimeoutMs + SHUTDOWN_MARGIN_MS);
      Runtime.getRuntime().halt(1);
    }, "shutdown-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    int exitCode = 0;
    try {
      shutDownInOrder().await();
    } catch (RuntimeException e) {
      exitCode = 1;
      LOGGER.error("Shutdown failed", e);
    }
    try {
      vertx.close().await(SHUTDOWN_MARGIN_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOGGER.warn("Closing Vert.x: {}", e.toString());
    }
    LOGGER.info("finnhub-stream stopped (exit code {})", exitCode);
    System.exit(exitCode);
  }

  /**
   * One verticle, hence one connection, per API key, each with its own shard of the symbols. They share
   * the frame sequence so that ingest ids stay unique across connections.
   */
  private Future<Void> deployConnections(AppConfig cfg, String runId) {
    AtomicLong frameSequence = new AtomicLong();
    keySlots = new KeySlots(cfg.ha());
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < cfg.finnhub().connectionCount(); i++) {
      int keyIndex = i;
      // Alone, every key is this process's; with several instances the key of slot i only while the group says so.
      ConnectionPermit permit = cfg.ha().enabled() ? keySlots.permit(keyIndex) : ConnectionPermit.ALWAYS;
      chain = chain.compose(v -> deploySource(new FinnhubWebSocketVerticle(cfg.finnhub(), keyIndex, runId, frameSequence, permit))
        .mapEmpty());
    }
    return chain;
  }

  /**
   * Several keys move a refused key's symbols onto the others: alone from the connections' snapshots, with several
   * instances from what every slot's owner publishes with its lease. Stopped with the connections (it only talks to
   * them).
   */
  private Future<Void> deployResharding(AppConfig cfg) {
    // A retired key neither lends (it has no symbols) nor borrows (it never connects): not the planner's.
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < cfg.finnhub().connectionCount(); i++) {
      if (!cfg.finnhub().retired(i)) {
        keys.add(FinnhubWebSocketVerticle.connectionName(i));
      }
    }
    if (keys.size() < 2 || cfg.finnhub().reshardAfterMs() == 0) {
      return Future.succeededFuture();
    }
    if (cfg.ha().enabled()) {
      return deploySource(new HaReshardVerticle(cfg.finnhub(), cfg.ha(), keySlots, slotHealth)).mapEmpty();
    }
    return deploySource(new ReshardVerticle(keys, cfg.finnhub().reshardAfterMs())).mapEmpty();
  }

  private static List<String> connectionNames(AppConfig cfg) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < cfg.finnhub().connectionCount(); i++) {
      names.add(FinnhubWebSocketVerticle.connectionName(i));
    }
    return names;
  }

  /** The bound status port (tests start with port 0). */
  public int httpPort() {
    return http.actualPort();
  }

  /**
   * A run id that is never reused across restarts: the start time in base 36 plus 16 random bits.
   * Every ingest id starts with it, so ids from different runs can never collide.
   */
  static String newRunId() {
    SecureRandom random = new SecureRandom();
    return Long.toString(System.currentTimeMillis(), 36) + String.format("%04x", random.nextInt(1 << 16));
  }
}
