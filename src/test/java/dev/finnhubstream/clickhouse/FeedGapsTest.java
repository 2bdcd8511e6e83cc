package dev.finnhubstream.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.bus.FeedGap;
import dev.finnhubstream.clickhouse.ClickHouseSchema.Generation;
import dev.finnhubstream.clickhouse.ClickHouseSchema.Parameters;
import dev.finnhubstream.dashboard.GapQueries;
import dev.finnhubstream.gaps.GapReason;
import dev.finnhubstream.gaps.GapTracker;
import dev.finnhubstream.sink.GapJson;
import dev.finnhubstream.support.ChdbSupport;
import io.vertx.core.json.JsonObject;
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
 * The modern schema's {@code feed_gaps} on chdb (ClickHouse 26.x): gap records go in as Data Transfer writes them
 * (the service's JSON, the symbols array as JSON text), a share of them again in separate blocks, and the
 * dashboard's coverage query ({@link GapQueries}) equals the coverage computed here from the distinct gaps.
 */
class FeedGapsTest {

  private static final Parameters PARAMS = new Parameters("market", "trades", 90, 730, "unused:9092", "finnhub_trades", "g",
    "finnhub_feed_gaps");
  private static final String COLUMNS = "(gap_id, connection, symbols, from_ms, to_ms, duration_ms, reason, market_open, schema_version)";
  private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "BINANCE:BTCUSDT", "IC MARKETS:1");
  private static final long NOW = 1_800_000_000_000L;
  private static final long HOUR = 3_600_000L;

  @TempDir
  Path scratch;

  @Test
  @DisplayName("with a third of the gap records delivered again, coverage per symbol over the last hour and day is exact")
  void coverageIsExactUnderRedelivery() throws Exception {
    List<FeedGap> gaps = generate(new SplittableRandom(16));
    SplittableRandom random = new SplittableRandom(61);
    List<FeedGap> again = gaps.stream().filter(g -> random.nextDouble() < 0.33).toList();
    assertThat(again).hasSizeGreaterThan(gaps.size() / 5);

    List<String> statements = new ArrayList<>(ClickHouseSchema.statements(Generation.MODERN, PARAMS));
    statements.addAll(blocks(gaps, 7));
    statements.addAll(blocks(again, 5));
    Map<String, String> queries = new LinkedHashMap<>();
    queries.put("hour", GapQueries.coverage("market", NOW, HOUR));
    queries.put("day", GapQueries.coverage("market", NOW, 24 * HOUR));
    queries.put("rows", "SELECT count() AS n FROM market.feed_gaps FINAL");
    queries.put("recent", GapQueries.recent("market", NOW, HOUR, 5));
    ChdbSupport.Result result = ChdbSupport.run(scratch, statements, queries);

    assertThat(result.rows().get("rows").get(0).getLong("n")).isEqualTo(gaps.size());
    assertThat(coverage(result.rows().get("hour"))).isEqualTo(reference(gaps, HOUR)).isNotEmpty();
    assertThat(coverage(result.rows().get("day"))).isEqualTo(reference(gaps, 24 * HOUR));
    List<JsonObject> recent = result.rows().get("recent");
    assertThat(recent).hasSize(5);
    assertThat(recent.get(0).getLong("from_ms")).isGreaterThanOrEqualTo(recent.get(4).getLong("from_ms"));
  }

  /** Per symbol, contiguous runs of gaps and live time over the last 30 hours; some records hold two symbols. */
  private static List<FeedGap> generate(SplittableRandom random) {
    List<FeedGap> gaps = new ArrayList<>();
    GapReason[] reasons = {GapReason.DISCONNECTED, GapReason.KEY_REJECTED, GapReason.OVER_CAP, GapReason.CRASHED};
    for (int i = 0; i < SYMBOLS.size(); i += 2) {
      List<String> pair = SYMBOLS.subList(i, i + 2);
      long t = NOW - 30 * HOUR;
      while (t < NOW + HOUR) {
        t += random.nextLong(60_000, 3 * HOUR); // live
        long length = random.nextLong(200, 20 * 60_000);
        String reason = reasons[random.nextInt(reasons.length)].wire();
        // Half the gaps are of both symbols of the pair, the others of one; one may run past NOW (cut at NOW).
        List<String> symbols = random.nextBoolean() ? pair : List.of(pair.get(random.nextInt(2)));
        gaps.add(new FeedGap(GapTracker.gapId("key-1", symbols, t, t + length, reason), "key-1", symbols, t, t + length,
          reason, "open"));
        t += length;
      }
    }
    return gaps;
  }

  private static Map<String, List<Long>> reference(List<FeedGap> gaps, long windowMs) {
    Map<String, List<Long>> out = new TreeMap<>();
    for (FeedGap g : gaps) {
      long overlap = Math.min(g.toMs(), NOW) - Math.max(g.fromMs(), NOW - windowMs);
      if (g.toMs() > NOW - windowMs && g.fromMs() < NOW) {
        for (String s : g.symbols()) {
          List<Long> v = out.computeIfAbsent(s, k -> new ArrayList<>(List.of(0L, 0L)));
          v.set(0, v.get(0) + Math.max(0, overlap));
          v.set(1, v.get(1) + 1);
        }
      }
    }
    return out;
  }

  private static Map<String, List<Long>> coverage(List<JsonObject> rows) {
    Map<String, List<Long>> out = new TreeMap<>();
    rows.forEach(r -> out.put(r.getString("symbol"), List.of(r.getLong("gap_ms"), r.getLong("gaps"))));
    return out;
  }

  /** INSERTs of at most {@code size} records, as Data Transfer writes them (the symbols array as JSON text). */
  private static List<String> blocks(List<FeedGap> gaps, int size) {
    List<String> inserts = new ArrayList<>();
    for (int i = 0; i < gaps.size(); i += size) {
      inserts.add("INSERT INTO market.feed_gaps " + COLUMNS + " FORMAT JSONEachRow\n" + gaps.subList(i, Math.min(gaps.size(), i + size))
        .stream().map(g -> {
          JsonObject record = new JsonObject(GapJson.toJson(g));
          return record.put("symbols", record.getJsonArray("symbols").encode()).encode();
        }).collect(Collectors.joining("\n")));
    }
    return inserts;
  }
}
