package dev.finnhubstream;

import static dev.finnhubstream.ClickHousePipelineIT.LEGACY_ULPS;
import static dev.finnhubstream.ClickHousePipelineIT.SEND_ORDER;
import static dev.finnhubstream.support.ClickHouseTestSupport.count;
import static dev.finnhubstream.support.ClickHouseTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.clickhouse.ClickHouseSchema;
import dev.finnhubstream.clickhouse.ClickHouseSchema.Generation;
import dev.finnhubstream.clickhouse.ClickHouseSchema.Parameters;
import dev.finnhubstream.clickhouse.SchemaTarget;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.config.RecordConfig;
import dev.finnhubstream.sink.TradeJson;
import dev.finnhubstream.support.ChdbSupport;
import dev.finnhubstream.support.ClickHouseTestSupport;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.OhlcvReference;
import dev.finnhubstream.support.OhlcvReference.Bar;
import dev.finnhubstream.support.OhlcvReference.Print;
import dev.finnhubstream.support.TradeFixtures;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both ClickHouse schemas against the same trades: the local one on the real ClickHouse 18.16 fed through
 * the real Kafka broker, the modern one (what Managed ClickHouse gets) on chdb, ClickHouse 26.x.
 */
class ClickHouseGenerationsIT {

  private static final String BARS = "SELECT symbol, toUnixTimestamp(minute) AS minute, open, high, low, close, volume, trades FROM %s.ohlcv_1m_bars ORDER BY symbol, minute";
  /** Bars recomputed from the deduplicated raw rows: exact under redelivery. */
  private static final String EXACT_BARS = "SELECT symbol, toUnixTimestamp(toStartOfMinute(toDateTime(intDiv(trade_ts_ms, 1000), 'UTC'))) AS minute,"
    + " argMin(price, (trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))) AS open,"
    + " max(price) AS high, min(price) AS low,"
    + " argMax(price, (trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))) AS close,"
    + " sum(volume) AS volume, count() AS trades FROM %s.trades FINAL GROUP BY symbol, minute ORDER BY symbol, minute";

  @TempDir
  Path scratch;

