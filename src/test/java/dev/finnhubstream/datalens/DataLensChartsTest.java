package dev.finnhubstream.datalens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.clickhouse.ClickHouseSchema;
import dev.finnhubstream.clickhouse.SchemaTarget;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.config.DataLensConfig;
import dev.finnhubstream.config.EnvironmentVariables;
import dev.finnhubstream.datalens.Definitions.Chart;
import dev.finnhubstream.datalens.Definitions.Column;
import dev.finnhubstream.support.ChdbSupport;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every chart's SQL on modern ClickHouse (chdb 26.x) over the modern schema rendered for {@code dev}, with generated
 * trades relative to now: each query runs, returns the columns its chart file declares, in order, with types its
 * casts fit, and the values the trades imply. What it cannot show: that DataLens renders them.
 */
class DataLensChartsTest {

  private static final Logger LOGGER = LoggerFactory.getLogger(DataLensChartsTest.class);
  /** 3 symbols × 5 whole minutes × 10 trades, each received 250 ms after it happened. */
  static final int TRADES = 150;
  static final int LAG_MS = 250;

  static DataLensConfig config;
  static Definitions definitions;

  @BeforeAll
  static void load() throws Exception {
    JsonObject root = new JsonObject(Files.readString(Path.of("conf/app.json")));
    config = ConfigResolver.dataLens(root, "conf/app.json", Map.of(EnvironmentVariables.APP_ENV, "dev"));
    definitions = Definitions.load(Definitions.Source.classpath(), Definitions.placeholders(config));
  }

  /** The generated trades: in each of the 5 whole minutes before the current one, 10 per symbol, in its first 30 s. */
  static String insertTrades(String database, String table, String emptyConditions) {
    return "INSERT INTO " + database + "." + table
      + " (symbol, trade_ts_ms, price, volume, conditions, received_at_ms, ingest_id, schema_version)"
      + " SELECT ['AAPL', 'MSFT', 'BINANCE:BTCUSDT'][1 + number % 3] AS symbol,"
      + " (toInt64(toUnixTimestamp(toStartOfMinute(now()))) - 60 * (1 + intDiv(number, 30) % 5)) * 1000 + (number % 30) * 1000 AS trade_ts_ms,"
      + " 100 + number % 7 AS price, 1 + number % 3 AS volume, " + emptyConditions + ", trade_ts_ms + " + LAG_MS + ","
      + " concat('run-', toString(intDiv(number, 10)), '-', toString(number % 10)), 1"
      + " FROM numbers(" + TRADES + ")";
  }

  @Test
  @DisplayName("each chart's query runs on the modern schema and returns the columns its file declares, with fitting types and the expected values")
  void chartsRunOnTheModernSchema(@TempDir Path scratch) throws Exception {
    JsonObject root = new JsonObject(Files.readString(Path.of("conf/app.json")));
    SchemaTarget target = SchemaTarget.resolve(root, "dev", Map.of());
    List<String> statements = new ArrayList<>(ClickHouseSchema.statements(target.generation(), target.parameters()));
    statements.add(insertTrades(config.database(), config.tradesTable(), "'[]'")); // conditions is JSON text in the modern schema
    Map<String, String> queries = new LinkedHashMap<>();
    for (Chart chart : definitions.charts()) {
      queries.put(chart.file(), chart.sql());
      queries.put(chart.file() + ":types", "DESCRIBE TABLE (" + chart.sql() + ")");
    }
    ChdbSupport.Result result = ChdbSupport.run(scratch, statements, queries);

    for (Chart chart : definitions.charts()) {
      List<JsonObject> described = result.rows().get(chart.file() + ":types");
      List<String> names = described.stream().map(r -> r.getString("name")).toList();
      assertThat(names).as(chart.file() + " columns").containsExactlyElementsOf(chart.columns().stream().map(Column::name).toList());
      for (int i = 0; i < names.size(); i++) {
        String type = described.get(i).getString("type");
        assertThat(fits(chart.columns().get(i).cast(), type)).as(chart.file() + "." + names.get(i) + " is " + type + ", cast "
          + chart.columns().get(i).cast()).isTrue();
      }
      List<JsonObject> rows = result.rows().get(chart.file());
      assertThat(rows).as(chart.file() + " rows").isNotEmpty();
      LOGGER.info("chart {} on chdb {}: {} rows; columns {}; first row {}", chart.file(), result.version(), rows.size(),
        described.stream().map(r -> r.getString("name") + " " + r.getString("type")).toList(), rows.get(0).encode());
    }

    Map<String, List<JsonObject>> rows = result.rows();
    // 5 minutes × 3 symbols, 10 trades each, in every per-minute chart.
    assertThat(rows.get("trades_1m")).hasSize(15).allSatisfy(r -> assertThat(r.getLong("trades")).isEqualTo(10));
    assertThat(rows.get("close_1m")).hasSize(15);
    assertThat(rows.get("volume_1m")).hasSize(15);
    assertThat(rows.get("volume_1m").stream().mapToDouble(r -> r.getDouble("volume")).sum()).isEqualTo(300.0); // 50 × (1 + 2 + 3)
    assertThat(rows.get("candles_1m")).hasSize(15).allSatisfy(r -> {
      assertThat(r.getDouble("low")).isLessThanOrEqualTo(r.getDouble("open")).isLessThanOrEqualTo(r.getDouble("high"));
      assertThat(r.getDouble("low")).isLessThanOrEqualTo(r.getDouble("close")).isLessThanOrEqualTo(r.getDouble("high"));
    });
    assertThat(rows.get("feed_lag_1m")).hasSize(15).allSatisfy(r -> {
      assertThat(r.getLong("lag_p95_ms")).isEqualTo(LAG_MS);
      assertThat(r.getLong("lag_max_ms")).isEqualTo(LAG_MS);
    });
    assertThat(rows.get("latest_prices")).extracting(r -> r.getString("symbol")).containsExactly("AAPL", "BINANCE:BTCUSDT", "MSFT");
    assertThat(rows.get("latest_prices")).allSatisfy(r -> {
      assertThat(r.getLong("lag_ms")).isEqualTo(LAG_MS);
      assertThat(r.getLong("seconds_since_received")).isBetween(30L, 400L);
    });
  }

  /** Whether a ClickHouse result type fits a DataLens QL cast. */
  static boolean fits(String cast, String type) {
    String t = type.replaceAll("^(LowCardinality|Nullable)\\((.*)\\)$", "$2");
    return switch (cast) {
      case "string" -> t.equals("String");
      case "integer" -> t.matches("U?Int(8|16|32|64)");
      case "float" -> t.matches("Float(32|64)");
      case "genericdatetime" -> t.startsWith("DateTime");
      default -> false;
    };
  }
}
