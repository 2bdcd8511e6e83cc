package dev.finnhubstream.http;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.config.FinnhubConfig;
import dev.finnhubstream.ingest.ConnectionSnapshot;
import dev.finnhubstream.ingest.FinnhubWebSocketVerticle;
import dev.finnhubstream.ingest.SymbolChange;
import dev.finnhubstream.ingest.SymbolChangeResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runtime subscription changes, guarded by the admin token ({@code Authorization: Bearer $ADMIN_TOKEN}; without
 * {@code ADMIN_TOKEN} the endpoints answer 403). Changes live in memory only: at the next start
 * {@code conf/app.json} (or {@code FINNHUB_SYMBOLS}) is the source again.
 *
 * <ul>
 *   <li>{@code PUT /symbols} with {@code {"symbols": ["AAPL", "IC MARKETS:1"]}}: subscribes each symbol no
 *       connection holds yet, on the connection holding the fewest symbols; idempotent.</li>
 *   <li>{@code DELETE /symbols/{symbol}} (URL-encoded): unsubscribes it from the connection that holds it.</li>
 * </ul>
 *
 * <p>This is the HTTP edge of the change: the request is validated here and travels to the connection as a
 * {@link SymbolChange}; the {@link SymbolChangeResult} it answers with becomes JSON here.
 */
final class AdminRoutes {

  private static final Logger LOGGER = LoggerFactory.getLogger(AdminRoutes.class);
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(2_000);
  static final int MAX_SYMBOLS_PER_REQUEST = 500;
  static final int MAX_SYMBOL_LENGTH = 64;
  private static final String NOTE = "held in memory only: the configuration is the source again at the next start";

  private final Vertx vertx;
  private final FinnhubConfig finnhub;
  private final AdminToken token;
  private final UnaryOperator<String> redact;

  AdminRoutes(Vertx vertx, FinnhubConfig finnhub, AdminToken token, UnaryOperator<String> redact) {
    this.vertx = vertx;
    this.finnhub = finnhub;
    this.token = token;
    this.redact = redact;
  }

  void mount(Router router) {
    // Vert.x Web wants the body handler first; the limit keeps an unauthenticated body small anyway.
    router.put("/symbols").handler(BodyHandler.create().setBodyLimit(64 * 1024)).handler(this::authorize).handler(this::put);
    router.delete("/symbols/:symbol").handler(this::authorize).handler(this::delete);
  }

