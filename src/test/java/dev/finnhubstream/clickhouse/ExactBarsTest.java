package dev.finnhubstream.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.clickhouse.ClickHouseSchema.Generation;
import dev.finnhubstream.clickhouse.ClickHouseSchema.Parameters;
import dev.finnhubstream.sink.TradeJson;
import dev.finnhubstream.support.ChdbSupport;
import dev.finnhubstream.support.OhlcvReference;
import dev.finnhubstream.support.OhlcvReference.Bar;
import dev.finnhubstream.support.OhlcvReference.Print;
import dev.finnhubstream.support.TradeFixtures;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: the bars and latest prices dashboards read ({@code ohlcv_1m_bars}, {@code latest_price}) equal a reference
 * computed in Java from the distinct trades, however many of them Data Transfer delivers again, on the modern schema
 * (chdb, ClickHouse 26.x). The trades (several symbols, 31 minutes up to the current one, same-millisecond prints,
 * identical prints with distinct ingest ids) go in as Data Transfer inserts them, in blocks; then shares of them come
 * again in separate blocks: before any bar is settled, after a settle, and after every table was merged
 * (OPTIMIZE ... FINAL). The views are read at each stage, while bars are still computed from the raw trades and once
 * most of them are settled.
 */
class ExactBarsTest {

  private static final Parameters PARAMS = new Parameters("market", "trades", 90, 730, "unused:9092", "finnhub_trades", "g", "finnhub_feed_gaps");
  private static final String COLUMNS = "(symbol, trade_ts_ms, price, volume, conditions, received_at_ms, ingest_id, schema_version)";
  private static final String BARS = "SELECT symbol, toUnixTimestamp(minute) AS minute, open, high, low, close, volume, trades FROM %s"
    + " ORDER BY symbol, minute";
  private static final String LATEST = "SELECT symbol, price, trade_ts_ms, received_at_ms FROM %s ORDER BY symbol";
  private static final List<String> STAGES = List.of("first", "redelivered", "settled", "merged");

  @TempDir
  Path scratch;

  @Test
  @DisplayName("with 15 %, 10 % and 10 % of the trades redelivered in separate blocks (before a settle, after it, after a merge),"
    + " every bar and latest price equals the reference from the distinct trades")
  void barsAreExactUnderRedelivery() throws Exception {
    long now = System.currentTimeMillis();
    List<Trade> trades = TradeFixtures.history(16, "xb16", now - 30 * 60_000, 31, 24);
    SplittableRandom random = new SplittableRandom(1616);
    List<Trade> againBeforeSettle = share(trades, 0.15, random);
    List<Trade> againAfterSettle = share(trades, 0.10, random);
    List<Trade> againAfterMerge = share(trades, 0.10, random);
    assertThat(trades.stream().map(Trade::ingestId).distinct().count()).isEqualTo(trades.size());
    assertThat(trades.stream().collect(Collectors.groupingBy(t -> t.symbol() + "@" + t.tradeTsMs(), Collectors.counting())).values())
      .as("same-millisecond prints").anyMatch(c -> c > 1);

    List<String> statements = new ArrayList<>(ClickHouseSchema.statements(Generation.MODERN, PARAMS));
    // The refreshes run only where the test says: left to their schedule, one fires at the next minute boundary,
    // which a run can cross in the middle of an insert and settle a half-inserted minute (correct again only at the
    // next refresh, as documented for late trades, but not what a stage snapshot should compare).
    for (String view : SETTLE_VIEWS) {
      statements.add("SYSTEM WAIT VIEW " + view);
      statements.add("SYSTEM STOP VIEW " + view);
    }
    blocks(trades, 97).forEach(statements::add);
    snapshot(statements, "first");
    blocks(againBeforeSettle, 53).forEach(statements::add);
    snapshot(statements, "redelivered");
    statements.addAll(settle());
    blocks(againAfterSettle, 41).forEach(statements::add);
    snapshot(statements, "settled");
    for (String table : List.of("trades", "trades_recent", "ohlcv_1m_settled", "latest_trade")) {
      statements.add("OPTIMIZE TABLE market." + table + " FINAL");
    }
    blocks(againAfterMerge, 29).forEach(statements::add);
    statements.addAll(settle());
    snapshot(statements, "merged");

    Map<String, String> queries = new LinkedHashMap<>();
    for (String stage : STAGES) {
      queries.put(stage + "_bars", String.format(BARS, "market.snap_bars_" + stage));
      queries.put(stage + "_latest", String.format(LATEST, "market.snap_latest_" + stage));
    }
    queries.put("rows", "SELECT count() AS n FROM market.trades FINAL");
    queries.put("settled", "SELECT count() AS n, toUnixTimestamp(max(minute)) AS through FROM market.ohlcv_1m_settled FINAL");
    ChdbSupport.Result result = ChdbSupport.run(scratch, statements, queries);

    List<Print> distinct = trades.stream().map(t -> new Print(t.symbol(), t.tradeTsMs(), t.price(), t.volume())).toList();
    List<Bar> reference = OhlcvReference.bars(distinct);
    List<JsonObject> latestReference = latest(trades);
    for (String stage : STAGES) {
      OhlcvReference.assertSameBars(result.rows().get(stage + "_bars").stream().map(Bar::of).toList(), reference, stage + ": ohlcv_1m_bars", 0);
      assertThat(result.rows().get(stage + "_latest")).as(stage + ": latest_price").containsExactlyElementsOf(latestReference);
    }
    // The raw table holds every trade once after FINAL, and both halves of ohlcv_1m_bars were read: settled bars
    // and, for the minutes after the newest settled one (the current minute at least), bars computed from the trades.
    assertThat(result.rows().get("rows").get(0).getLong("n")).isEqualTo(trades.size());
    JsonObject settled = result.rows().get("settled").get(0);
    assertThat(settled.getLong("n")).as("settled bars").isGreaterThan(reference.size() / 2L).isLessThan(reference.size());
    assertThat(reference).as("bars after the newest settled minute").anyMatch(b -> b.minute() > settled.getLong("through"));
  }

