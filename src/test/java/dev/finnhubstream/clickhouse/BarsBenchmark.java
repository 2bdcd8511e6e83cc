package dev.finnhubstream.clickhouse;

import dev.finnhubstream.clickhouse.ClickHouseSchema.Generation;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.config.DataLensConfig;
import dev.finnhubstream.config.EnvironmentVariables;
import dev.finnhubstream.datalens.Definitions;
import dev.finnhubstream.datalens.Definitions.Chart;
import dev.finnhubstream.support.ChdbSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 16's benchmark, not a test: the dashboard's and the DataLens charts' queries over 30 days × 50 symbols of
 * generated trades on chdb (ClickHouse 26.x), for the per-block bars of earlier schemas ({@code old_ohlcv_1m_bars},
 * created here from their SQL), for the exact bars of {@code modern.sql} ({@code ohlcv_1m_bars}) and for the simplest
 * exact design, a view over {@code trades FINAL} ({@code final_ohlcv_1m_bars}), all on the same trades. Medians of
 * several runs. Command and figures: docs/benchmarks.md.
 *
 * <p>The trades are evenly spread: {@code bench.rows} (default 15 M, a tenth of the 150 M) over 30 days and
 * 50 symbols, in one bulk insert except the last 2 hours, which come as Data Transfer delivers them: one insert per
 * minute, each followed by a redelivery of 10 % of it in a separate insert. Then the settle views run once (their
 * first run settles up to a day back), older history is settled by hand (docs/clickhouse.md), and the settle views
 * run once more (a steady-state run); the refreshes are stopped while queries are timed.
 *
 * <pre>mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/test.classpath
 * java -Dbench.rows=15000000 -Dbench.runs=5 -cp target/test-classes:target/classes:$(cat target/test.classpath) \
 *   dev.finnhubstream.clickhouse.BarsBenchmark</pre>
 */
public final class BarsBenchmark {

  static final int DAYS = 30;
  static final int SYMBOLS = 50;
  static final int RECENT_MINUTES = 120;
  static final String KEY = "(trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))";

  /** The per-block design of earlier versions of modern.sql, on the same trades under other names. */
  static final List<String> OLD_DESIGN = List.of(
    """
      CREATE TABLE market.old_ohlcv_1m
      (
          symbol  LowCardinality(String),
          minute  DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
          open    AggregateFunction(argMin, Float64, Tuple(Int64, UInt64, UInt32)),
          high    SimpleAggregateFunction(max, Float64),
          low     SimpleAggregateFunction(min, Float64),
          close   AggregateFunction(argMax, Float64, Tuple(Int64, UInt64, UInt32)),
          volume  SimpleAggregateFunction(sum, Float64),
          trades  SimpleAggregateFunction(sum, UInt64)
      )
      ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(minute) ORDER BY (symbol, minute)""",
    "CREATE MATERIALIZED VIEW market.old_ohlcv_1m_mv TO market.old_ohlcv_1m AS SELECT symbol,"
      + " toStartOfMinute(toDateTime(intDiv(trade_ts_ms, 1000), 'UTC')) AS minute, argMinState(price, " + KEY + ") AS open,"
      + " max(price) AS high, min(price) AS low, argMaxState(price, " + KEY + ") AS close, sum(volume) AS volume,"
      + " toUInt64(count()) AS trades FROM market.trades GROUP BY symbol, minute",
    "CREATE VIEW market.old_ohlcv_1m_bars AS SELECT symbol, minute, argMinMerge(open) AS open, max(high) AS high, min(low) AS low,"
      + " argMaxMerge(close) AS close, sum(volume) AS volume, sum(trades) AS trades FROM market.old_ohlcv_1m GROUP BY symbol, minute");

