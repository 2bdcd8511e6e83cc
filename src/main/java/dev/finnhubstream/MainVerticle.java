package dev.finnhubstream;

import dev.finnhubstream.bus.Codecs;
import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.config.ConfigLoader;
import dev.finnhubstream.config.LockboxSecrets;
import dev.finnhubstream.http.StatusHttpVerticle;
import dev.finnhubstream.ingest.FinnhubWebSocketVerticle;
import dev.finnhubstream.market.MarketHoursVerticle;
import dev.finnhubstream.metrics.MetricsVerticle;
import dev.finnhubstream.sink.KafkaWriterVerticle;
import dev.finnhubstream.sink.TradeJson;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads and validates the configuration, then deploys the verticles in dependency order: the Kafka
 * writer and the metrics before the Finnhub connections (so no trade is published before someone writes
 * and counts it), the market-hours poller, the status endpoint last. Any failure fails the whole
 * deployment, and the launcher exits non-zero.
 */
public final class MainVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(MainVerticle.class);

  private final AppConfig preset;
  private StatusHttpVerticle http;

  /** Used by the launcher: configuration from {@code conf/app.json} and the environment. */
  public MainVerticle() {
    this(null);
  }

  /** Used by tests: an already resolved configuration. */
  public MainVerticle(AppConfig config) {
    this.preset = config;
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
        http = new StatusHttpVerticle(cfg);
        return vertx.deployVerticle(new KafkaWriterVerticle(cfg.kafka()))
          .compose(id -> vertx.deployVerticle(new MetricsVerticle(cfg)))
          .compose(id -> vertx.deployVerticle(new MarketHoursVerticle(cfg.marketHours(),
            cfg.finnhub().tokens().isEmpty() ? null : cfg.finnhub().tokens().get(0))))
          .compose(id -> deployConnections(cfg, runId))
          .compose(id -> vertx.deployVerticle(http));
      })
      .onSuccess(id -> LOGGER.info("finnhub-stream started"));
  }

  /**
   * One verticle, hence one connection, per API key, each with its own shard of the symbols. They share
   * the frame sequence so that ingest ids stay unique across connections.
   */
  private Future<Void> deployConnections(AppConfig cfg, String runId) {
    AtomicLong frameSequence = new AtomicLong();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < cfg.finnhub().connectionCount(); i++) {
      int keyIndex = i;
      chain = chain.compose(v -> vertx.deployVerticle(new FinnhubWebSocketVerticle(cfg.finnhub(), keyIndex, runId, frameSequence))
        .mapEmpty());
    }
    return chain;
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