  @Test
  @DisplayName("trades written twice collapse to N rows on 18.16 and on modern ClickHouse; modern bars equal the reference, 18.16 prices do")
  void redeliveredTradesOnBothGenerations() throws Exception {
    KafkaTestSupport.requireBroker();
    ClickHouseTestSupport.requireServer();
    List<Trade> trades = TradeFixtures.history(7, "fx" + UUID.randomUUID().toString().substring(0, 6),
      System.currentTimeMillis() - 20 * 60_000, 12, 40);
    int n = trades.size();
    List<Print> prints = trades.stream().map(t -> new Print(t.symbol(), t.tradeTsMs(), t.price(), t.volume())).toList();
    List<Bar> reference = OhlcvReference.bars(prints);

    // ClickHouse 18.16, through Kafka: every record delivered twice, as after a producer or consumer retry.
    String topic = KafkaTestSupport.uniqueTopic("it_redeliver");
    String db = ClickHouseTestSupport.uniqueDatabase("it_redeliver");
    ClickHouseTestSupport.createLocalSchema(db, topic);
    TradeFixtures.produce(topic, trades);
    TradeFixtures.produce(topic, trades);
    ClickHouseTestSupport.awaitCount("SELECT count() FROM " + db + ".trades", 2L * n);
    Thread.sleep(2_000);
    assertThat(count("SELECT count() FROM " + db + ".trades")).as("rows before deduplication").isEqualTo(2L * n);
    assertThat(count("SELECT count() FROM " + db + ".trades FINAL")).as("rows after FINAL").isEqualTo(n);
    assertSameRows(rows("SELECT * FROM " + db + ".trades FINAL ORDER BY " + SEND_ORDER), trades, LEGACY_ULPS, "18.16");
    List<Bar> legacyBars = bars(rows(String.format(BARS, db)));
    OhlcvReference.assertSamePrices(legacyBars, reference, "18.16 ohlcv_1m after redelivery", LEGACY_ULPS);
    // What differs on 18.16 (docs/clickhouse.md, "Exact bars"): its bars are fed per block from the Kafka table, so a
    // trade delivered twice counts twice in trades (and volume) of its bar; only the query over FINAL rows is exact.
    assertThat(legacyBars).extracting(Bar::trades).as("18.16 trade counts after every trade came twice")
      .containsExactlyElementsOf(reference.stream().map(b -> 2 * b.trades()).toList());
    OhlcvReference.assertSameBars(bars(rows(String.format(EXACT_BARS, db))), reference, "18.16 bars from FINAL rows", LEGACY_ULPS);

    // Modern ClickHouse: the same rows as Data Transfer would insert them (conditions as JSON text),
    // once into one database and twice into another.
    Parameters prod = SchemaTarget.resolve(committedConfig(), "prod", Map.of()).parameters();
    List<String> statements = new ArrayList<>();
    for (String database : List.of("once", "twice")) {
      statements.addAll(ClickHouseSchema.statements(Generation.MODERN, withDatabase(prod, database)));
    }
    String insert = "FORMAT JSONEachRow\n" + trades.stream().map(ClickHouseGenerationsIT::dataTransferRow).collect(Collectors.joining("\n"));
    statements.add("INSERT INTO once.trades " + insert);
    statements.add("INSERT INTO twice.trades " + insert);
    statements.add("INSERT INTO twice.trades " + insert);
    Map<String, String> queries = new LinkedHashMap<>();
    queries.put("once_bars", String.format(BARS, "once"));
    queries.put("twice_bars", String.format(BARS, "twice"));
    queries.put("twice_exact_bars", String.format(EXACT_BARS, "twice"));
    queries.put("twice_rows", "SELECT * FROM twice.trades FINAL ORDER BY " + SEND_ORDER);
    queries.put("twice_count", "SELECT count() AS n FROM twice.trades");
    queries.put("latest", "SELECT symbol, price, trade_ts_ms FROM twice.latest_price ORDER BY symbol");
    ChdbSupport.Result modern = ChdbSupport.run(scratch, statements, queries);

    assertThat(modern.version()).startsWith("26.");
    assertThat(modern.rows().get("twice_count").get(0).getLong("n")).isEqualTo(2L * n);
    List<JsonObject> modernRows = modern.rows().get("twice_rows").stream()
      .map(r -> r.copy().put("conditions", new JsonArray(r.getString("conditions")))).toList();
    assertSameRows(modernRows, trades, 0, "modern");
    OhlcvReference.assertSameBars(bars(modern.rows().get("once_bars")), reference, "modern ohlcv_1m", 0);
    // Issue 16: modern bars are exact under redelivery (computed from the deduplicated trades); 18.16's count it.
    OhlcvReference.assertSameBars(bars(modern.rows().get("twice_bars")), reference, "modern ohlcv_1m_bars after redelivery", 0);
    OhlcvReference.assertSameBars(bars(modern.rows().get("twice_exact_bars")), reference, "modern bars from FINAL rows", 0);
    // Same rows, same prices: the two generations agree on open, high, low and close; only 18.16 counts the redelivery.
    OhlcvReference.assertSamePrices(bars(modern.rows().get("twice_bars")), legacyBars, "modern vs 18.16 ohlcv_1m", LEGACY_ULPS);
    Map<String, Print> latest = OhlcvReference.latest(prints);
    assertThat(modern.rows().get("latest")).extracting(r -> List.<Object>of(r.getString("symbol"), r.getDouble("price"), r.getLong("trade_ts_ms")))
      .containsExactlyInAnyOrderElementsOf(latest.values().stream().map(p -> List.<Object>of(p.symbol(), p.price(), p.tsMs())).toList());

    ClickHouseTestSupport.dropDatabase(db);
  }