  /** The simplest exact design: every bar computed from trades FINAL at read time (measured, not chosen). */
  static final String FINAL_DESIGN = "CREATE VIEW market.final_ohlcv_1m_bars AS SELECT symbol,"
    + " toStartOfMinute(toDateTime(intDiv(trade_ts_ms, 1000), 'UTC')) AS minute, argMin(price, " + KEY + ") AS open,"
    + " max(price) AS high, min(price) AS low, argMax(price, " + KEY + ") AS close, sum(volume) AS volume,"
    + " count() AS trades FROM market.trades FINAL GROUP BY symbol, minute";

  private BarsBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    long rows = Long.getLong("bench.rows", 15_000_000L);
    int runs = Integer.getInteger("bench.runs", 5);
    long perSymbol = rows / SYMBOLS;
    long spanMs = DAYS * 86_400_000L;
    double stepMs = (double) spanMs / perSymbol;
    long endMs = System.currentTimeMillis() / 60_000 * 60_000;
    long startMs = endMs - spanMs;

    JsonObject root = new JsonObject(Files.readString(Path.of("conf/app.json")));
    SchemaTarget target = SchemaTarget.resolve(root, "dev", Map.of());
    List<String> statements = new ArrayList<>(ClickHouseSchema.statements(Generation.MODERN, target.parameters()));
    statements.addAll(OLD_DESIGN);
    statements.add(FINAL_DESIGN);
    List<String> views = List.of("market.ohlcv_1m_settle_mv", "market.ohlcv_1m_settle_day_mv");
    views.forEach(v -> statements.add("SYSTEM STOP VIEW " + v));
    Map<String, Integer> marks = new LinkedHashMap<>();

    long recentFrom = firstIndexAtOrAfter(endMs - RECENT_MINUTES * 60_000L, startMs, stepMs);
    statements.add(insert(0, recentFrom, startMs, stepMs, ""));
    marks.put("bulk insert (" + recentFrom + " rows, per-block views fed)", statements.size() - 1);
    int recentFirst = statements.size();
    for (int m = RECENT_MINUTES; m > 0; m--) {
      long from = firstIndexAtOrAfter(endMs - m * 60_000L, startMs, stepMs);
      long to = firstIndexAtOrAfter(endMs - (m - 1) * 60_000L, startMs, stepMs);
      statements.add(insert(from, to, startMs, stepMs, ""));
      statements.add(insert(from, to, startMs, stepMs, " WHERE number % 10 = 7"));
    }
    marks.put("last 2 hours: 120 inserts of a minute + 120 redeliveries of 10 % (sum)", -recentFirst);
    statements.add("SYSTEM START VIEW market.ohlcv_1m_settle_mv");
    statements.add("SYSTEM REFRESH VIEW market.ohlcv_1m_settle_mv");
    statements.add("SYSTEM WAIT VIEW market.ohlcv_1m_settle_mv");
    marks.put("first settle (up to a day back)", statements.size() - 1);
    statements.add("SYSTEM STOP VIEW market.ohlcv_1m_settle_mv");
    statements.add(backfill(startMs));
    marks.put("settling older history by hand (docs/clickhouse.md)", statements.size() - 1);
    statements.add("SYSTEM START VIEW market.ohlcv_1m_settle_mv");
    statements.add("SYSTEM REFRESH VIEW market.ohlcv_1m_settle_mv");
    statements.add("SYSTEM WAIT VIEW market.ohlcv_1m_settle_mv");
    marks.put("steady-state settle (every minute)", statements.size() - 1);
    statements.add("SYSTEM STOP VIEW market.ohlcv_1m_settle_mv");
    statements.add("SYSTEM START VIEW market.ohlcv_1m_settle_day_mv");
    statements.add("SYSTEM REFRESH VIEW market.ohlcv_1m_settle_day_mv");
    statements.add("SYSTEM WAIT VIEW market.ohlcv_1m_settle_day_mv");
    marks.put("day settle (every hour)", statements.size() - 1);
    statements.add("SYSTEM STOP VIEW market.ohlcv_1m_settle_day_mv");

