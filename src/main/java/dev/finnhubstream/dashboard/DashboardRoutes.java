package dev.finnhubstream.dashboard;

import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.DashboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local dashboard, the local counterpart of the cloud's DataLens dashboard: a page with per-symbol
 * 1-minute candles and volume and a latest-price table, and the two JSON endpoints it polls. Data comes
 * from ClickHouse's HTTP interface ({@code ohlcv_1m_bars} and {@code latest_price}, see
 * {@code clickhouse/local.sql}) through the Vert.x Web Client.
 *
 * <p>Request parameters never reach the SQL as raw text: the window is an integer checked against a
 * range, the symbol must match a strict character class (the characters Finnhub symbols use, no quotes
 * or backslashes) and is then written as an escaped string literal. ClickHouse 18.16 predates
 * server-side query parameters.
 *
 * <ul>
 *   <li>{@code GET /dashboard}: the page</li>
 *   <li>{@code GET /dashboard/api/bars?minutes=60[&symbol=AAPL]}: {@code {"bars": {symbol: [[epoch_s, open, high, low, close, volume, trades], ...]}}}</li>
 *   <li>{@code GET /dashboard/api/latest}: {@code {"latest": [{"symbol", "price", "trade_ts_ms", "received_at_ms"}, ...]}}</li>
 *   <li>{@code GET /dashboard/api/coverage?minutes=60}: per configured symbol, the share of the window it had a live
 *       subscription (from {@code feed_gap_symbols}: the closed gaps; the open ones are on {@code /status}), and the
 *       latest gaps: {@code {"minutes", "coverage": [{"symbol", "covered", "gap_ms", "gaps"}], "recent": [...]}}</li>
 * </ul>
 */
public final class DashboardRoutes {

  private static final Logger LOGGER = LoggerFactory.getLogger(DashboardRoutes.class);
  /** Finnhub symbols: letters, digits and {@code : . _ - / ^ = space} ({@code IC MARKETS:1}, {@code BINANCE:BTCUSDT}). */
  static final Pattern SYMBOL = Pattern.compile("[A-Za-z0-9:._/^= -]{1,64}");
  static final int MAX_MINUTES = 24 * 60;
  private static final int MAX_ROWS = 100_000;
  private static final int CLICKHOUSE_TIMEOUT_MS = 10_000;
  private static final int RECENT_GAPS = 50;

  private final DashboardConfig config;
  private final List<String> symbols;
  private final WebClient clickhouse;
  private final String page;

  private DashboardRoutes(Vertx vertx, DashboardConfig config, List<String> symbols) {
    this.config = config;
    this.symbols = symbols;
    this.clickhouse = WebClient.create(vertx, new WebClientOptions()
      .setDefaultHost(config.clickhouseUrl().getHost())
      .setDefaultPort(config.clickhouseUrl().getPort()));
    this.page = loadPage(config);
  }

  /**
   * Adds the dashboard's routes to {@code router} when the environment configures a ClickHouse URL;
   * otherwise adds nothing (the paths then answer 404).
   */
  public static void mount(Vertx vertx, Router router, AppConfig appConfig) {
    appConfig.dashboard().ifPresent(config -> {
      DashboardRoutes routes = new DashboardRoutes(vertx, config, appConfig.finnhub().symbols());
      router.get("/dashboard").handler(routes::page);
      router.get("/dashboard/api/bars").handler(routes::bars);
      router.get("/dashboard/api/latest").handler(routes::latest);
      router.get("/dashboard/api/coverage").handler(routes::coverage);
      LOGGER.info("Dashboard on /dashboard, reading ClickHouse at {} (database {})", config.clickhouseUrl(), config.database());
    });
  }

  private void page(RoutingContext ctx) {
    ctx.response()
      .putHeader("Content-Type", "text/html; charset=utf-8")
      .putHeader("Cache-Control", "no-store")
      .end(page);
  }