  private void authorize(RoutingContext ctx) {
    if (!token.enabled()) {
      Responses.error(ctx, 403, "admin endpoints are disabled: the service was started without ADMIN_TOKEN");
    } else if (!token.accepts(ctx.request().getHeader("Authorization"))) {
      // The route, not the path: a path is the client's text and could hold anything, a token included.
      LOGGER.warn("Admin request {} {} from {} refused: missing or wrong admin token", ctx.request().method(), ctx.currentRoute().getPath(),
        ctx.request().remoteAddress());
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"finnhub-stream admin\"");
      Responses.error(ctx, 401, "missing or wrong admin token (send Authorization: Bearer <ADMIN_TOKEN>)");
    } else {
      ctx.next();
    }
  }

  private void put(RoutingContext ctx) {
    List<String> symbols;
    try {
      symbols = parseSymbols(ctx.body().asJsonObject());
      if (symbols.stream().anyMatch(sym -> !redact.apply(sym).equals(sym))) {
        // It would travel to Finnhub and into logs and /status: a pasted key is never a symbol.
        throw new IllegalArgumentException("a symbol contains one of the service's secrets; refused");
      }
    } catch (RuntimeException e) {
      Responses.error(ctx, 400, e instanceof IllegalArgumentException ? e.getMessage()
        : "expected a JSON object {\"symbols\": [\"AAPL\", ...]}");
      return;
    }
    holdings().onSuccess(held -> {
      Map<String, Integer> load = new LinkedHashMap<>();
      held.forEach((conn, list) -> load.put(conn, list.size()));
      Map<String, String> holderOf = new LinkedHashMap<>();
      held.forEach((conn, list) -> list.forEach(s -> holderOf.put(s, conn)));
      Future<Void> chain = Future.succeededFuture();
      SymbolChangeResult[] slots = new SymbolChangeResult[symbols.size()]; // results in request order
      for (int i = 0; i < symbols.size(); i++) {
        String symbol = symbols.get(i);
        int slot = i;
        if (holderOf.containsKey(symbol)) {
          slots[slot] = new SymbolChangeResult(holderOf.get(symbol), symbol, SymbolChangeResult.Outcome.ALREADY_PRESENT, null);
          continue;
        }
        String target = load.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
        load.merge(target, 1, Integer::sum);
        holderOf.put(symbol, target);
        chain = chain.compose(v -> change(target, new SymbolChange(SymbolChange.Action.ADD, symbol)).map(r -> {
          slots[slot] = r;
          return null;
        }));
      }
      chain.onSuccess(v -> {
        JsonArray results = new JsonArray(Arrays.stream(slots).map(AdminRoutes::json).toList());
        LOGGER.info("Admin: PUT /symbols {} → {}", symbols, results.encode());
        JsonObject body = new JsonObject().put("results", results).put("note", NOTE);
        List<String> overCap = load.entrySet().stream().filter(e -> e.getValue() > finnhub.maxSymbolsPerKey()).map(Map.Entry::getKey).toList();
        if (!overCap.isEmpty()) {
          body.put("warning", "connection(s) " + overCap + " now hold more than max_symbols_per_key (" + finnhub.maxSymbolsPerKey()
            + "): the extra symbols wait as over_cap; add keys to FINNHUB_TOKEN");
        }
        Responses.json(ctx, 200, body, redact);
      }).onFailure(e -> Responses.error(ctx, 503, "a Finnhub connection did not take the change: " + e.getMessage()));
    }).onFailure(e -> Responses.error(ctx, 503, e.getMessage()));
  }

  private void delete(RoutingContext ctx) {
    String symbol = ctx.pathParam("symbol");
    holdings().onSuccess(held -> {
      String holder = held.entrySet().stream().filter(e -> e.getValue().contains(symbol)).map(Map.Entry::getKey).findFirst().orElse(null);
      if (holder == null) {
        Responses.json(ctx, 404, new JsonObject().put("error", "no connection holds this symbol").put("symbol", symbol), redact);
        return;
      }
      change(holder, new SymbolChange(SymbolChange.Action.REMOVE, symbol)).onSuccess(r -> {
        JsonObject body = json(r);
        LOGGER.info("Admin: DELETE /symbols/{} → {}", symbol, body.encode());
        Responses.json(ctx, 200, body.put("note", NOTE), redact);
      }).onFailure(e -> Responses.error(ctx, 503, "the Finnhub connection did not take the change: " + e.getMessage()));
    }).onFailure(e -> Responses.error(ctx, 503, e.getMessage()));
  }

  /**
   * Connection → every symbol it holds as its own (subscribed, pending, refused, over cap, or lent out), from fresh
   * snapshots. A borrowed symbol counts on its own key, so that a change of it goes there and the re-sharding follows.
   */
  private Future<Map<String, List<String>>> holdings() {
    List<String> names = new ArrayList<>();
    List<Future<ConnectionSnapshot>> asks = new ArrayList<>();
    for (int i = 0; i < finnhub.connectionCount(); i++) {
      if (finnhub.retired(i)) {
        continue; // a removed key takes no symbol
      }
      String name = FinnhubWebSocketVerticle.connectionName(i);
      names.add(name);
      asks.add(vertx.eventBus().<ConnectionSnapshot>request(Addresses.statusIngest(name), null, ASK).map(Message::body));
    }
    return Future.all(asks).recover(e -> Future.failedFuture("a Finnhub connection does not answer: " + e.getMessage()))
      .map(all -> {
        Map<String, List<String>> held = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
          ConnectionSnapshot s = asks.get(i).result();
          List<String> symbols = new ArrayList<>(s.subscribed());
          symbols.addAll(s.pending());
          symbols.addAll(s.refused().keySet());
          symbols.addAll(s.overCap().keySet());
          symbols.addAll(s.sharing().lent());
          symbols.removeAll(s.sharing().borrowed().keySet());
          held.put(names.get(i), symbols);
        }
        return held;
      });
  }

  private Future<SymbolChangeResult> change(String connection, SymbolChange change) {
    return vertx.eventBus().<SymbolChangeResult>request(Addresses.ingestSymbols(connection), change, ASK).map(Message::body);
  }

  /** One element of a PUT's {@code results}, or a DELETE's answer (before its note). */
  static JsonObject json(SymbolChangeResult r) {
    JsonObject json = new JsonObject().put("connection", r.connection()).put("symbol", r.symbol())
      .put("result", r.outcome().name().toLowerCase(Locale.ROOT));
    return r.was() == null ? json : json.put("was", r.was());
  }

  /** Non-empty, trimmed, printable, at most {@link #MAX_SYMBOL_LENGTH} characters, no duplicates. */
  static List<String> parseSymbols(JsonObject body) {
    if (body == null || !(body.getValue("symbols") instanceof JsonArray array)) {
      throw new IllegalArgumentException("expected a JSON object {\"symbols\": [\"AAPL\", ...]}");
    }
    if (array.isEmpty() || array.size() > MAX_SYMBOLS_PER_REQUEST) {
      throw new IllegalArgumentException("\"symbols\" must hold 1 to " + MAX_SYMBOLS_PER_REQUEST + " symbols");
    }
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Object o : array) {
      if (!(o instanceof String s) || s.isBlank() || !s.equals(s.strip()) || s.length() > MAX_SYMBOL_LENGTH
        || s.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException("every symbol must be a non-empty string of at most " + MAX_SYMBOL_LENGTH
          + " printable characters without leading or trailing spaces (inner spaces, as in \"IC MARKETS:1\", are fine)");
      }
      if (!seen.add(s)) {
        throw new IllegalArgumentException("symbol \"" + s + "\" is listed twice");
      }
      out.add(s);
    }
    return out;
  }
}