    Map<String, String> timed = new LinkedHashMap<>();
    for (Map.Entry<String, String> q : queries(root).entrySet()) {
      timed.put("old " + q.getKey(), q.getValue().replace("market.ohlcv_1m_bars", "market.old_ohlcv_1m_bars"));
      timed.put("new " + q.getKey(), q.getValue());
      if (q.getValue().contains("market.ohlcv_1m_bars")) {
        timed.put("final " + q.getKey(), q.getValue().replace("market.ohlcv_1m_bars", "market.final_ohlcv_1m_bars"));
      }
    }
    Map<String, String> checks = new LinkedHashMap<>();
    String sums = "SELECT count() AS bars, sum(trades) AS trades, round(sum(volume)) AS volume FROM %s WHERE minute >= toStartOfMinute(now() - INTERVAL %d MINUTE)";
    for (int minutes : new int[] {60, 1440, DAYS * 1440 + 60}) {
      checks.put("old " + minutes, String.format(sums, "market.old_ohlcv_1m_bars", minutes));
      checks.put("new " + minutes, String.format(sums, "market.ohlcv_1m_bars", minutes));
      checks.put("final " + minutes, String.format(sums, "market.final_ohlcv_1m_bars", minutes));
      checks.put("reference " + minutes, "SELECT uniqExact(symbol, toStartOfMinute(trade_time)) AS bars, count() AS trades, round(sum(volume)) AS volume"
        + " FROM market.trades FINAL WHERE trade_time >= toStartOfMinute(now() - INTERVAL " + minutes + " MINUTE)");
    }
    checks.put("raw", "SELECT count() AS rows FROM market.trades");
    checks.put("raw FINAL", "SELECT count() AS rows FROM market.trades FINAL");
    checks.put("parts", "SELECT table, count() AS parts, sum(rows) AS rows FROM system.parts WHERE active AND database = 'market' GROUP BY table ORDER BY table");