  /** About {@code fraction} of the trades, in a shuffled order (a redelivery need not keep the first order). */
  private static List<Trade> share(List<Trade> trades, double fraction, SplittableRandom random) {
    List<Trade> picked = new ArrayList<>(trades.stream().filter(t -> random.nextDouble() < fraction).toList());
    for (int i = picked.size() - 1; i > 0; i--) {
      java.util.Collections.swap(picked, i, random.nextInt(i + 1));
    }
    assertThat(picked.size()).isGreaterThanOrEqualTo((int) (trades.size() * fraction * 0.8));
    return picked;
  }

  /** INSERT statements of at most {@code size} rows each, as Data Transfer writes them (conditions as JSON text). */
  private static List<String> blocks(List<Trade> trades, int size) {
    List<String> inserts = new ArrayList<>();
    for (int i = 0; i < trades.size(); i += size) {
      inserts.add("INSERT INTO market.trades " + COLUMNS + " FORMAT JSONEachRow\n" + trades.subList(i, Math.min(trades.size(), i + size)).stream()
        .map(ExactBarsTest::dataTransferRow).collect(Collectors.joining("\n")));
    }
    return inserts;
  }

  private static String dataTransferRow(Trade t) {
    JsonObject record = new JsonObject(TradeJson.toJson(t));
    return record.put("conditions", record.getJsonArray("conditions").encode()).encode();
  }

  /** What the views return at this point, kept for the queries that run after all statements. */
  private static void snapshot(List<String> statements, String stage) {
    statements.add("CREATE TABLE market.snap_bars_" + stage + " ENGINE = Memory AS SELECT * FROM market.ohlcv_1m_bars");
    statements.add("CREATE TABLE market.snap_latest_" + stage + " ENGINE = Memory AS SELECT * FROM market.latest_price");
  }

  /** Both refreshable views run now (they also run on their own schedule; a run at any moment gives the same bars). */
  private static final List<String> SETTLE_VIEWS = List.of("market.ohlcv_1m_settle_mv", "market.ohlcv_1m_settle_day_mv");

  /** Each settle view once, by hand, then stopped again. */
  private static List<String> settle() {
    List<String> out = new ArrayList<>();
    for (String view : SETTLE_VIEWS) {
      out.addAll(List.of("SYSTEM START VIEW " + view, "SYSTEM REFRESH VIEW " + view, "SYSTEM WAIT VIEW " + view, "SYSTEM STOP VIEW " + view));
    }
    return out;
  }

  /** latest_price's reference: per symbol, the price of the last print (latest millisecond, then send order), the newest trade and receive times. */
  private static List<JsonObject> latest(List<Trade> trades) {
    Map<String, JsonObject> bySymbol = new TreeMap<>();
    Map<String, Print> last = OhlcvReference.latest(trades.stream().map(t -> new Print(t.symbol(), t.tradeTsMs(), t.price(), t.volume())).toList());
    for (Print p : last.values()) {
      long received = trades.stream().filter(t -> t.symbol().equals(p.symbol())).mapToLong(Trade::receivedAtMs).max().orElseThrow();
      bySymbol.put(p.symbol(), new JsonObject().put("symbol", p.symbol()).put("price", p.price()).put("trade_ts_ms", p.tsMs())
        .put("received_at_ms", received));
    }
    return List.copyOf(bySymbol.values());
  }
}
