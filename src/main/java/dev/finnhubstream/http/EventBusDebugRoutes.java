package dev.finnhubstream.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@code /debug/eventbus}: which addresses exist and what passed on them lately, and a live tap.
 *
 * <ul>
 *   <li>{@code GET /debug/eventbus}: every address, with messages seen and the latest time;</li>
 *   <li>{@code GET /debug/eventbus/{address}?limit=N}: its last N messages (N ≤ {@link EventBusTap#RING_SIZE});</li>
 *   <li>{@code GET /debug/eventbus/{address}/stream?sample=&max_per_second=&limit=&seconds=}: Server-Sent Events,
 *       see {@link TapStream}; at most {@link #MAX_STREAMS} at once.</li>
 * </ul>
 */
final class EventBusDebugRoutes {

  static final int MAX_STREAMS = 8;

  private final Vertx vertx;
  private final EventBusTap tap;
  private final UnaryOperator<String> redact;
  private final Set<TapStream> streams = new HashSet<>();

  EventBusDebugRoutes(Vertx vertx, EventBusTap tap, UnaryOperator<String> redact) {
    this.vertx = vertx;
    this.tap = tap;
    this.redact = redact;
  }

  void mount(Router router) {
    router.get("/debug/eventbus").handler(this::list);
    router.get("/debug/eventbus/:address/stream").handler(this::stream);
    router.get("/debug/eventbus/:address").handler(this::recent);
  }

  int openStreams() {
    return streams.size();
  }

  /** Ends every open tap (verticle stopping). */
  void closeAll() {
    new HashSet<>(streams).forEach(s -> s.close("the service is stopping"));
  }

  private void list(RoutingContext ctx) {
    Responses.json(ctx, 200, new JsonObject()
      .put("addresses", tap.addressesJson())
      .put("untracked_messages", tap.untracked())
      .put("ring_size", EventBusTap.RING_SIZE)
      .put("streams", new JsonObject().put("open", streams.size()).put("max", MAX_STREAMS)), redact);
  }

  private void recent(RoutingContext ctx) {
    String address = ctx.pathParam("address");
    if (!known(ctx, address)) {
      return;
    }
    int limit = QueryParams.integer(ctx, "limit", 20, 1, EventBusTap.RING_SIZE);
    JsonArray messages = new JsonArray();
    tap.last(address, limit).forEach(c -> messages.add(EventBusTap.toJson(c)));
    Responses.json(ctx, 200, new JsonObject().put("address", address).put("limit", limit).put("messages", messages), redact);
  }

  private void stream(RoutingContext ctx) {
    String address = ctx.pathParam("address");
    if (!known(ctx, address)) {
      return;
    }
    TapStream.Params params = new TapStream.Params(
      QueryParams.integer(ctx, "sample", 1, 1, 1_000_000),
      QueryParams.integer(ctx, "max_per_second", 20, 1, 200),
      QueryParams.integer(ctx, "limit", 1_000, 1, 1_000_000),
      QueryParams.integer(ctx, "seconds", 300, 1, 3_600));
    if (streams.size() >= MAX_STREAMS) {
      ctx.response().putHeader("Retry-After", "10");
      Responses.error(ctx, 429, "already " + MAX_STREAMS + " open event-bus taps; close one or retry later");
      return;
    }
    TapStream stream = new TapStream(vertx, vertx.getOrCreateContext(), ctx.response(), address, params, redact, s -> {
      streams.remove(s);
      tap.removeListener(s);
    });
    streams.add(stream);
    tap.addListener(stream);
  }

  private boolean known(RoutingContext ctx, String address) {
    if (tap.knows(address)) {
      return true;
    }
    Responses.json(ctx, 404, new JsonObject().put("error", "no such event-bus address").put("address", address)
      .put("addresses", new JsonArray(tap.addressesJson().fieldNames().stream().sorted().toList())), redact);
    return false;
  }
}