    JsonObject job = new JsonObject().put("statements", new JsonArray(statements)).put("queries", new JsonObject(new LinkedHashMap<>(checks)))
      .put("timed", new JsonObject(new LinkedHashMap<>(timed))).put("repeat", runs).put("timeStatements", true);
    Path scratch = Files.createTempDirectory("bars-bench");
    long started = System.nanoTime();
    JsonObject out = ChdbSupport.runJob(scratch, job, 7200);
    System.out.printf(Locale.ROOT, "chdb %s; %,d generated trades over %d days x %d symbols (one every %.0f ms per symbol); %d runs per query; job %.0f s%n",
      out.getString("version"), rows, DAYS, SYMBOLS, stepMs, runs, (System.nanoTime() - started) / 1e9);
    JsonArray ms = out.getJsonArray("statementMs");
    for (Map.Entry<String, Integer> mark : marks.entrySet()) {
      double total = 0;
      if (mark.getValue() < 0) {
        for (int i = -mark.getValue(); i < -mark.getValue() + 2 * RECENT_MINUTES; i++) {
          total += ms.getDouble(i);
        }
      } else {
        total = ms.getDouble(mark.getValue());
      }
      System.out.printf(Locale.ROOT, "  %-75s %10.0f ms%n", mark.getKey(), total);
    }
    JsonObject results = out.getJsonObject("results");
    for (String name : results.fieldNames()) {
      System.out.printf(Locale.ROOT, "  %-20s %s%n", name, results.getJsonArray(name).encode());
    }
    System.out.printf(Locale.ROOT, "%-34s %16s %16s %16s %8s   (median of %d, ms; min-max)%n", "query", "old (per block)", "new (settled)",
      "trades FINAL", "rows", runs);
    JsonObject timings = out.getJsonObject("timings");
    for (String name : queries(root).keySet()) {
      JsonObject old = timings.getJsonObject("old " + name);
      JsonObject now = timings.getJsonObject("new " + name);
      JsonObject fin = timings.getJsonObject("final " + name);
      System.out.printf(Locale.ROOT, "%-34s %16s %16s %16s %8d%n", name, summary(old), summary(now), fin == null ? "-" : summary(fin),
        now.getInteger("rows"));
    }
  }

  /** The dashboard's queries (as DashboardRoutes builds them, default and widest windows) and every DataLens chart's. */
  static Map<String, String> queries(JsonObject root) {
    Map<String, String> queries = new LinkedHashMap<>();
    String bars = "SELECT symbol, toUnixTimestamp(minute) AS t, open, high, low, close, volume, trades FROM market.ohlcv_1m_bars"
      + " WHERE minute >= toStartOfMinute(now() - INTERVAL %d MINUTE)%s ORDER BY symbol, minute LIMIT 100000";
    queries.put("dashboard bars 60 min", String.format(bars, 60, ""));
    queries.put("dashboard bars 60 min, 1 symbol", String.format(bars, 60, " AND symbol = 'SYM7'"));
    queries.put("dashboard bars 1440 min", String.format(bars, 1440, ""));
    queries.put("dashboard latest", "SELECT symbol, price, trade_ts_ms, received_at_ms FROM market.latest_price ORDER BY symbol LIMIT 100000");
    DataLensConfig config = ConfigResolver.dataLens(root, "conf/app.json", Map.of(EnvironmentVariables.APP_ENV, "dev"));
    for (Chart chart : Definitions.load(Definitions.Source.classpath(), Definitions.placeholders(config)).charts()) {
      queries.put("datalens " + chart.file(), chart.sql());
    }
    return queries;
  }

  /** Generated trades {@code [from, to)}: trade n is symbol n % 50's (n / 50)-th, evenly spaced. */
  static String insert(long from, long to, long startMs, double stepMs, String where) {
    return "INSERT INTO market.trades (symbol, trade_ts_ms, price, volume, conditions, received_at_ms, ingest_id, schema_version)"
      + " SELECT concat('SYM', toString(number % " + SYMBOLS + ")) AS symbol,"
      + " toInt64(" + startMs + " + floor(intDiv(number, " + SYMBOLS + ") * " + stepMs + ")) AS trade_ts_ms,"
      + " 100 + (cityHash64(number) % 1000) / 100 AS price, 1 + number % 100 AS volume, '[]', trade_ts_ms + 200,"
      + " concat('bench-', toString(intDiv(number, 10)), '-', toString(number % 10)), 1"
      + " FROM numbers(" + from + ", " + (to - from) + ")" + where;
  }

  /** The first trade index whose time is at or after {@code ms}. */
  static long firstIndexAtOrAfter(long ms, long startMs, double stepMs) {
    long k = (long) Math.ceil((ms - startMs) / stepMs);
    while (k > 0 && Math.floor((k - 1) * stepMs) + startMs >= ms) {
      k--;
    }
    while (Math.floor(k * stepMs) + startMs < ms) {
      k++;
    }
    return k * SYMBOLS;
  }

  /** Settles the minutes older than the first settle (a day), as docs/clickhouse.md says to after an upgrade. */
  static String backfill(long startMs) {
    return "INSERT INTO market.ohlcv_1m_settled SELECT symbol, toStartOfMinute(toDateTime(intDiv(trade_ts_ms, 1000), 'UTC')) AS minute,"
      + " argMin(price, " + KEY + ") AS open, max(price) AS high, min(price) AS low, argMax(price, " + KEY + ") AS close,"
      + " sum(volume) AS volume, count() AS trades, now64(3, 'UTC') AS settled_at FROM market.trades FINAL"
      + " WHERE trade_time < (SELECT min(minute) FROM market.ohlcv_1m_settled) GROUP BY symbol, minute";
  }

  private static String summary(JsonObject timing) {
    List<Double> ms = new ArrayList<>(timing.getJsonArray("ms").stream().map(x -> ((Number) x).doubleValue()).toList());
    ms.sort(Double::compare);
    return String.format(Locale.ROOT, "%.1f (%.0f-%.0f)", ms.get(ms.size() / 2), ms.get(0), ms.get(ms.size() - 1));
  }
}