  @Test
  @DisplayName("the columns writers fill are record.fields of conf/app.json, in order, keyed by its key fields, on both generations")
  void columnsAreTheRecordDefinition() throws Exception {
    ClickHouseTestSupport.requireServer();
    RecordConfig record = ConfigResolver.resolve(committedConfig(), "conf/app.json", Map.of()).record();
    String keyFields = record.fields().stream().filter(RecordConfig.Field::key).map(RecordConfig.Field::name).collect(Collectors.joining(", "));
    assertThat(record.fields()).as("what the service writes").isEqualTo(TradeJson.WRITTEN);

    String db = ClickHouseTestSupport.uniqueDatabase("it_columns");
    ClickHouseTestSupport.createLocalSchema(db, KafkaTestSupport.uniqueTopic("it_columns"));
    for (String table : List.of("trades_queue", "trades")) {
      List<JsonObject> columns = rows("SELECT name, type, default_kind FROM system.columns WHERE database = '" + db
        + "' AND table = '" + table + "'");
      assertThat(columns).as("18.16 %s: every column is a record field", table).allMatch(c -> c.getString("default_kind").isEmpty());
      assertThat(columns).extracting(c -> c.getString("name") + " " + c.getString("type")).as("18.16 %s", table)
        .containsExactlyElementsOf(record.fields().stream().map(f -> f.name() + " " + legacyType(f.type())).toList());
    }
    assertThat(rows("SELECT sorting_key FROM system.tables WHERE database = '" + db + "' AND name = 'trades'").get(0).getString("sorting_key"))
      .isEqualTo(keyFields);
    ClickHouseTestSupport.dropDatabase(db);

    SchemaTarget prod = SchemaTarget.resolve(committedConfig(), "prod", Map.of());
    Parameters p = prod.parameters();
    ChdbSupport.Result modern = ChdbSupport.run(scratch, ClickHouseSchema.statements(Generation.MODERN, p), Map.of(
      "columns", "SELECT name, type FROM system.columns WHERE database = '" + p.database() + "' AND table = '" + p.tradesTable()
        + "' AND default_kind = '' ORDER BY position",
      "table", "SELECT sorting_key, engine_full FROM system.tables WHERE database = '" + p.database() + "' AND name = '" + p.tradesTable() + "'"));
    assertThat(modern.rows().get("columns")).extracting(c -> c.getString("name") + " " + c.getString("type")).as("modern %s", p.tradesTable())
      .containsExactlyElementsOf(record.fields().stream().map(f -> f.name() + " " + modernType(f)).toList());
    JsonObject table = modern.rows().get("table").get(0);
    assertThat(table.getString("sorting_key")).isEqualTo(keyFields);
    assertThat(table.getString("engine_full")).startsWith("ReplacingMergeTree")
      .contains("TTL toDateTime(trade_time) + toIntervalDay(" + p.tradesTtlDays() + ")");
  }

  /** ClickHouse 18.16 column type of a record field type. */
  private static String legacyType(String recordType) {
    return switch (recordType) {
      case "string" -> "String";
      case "int64" -> "Int64";
      case "int32" -> "Int32";
      case "float64" -> "Float64";
      case "array<string>" -> "Array(String)";
      default -> throw new AssertionError("no ClickHouse type for record type " + recordType);
    };
  }

  /**
   * Modern column type: Data Transfer's parser maps a JSON array (its type ANY) to a String of JSON text,
   * and the low-cardinality symbol is stored as LowCardinality(String).
   */
  private static String modernType(RecordConfig.Field field) {
    return switch (field.type()) {
      case "array<string>" -> "String";
      case "string" -> field.name().equals("symbol") ? "LowCardinality(String)" : "String";
      default -> legacyType(field.type());
    };
  }

  private static void assertSameRows(List<JsonObject> rows, List<Trade> trades, int ulps, String what) {
    Map<String, List<Trade>> bySymbol = new LinkedHashMap<>();
    trades.forEach(t -> bySymbol.computeIfAbsent(t.symbol(), k -> new ArrayList<>()).add(t));
    List<Trade> expected = bySymbol.keySet().stream().sorted().flatMap(s -> bySymbol.get(s).stream()).toList();
    assertThat(rows).as("%s rows", what).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      Trade t = expected.get(i);
      JsonObject r = rows.get(i);
      String where = what + " row " + r.encode() + " for " + t;
      assertThat(List.of(r.getString("symbol"), r.getLong("trade_ts_ms"), r.getJsonArray("conditions"), r.getLong("received_at_ms"),
        r.getString("ingest_id"), r.getInteger("schema_version")))
        .as(where).isEqualTo(List.of(t.symbol(), t.tradeTsMs(), new JsonArray(t.conditions()), t.receivedAtMs(), t.ingestId(), Trade.SCHEMA_VERSION));
      assertThat(OhlcvReference.closeInUlps(r.getDouble("price"), t.price(), ulps)).as("price of %s", where).isTrue();
      assertThat(OhlcvReference.closeInUlps(r.getDouble("volume"), t.volume(), ulps)).as("volume of %s", where).isTrue();
    }
  }

  /** The record as Data Transfer's JSON parser hands it to ClickHouse: {@code conditions} (type ANY) as JSON text. */
  private static String dataTransferRow(Trade t) {
    JsonObject record = new JsonObject(TradeJson.toJson(t));
    return record.put("conditions", record.getJsonArray("conditions").encode()).encode();
  }

  private static List<Bar> bars(List<JsonObject> rows) {
    return rows.stream().map(Bar::of).toList();
  }

  private static Parameters withDatabase(Parameters p, String database) {
    return new Parameters(database, p.tradesTable(), p.tradesTtlDays(), p.ohlcvTtlDays(), p.kafkaBrokers(), p.kafkaTopic(),
      Parameters.consumerGroupFor(database), p.kafkaGapTopic());
  }

  private static JsonObject committedConfig() throws Exception {
    return new JsonObject(Files.readString(Path.of("conf/app.json")));
  }

}