  private void bars(RoutingContext ctx) {
    int minutes;
    String symbol = ctx.queryParams().get("symbol");
    try {
      minutes = minutes(ctx.queryParams().get("minutes"), config.windowMinutes());
      if (symbol != null && !SYMBOL.matcher(symbol).matches()) {
        throw new IllegalArgumentException("symbol must match " + SYMBOL.pattern());
      }
    } catch (IllegalArgumentException e) {
      badRequest(ctx, e);
      return;
    }
    String sql = "SELECT symbol, toUnixTimestamp(minute) AS t, open, high, low, close, volume, trades"
      + " FROM " + config.database() + ".ohlcv_1m_bars"
      + " WHERE minute >= toStartOfMinute(now() - INTERVAL " + minutes + " MINUTE)"
      + (symbol == null ? "" : " AND symbol = " + stringLiteral(symbol))
      + " ORDER BY symbol, minute LIMIT " + MAX_ROWS + " FORMAT JSONCompact";
    query(sql).onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
        return;
      }
      JsonObject bySymbol = new JsonObject();
      for (Object row : ar.result().getJsonArray("data")) {
        JsonArray r = (JsonArray) row;
        JsonArray candles = bySymbol.getJsonArray(r.getString(0));
        if (candles == null) {
          candles = new JsonArray();
          bySymbol.put(r.getString(0), candles);
        }
        candles.add(new JsonArray(r.getList().subList(1, r.size())));
      }
      ctx.json(new JsonObject().put("minutes", minutes).put("bars", bySymbol));
    });
  }

  private void latest(RoutingContext ctx) {
    String sql = "SELECT symbol, price, trade_ts_ms, received_at_ms FROM " + config.database() + ".latest_price"
      + " ORDER BY symbol LIMIT " + MAX_ROWS + " FORMAT JSON";
    query(sql).onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
        return;
      }
      ctx.json(new JsonObject().put("latest", ar.result().getJsonArray("data")));
    });
  }

  private void coverage(RoutingContext ctx) {
    int minutes;
    try {
      minutes = minutes(ctx.queryParams().get("minutes"), MAX_MINUTES);
    } catch (IllegalArgumentException e) {
      badRequest(ctx, e);
      return;
    }
    long now = System.currentTimeMillis();
    long windowMs = minutes * 60_000L;
    Future<JsonObject> gapped = query(GapQueries.coverage(config.database(), now, windowMs) + " FORMAT JSON");
    Future<JsonObject> recent = query(GapQueries.recent(config.database(), now, windowMs, RECENT_GAPS) + " FORMAT JSON");
    Future.all(gapped, recent).onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
        return;
      }
      JsonObject bySymbol = new JsonObject();
      for (Object row : gapped.result().getJsonArray("data")) {
        JsonObject r = (JsonObject) row;
        bySymbol.put(r.getString("symbol"), r);
      }
      JsonArray coverage = new JsonArray();
      // Every configured symbol, also those without a gap (covered the whole window); then any other symbol with gaps.
      List<String> listed = new java.util.ArrayList<>(symbols);
      bySymbol.fieldNames().stream().filter(s -> !symbols.contains(s)).sorted().forEach(listed::add);
      for (String symbol : listed) {
        JsonObject r = bySymbol.getJsonObject(symbol);
        long gapMs = r == null ? 0 : r.getLong("gap_ms");
        coverage.add(new JsonObject().put("symbol", symbol).put("covered", 1.0 - (double) gapMs / windowMs)
          .put("gap_ms", gapMs).put("gaps", r == null ? 0 : r.getLong("gaps")));
      }
      ctx.json(new JsonObject().put("minutes", minutes).put("now_ms", now).put("coverage", coverage)
        .put("recent", recent.result().getJsonArray("data")));
    });
  }

  /** Runs one read-only query over ClickHouse's HTTP interface; 64-bit integers come back as JSON numbers. */
  private Future<JsonObject> query(String sql) {
    return clickhouse.post("/")
      .addQueryParam("database", config.database())
      .addQueryParam("readonly", "2") // reads only; 2 still lets the next setting through
      .addQueryParam("output_format_json_quote_64bit_integers", "0")
      .timeout(CLICKHOUSE_TIMEOUT_MS)
      .sendBuffer(Buffer.buffer(sql))
      .compose(DashboardRoutes::jsonBody);
  }

  private static Future<JsonObject> jsonBody(HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) {
      String body = Objects.requireNonNullElse(response.bodyAsString(), "").strip();
      return Future.failedFuture("ClickHouse answered " + response.statusCode() + ": " + firstLine(body));
    }
    return Future.succeededFuture(response.bodyAsJsonObject());
  }

  /** A parameter outside its strict form: refused before ClickHouse is asked. */
  private static void badRequest(RoutingContext ctx, IllegalArgumentException e) {
    ctx.response().setStatusCode(400);
    ctx.json(new JsonObject().put("error", e.getMessage()));
  }

  private static void unavailable(RoutingContext ctx, Throwable cause) {
    LOGGER.warn("Dashboard query failed: {}", cause.getMessage());
    ctx.response().setStatusCode(502);
    ctx.json(new JsonObject().put("error", "ClickHouse query failed: " + cause.getMessage()));
  }

  static int minutes(String value, int fallback) {
    if (value == null) {
      return fallback;
    }
    if (!value.matches("\\d{1,4}")) {
      throw new IllegalArgumentException("minutes must be a whole number from 1 to " + MAX_MINUTES);
    }
    int minutes = Integer.parseInt(value);
    if (minutes < 1 || minutes > MAX_MINUTES) {
      throw new IllegalArgumentException("minutes must be a whole number from 1 to " + MAX_MINUTES);
    }
    return minutes;
  }

  /** A ClickHouse string literal. The symbol pattern already excludes quotes and backslashes; escaping anyway. */
  static String stringLiteral(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static String loadPage(DashboardConfig config) {
    try (InputStream in = DashboardRoutes.class.getResourceAsStream("/dashboard/index.html")) {
      Objects.requireNonNull(in, "/dashboard/index.html");
      String html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      // Numbers only: nothing from a request or the environment reaches the page as markup.
      for (String[] p : List.of(new String[] {"{{REFRESH_MS}}", Integer.toString(config.refreshMs())},
        new String[] {"{{WINDOW_MINUTES}}", Integer.toString(config.windowMinutes())})) {
        html = html.replace(p[0], p[1]);
      }
      return html;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
