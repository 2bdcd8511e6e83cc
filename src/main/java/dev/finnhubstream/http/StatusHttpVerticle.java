package dev.finnhubstream.http;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.ingest.FinnhubWebSocketVerticle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's window: {@code GET /health} (liveness) and {@code GET /status} (what flows where: one
 * snapshot per Finnhub connection, the Kafka writer's counters, and the redacted configuration).
 * It asks the other verticles over the event bus rather than holding references to them.
 */
public final class StatusHttpVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(StatusHttpVerticle.class);
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(2_000);

  private final AppConfig config;
  private final long startedAtMs = System.currentTimeMillis();
  private HttpServer server;

  public StatusHttpVerticle(AppConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.get("/status").handler(this::status);
    dev.finnhubstream.dashboard.DashboardRoutes.mount(vertx, router, config); // only where ClickHouse is configured
    return vertx.createHttpServer()
      .requestHandler(router)
      .listen(config.http().port(), config.http().host())
      .onSuccess(s -> {
        server = s;
        LOGGER.info("Status endpoint on http://{}:{}/status", config.http().host(), s.actualPort());
      });
  }

  /** The port actually bound (differs from the configured one when that is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void status(RoutingContext ctx) {
    List<Future<JsonObject>> connections = new ArrayList<>();
    for (int i = 0; i < config.finnhub().connectionCount(); i++) {
      connections.add(ask(Addresses.statusIngest(FinnhubWebSocketVerticle.connectionName(i))));
    }
    Future<JsonObject> sink = ask(Addresses.STATUS_SINK);
    List<Future<?>> all = new ArrayList<>(connections);
    all.add(sink);
    Future.join(all).onComplete(ar -> ctx.json(new JsonObject()
      .put("environment", config.environment())
      .put("uptime_ms", System.currentTimeMillis() - startedAtMs)
      .put("finnhub", new JsonArray(connections.stream().map(f -> f.succeeded() ? f.result() : unavailable(f)).toList()))
      .put("kafka", sink.succeeded() ? sink.result() : unavailable(sink))
      .put("config", config.redactedSummary())));
  }

  private Future<JsonObject> ask(String address) {
    return vertx.eventBus().<JsonObject>request(address, null, ASK).map(Message::body);
  }

  private static JsonObject unavailable(Future<?> f) {
    return new JsonObject().put("unavailable", String.valueOf(f.cause()));
  }
}
