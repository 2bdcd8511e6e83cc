package dev.finnhubstream.http;

import dev.finnhubstream.FinnhubStreamApplication;
import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.BusObservers;
import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.Secret;
import dev.finnhubstream.ingest.ConnectionSnapshot;
import dev.finnhubstream.ingest.FinnhubWebSocketVerticle;
import dev.finnhubstream.log.Redactor;
import dev.finnhubstream.gaps.GapStatus;
import dev.finnhubstream.ha.HaStatus;
import dev.finnhubstream.market.MarketStatus;
import dev.finnhubstream.metrics.MetricsStatus;
import dev.finnhubstream.sink.SinkStatus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's window on the service, bound to {@code http.host}:{@code http.port}: liveness and readiness,
 * Prometheus metrics, the full status, the event-bus debugging endpoints, the live status page and the admin
 * endpoints (README, "Status endpoint"). It asks the other verticles over the event bus rather than holding
 * references to them, turns their status records into JSON ({@link StatusJson}), and passes every answer through
 * the secret redactor before it leaves the process.
 */
public final class StatusHttpVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(StatusHttpVerticle.class);
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(2_000);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final AppConfig config;
  private final BusObservers busObservers;
  private final long startedAtMs = System.currentTimeMillis();
  private final List<String> connections = new ArrayList<>();
  private final UnaryOperator<String> redact;
  private EventBusTap tap;
  private EventBusDebugRoutes debug;
  private HttpServer server;
  private Buffer statusPage;
  private Buffer statusScript;

  /** @param busObservers where the {@code /debug/eventbus} tap sees every message (see MainVerticle) */
  public StatusHttpVerticle(AppConfig config, BusObservers busObservers) {
    this.config = config;
    this.busObservers = busObservers;
    for (int i = 0; i < config.finnhub().connectionCount(); i++) {
      connections.add(FinnhubWebSocketVerticle.connectionName(i));
    }
    List<Secret> secrets = new ArrayList<>(config.finnhub().tokens());
    if (config.kafka().password() != null) {
      secrets.add(config.kafka().password());
    }
    if (config.http().adminToken() != null) {
      secrets.add(config.http().adminToken());
    }
    this.redact = new Redactor(secrets)::redact;
  }

  @Override
  public Future<?> start() {
    statusPage = resource("status-page/index.html");
    statusScript = resource("status-page/status.js");
    Set<String> declared = new HashSet<>(List.of(Addresses.TRADES, Addresses.DEAD_LETTERS, Addresses.GAPS, Addresses.BACKPRESSURE,
      Addresses.STATUS_SINK, Addresses.STATUS_METRICS, Addresses.METRICS_SCRAPE, Addresses.STATUS_MARKET));
    connections.forEach(c -> declared.addAll(List.of(Addresses.statusIngest(c), Addresses.ingestSymbols(c))));
    tap = new EventBusTap(declared);
    busObservers.add(tap.observer);
    debug = new EventBusDebugRoutes(vertx, tap, redact);

    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.get("/ready").handler(this::ready);
    router.get("/status").handler(this::status);
    dev.finnhubstream.dashboard.DashboardRoutes.mount(vertx, router, config); // only where ClickHouse is configured
    router.get("/metrics").handler(this::metrics);
    router.get("/").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(statusPage));
    router.get("/status.js").handler(ctx -> ctx.response().putHeader("Content-Type", "text/javascript; charset=utf-8").end(statusScript));
    debug.mount(router);
    new AdminRoutes(vertx, config.finnhub(), new AdminToken(config.http().adminToken()), redact).mount(router);
    router.errorHandler(404, ctx -> Responses.error(ctx, 404, "no such endpoint; see GET /status, /ready, /metrics, /debug/eventbus"));
    // The method only: the path is the client's text and could hold anything, a token included.
    router.errorHandler(405, ctx -> Responses.error(ctx, 405, ctx.request().method() + " is not allowed on this endpoint"));
    router.route().failureHandler(this::failure);
    SlowClientGuard guard = new SlowClientGuard(vertx);
    return vertx.createHttpServer(SlowClientGuard.serverOptions())
      .connectionHandler(guard::onConnection)
      .requestHandler(guard.guarding(router))
      .listen(config.http().port(), config.http().host())
      .onSuccess(s -> {
        server = s;
        LOGGER.info("Status endpoint on http://{}:{}/ (status page), /status, /ready, /metrics, /debug/eventbus; admin endpoints {}",
          config.http().host(), s.actualPort(), config.http().adminToken() == null ? "off (no ADMIN_TOKEN)" : "on");
      });
  }

  @Override
  public Future<?> stop() {
    busObservers.remove(tap.observer);
    debug.closeAll();
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port actually bound (differs from the configured one when that is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void ready(RoutingContext ctx) {
    List<Future<ConnectionSnapshot>> snapshots = connections.stream().map(c -> this.<ConnectionSnapshot>ask(Addresses.statusIngest(c))).toList();
    Future<SinkStatus> sink = ask(Addresses.STATUS_SINK);
    Future<MetricsStatus> metrics = ask(Addresses.STATUS_METRICS);
    List<Future<?>> all = new ArrayList<>(snapshots);
    all.add(sink);
    all.add(metrics);
    Future.join(all).onComplete(ar -> {
      JsonObject verdict = Readiness.evaluate(connections, snapshots.stream().map(StatusHttpVerticle::orNull).toList(),
        orNull(sink), metrics.succeeded() ? metrics.result().kafkaHealth() : null);
      boolean ready = verdict.getBoolean("ready");
      Responses.json(ctx, ready ? 200 : 503, new JsonObject().put("status", ready ? "READY" : "NOT_READY")
        .put("reasons", verdict.getJsonArray("reasons")), redact);
    });
  }

  private void status(RoutingContext ctx) {
    List<Future<ConnectionSnapshot>> snapshots = connections.stream().map(c -> this.<ConnectionSnapshot>ask(Addresses.statusIngest(c))).toList();
    Future<SinkStatus> sink = ask(Addresses.STATUS_SINK);
    Future<MetricsStatus> metrics = ask(Addresses.STATUS_METRICS);
    Future<MarketStatus> market = ask(Addresses.STATUS_MARKET);
    Future<HaStatus> ha = ask(Addresses.STATUS_HA);
    Future<GapStatus> gaps = ask(Addresses.STATUS_GAPS);
    List<Future<?>> all = new ArrayList<>(snapshots);
    all.addAll(List.of(sink, metrics, market, ha, gaps));
    Future.join(all).onComplete(ar -> {
      long now = System.currentTimeMillis();
      // Without the metrics verticle's answer its parts are null, like the producer's health.
      MetricsStatus m = orNull(metrics);
      MetricsStatus.KafkaHealth kafkaHealth = m == null ? null : m.kafkaHealth();
      JsonObject kafka = sink.succeeded() ? StatusJson.sink(sink.result()) : unavailable(sink);
      kafka.put("partitions", config.kafka().partitions()).put("health", kafkaHealth == null ? null : StatusJson.kafkaHealth(kafkaHealth));
      JsonObject readiness = Readiness.evaluate(connections, snapshots.stream().map(StatusHttpVerticle::orNull).toList(),
        orNull(sink), kafkaHealth);
      Responses.json(ctx, 200, new JsonObject()
        .put("service", "finnhub-stream")
        .put("environment", config.environment())
        .put("version", FinnhubStreamApplication.version())
        .put("started_at_ms", startedAtMs)
        .put("uptime_ms", now - startedAtMs)
        .put("uptime", humanDuration(now - startedAtMs))
        .put("now_ms", now)
        .put("ready", readiness)
        .put("ha", ha.succeeded() ? StatusJson.ha(ha.result()) : unavailable(ha))
        .put("finnhub", new JsonArray(snapshots.stream().map(f -> f.succeeded() ? StatusJson.connection(f.result()) : unavailable(f)).toList()))
        .put("symbols", m == null ? null : StatusJson.symbols(m.symbols()))
        .put("gaps", gaps.succeeded() ? StatusJson.gaps(gaps.result(), now) : unavailable(gaps))
        .put("market_hours", market.succeeded() ? StatusJson.market(market.result()) : unavailable(market))
        .put("throughput", m == null ? null : StatusJson.throughput(m.throughput()))
        .put("eventbus", new JsonObject()
          .put("vertx_metrics", m == null ? null : m.vertxMetrics())
          .put("addresses", m == null ? null : StatusJson.addresses(m.eventbus()))
          .put("debug_streams_open", debug.openStreams()))
        .put("dead_letters", m == null ? null : StatusJson.deadLetters(m.deadLetters()))
        .put("backpressure", m == null ? null : StatusJson.backpressure(m.backpressure()))
        .put("kafka", kafka)
        .put("config", config.redactedSummary()), redact);
    });
  }

  private void metrics(RoutingContext ctx) {
    vertx.eventBus().<String>request(Addresses.METRICS_SCRAPE, null, ASK)
      .onSuccess(msg -> ctx.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(redact.apply(msg.body())))
      .onFailure(e -> Responses.error(ctx, 503, "the metrics verticle does not answer: " + e.getMessage()));
  }

  private void failure(RoutingContext ctx) {
    if (ctx.failure() instanceof QueryParams.BadParameter bad) {
      Responses.error(ctx, 400, bad.getMessage());
      return;
    }
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    if (status >= 500) {
      LOGGER.error("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
    }
    Responses.error(ctx, status, status >= 500 ? "internal error (logged)" : "request refused (HTTP " + status + ")");
  }

  private <T> Future<T> ask(String address) {
    return vertx.eventBus().<T>request(address, null, ASK).map(Message::body);
  }

  private static <T> T orNull(Future<T> f) {
    return f.succeeded() ? f.result() : null;
  }

  private static JsonObject unavailable(Future<?> f) {
    return new JsonObject().put("unavailable", String.valueOf(f.cause()));
  }

  static String humanDuration(long ms) {
    long s = ms / 1000;
    return s >= 86_400 ? String.format("%dd %02dh %02dm", s / 86_400, s % 86_400 / 3600, s % 3600 / 60)
      : String.format("%dh %02dm %02ds", s / 3600, s % 3600 / 60, s % 60);
  }

  private static Buffer resource(String path) {
    try (InputStream in = StatusHttpVerticle.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("resource " + path + " is missing from the build");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
