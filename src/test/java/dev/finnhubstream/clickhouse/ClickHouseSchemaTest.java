package dev.finnhubstream.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finnhubstream.clickhouse.ClickHouseSchema.Generation;
import dev.finnhubstream.clickhouse.ClickHouseSchema.Parameters;
import dev.finnhubstream.clickhouse.SchemaTarget;
import dev.finnhubstream.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClickHouseSchemaTest {

  private static final Parameters PARAMS = new Parameters("market", "trades", 90, 730, "127.0.0.1:19092", "finnhub_trades",
    "clickhouse_market", "finnhub_feed_gaps");

  private static JsonObject committed() throws Exception {
    return new JsonObject(Files.readString(Path.of("conf/app.json")));
  }

  @ParameterizedTest
  @EnumSource(Generation.class)
  @DisplayName("every placeholder is filled and every statement is complete")
  void rendersCompletely(Generation generation) {
    List<String> statements = ClickHouseSchema.statements(generation, PARAMS);
    assertThat(statements).isNotEmpty().allSatisfy(s -> assertThat(s).doesNotContain("${").doesNotContain("--").doesNotEndWith(";")
      .startsWith(s.startsWith("DROP") ? "DROP TABLE" : "CREATE"));
    assertThat(ClickHouseSchema.script(generation, PARAMS)).startsWith("CREATE DATABASE IF NOT EXISTS market;");
  }

  @Test
  @DisplayName("local: the Kafka table comes last, after a Null stand-in carried every view")
  void localCreatesTheConsumerLast() {
    List<String> s = ClickHouseSchema.statements(Generation.LOCAL, PARAMS);
    assertThat(s.get(s.size() - 1)).startsWith("CREATE TABLE market.trades_queue").contains("ENGINE = Kafka")
      .contains("kafka_broker_list = '127.0.0.1:19092'").contains("kafka_group_name = 'clickhouse_market'");
    int nullTable = indexOf(s, "CREATE TABLE IF NOT EXISTS market.trades_queue");
    int drop = indexOf(s, "DROP TABLE market.trades_queue");
    assertThat(s.subList(nullTable, drop)).filteredOn(x -> x.startsWith("CREATE MATERIALIZED VIEW")).hasSize(3)
      .allMatch(x -> x.contains("FROM market.trades_queue"));
    assertThat(drop).isEqualTo(s.size() - 2);
  }

  @Test
  @DisplayName("local: the gap topic has a Kafka table of its own, with its own group, created after its view")
  void localReadsTheGapTopic() {
    List<String> s = ClickHouseSchema.statements(Generation.LOCAL, PARAMS);
    int view = indexOf(s, "CREATE MATERIALIZED VIEW IF NOT EXISTS market.feed_gaps_queue_mv TO market.feed_gaps");
    int consumer = indexOf(s, "CREATE TABLE market.feed_gaps_queue");
    assertThat(view).isPositive().isLessThan(consumer);
    assertThat(s.get(consumer)).contains("ENGINE = Kafka").contains("kafka_topic_list = 'finnhub_feed_gaps'")
      .contains("kafka_group_name = 'clickhouse_market_gaps'");
  }

  @Test
  @DisplayName("modern: TTLs come from the parameters; no Kafka engine")
  void modernTtls() {
    String script = ClickHouseSchema.script(Generation.MODERN, new Parameters("market", "trades", 30, 365, "unused:9092", "t", "g", "gaps"));
    assertThat(script).contains("INTERVAL 30 DAY").contains("INTERVAL 365 DAY").doesNotContain("Kafka").contains("DateTime64(3, 'UTC')");
  }

  @Test
  @DisplayName("modern: no bar comes from an inserted block; views fed per block only copy trades or keep the last one")
  void modernBarsAreNotFedPerBlock() {
    List<String> s = ClickHouseSchema.statements(Generation.MODERN, PARAMS);
    assertThat(s).filteredOn(x -> x.startsWith("CREATE MATERIALIZED VIEW") && !x.contains("REFRESH EVERY"))
      .extracting(x -> x.substring(x.indexOf(" TO ") + 4, x.indexOf(" AS")))
      .containsExactlyInAnyOrder("market.trades_recent", "market.latest_trade");
    assertThat(s).filteredOn(x -> x.contains("REFRESH EVERY")).hasSize(2)
      .allMatch(x -> x.contains("APPEND TO market.ohlcv_1m_settled") && x.contains("FROM market.trades_recent FINAL"));
    assertThat(s).anyMatch(x -> x.startsWith("CREATE OR REPLACE VIEW market.ohlcv_1m_bars"))
      .contains("DROP TABLE IF EXISTS market.ohlcv_1m_mv");
  }

  @ParameterizedTest
  @ValueSource(strings = {"market; DROP DATABASE x", "Market", "a-b", "", "x'"})
  @DisplayName("a value that could change the SQL's structure is refused")
  void refusesUnsafeIdentifiers(String database) {
    assertThatThrownBy(() -> new Parameters(database, "trades", 90, 730, "127.0.0.1:19092", "t", "g", "gaps"))
      .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Parameters("market", "trades", 90, 730, "127.0.0.1:19092', x", "t", "g", "gaps"))
      .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("the statement splitter keeps multi-line statements and rejects an unterminated one")
  void splits() {
    assertThat(ClickHouseSchema.split("-- c\nCREATE A\n(x);\n\n-- d\nCREATE B;\n")).containsExactly("CREATE A\n(x)", "CREATE B");
    assertThatThrownBy(() -> ClickHouseSchema.split("CREATE A;\nCREATE B")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ClickHouseSchema.render("${nope}", Map.of())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("conf/app.json: local renders the 18.16 schema against the local broker, prod the modern one")
  void targetsFromTheCommittedConfig() throws Exception {
    SchemaTarget local = SchemaTarget.resolve(committed(), "local", Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:49092"));
    assertThat(local.generation()).isEqualTo(Generation.LOCAL);
    assertThat(local.parameters()).isEqualTo(new Parameters("market", "trades", 90, 730, "127.0.0.1:49092", "finnhub_trades", "clickhouse_market",
      "finnhub_feed_gaps"));
    SchemaTarget prod = SchemaTarget.resolve(committed(), "prod", Map.of());
    assertThat(prod.generation()).isEqualTo(Generation.MODERN);
    assertThat(prod.parameters().database()).isEqualTo("market");
    assertThat(SchemaTarget.resolve(committed(), "dev", Map.of()).generation()).isEqualTo(Generation.MODERN);
  }

  @Test
  @DisplayName("a bad schema setting names the key")
  void badSettings() throws Exception {
    JsonObject root = committed();
    root.getJsonObject("environments").getJsonObject("local").getJsonObject("clickhouse").put("schema", "legacy");
    assertThatThrownBy(() -> SchemaTarget.resolve(root, "local", Map.of())).isInstanceOf(ConfigException.class)
      .hasMessageStartingWith("environments.local.clickhouse.schema: ");
    JsonObject ttl = committed();
    ttl.getJsonObject("common").getJsonObject("clickhouse").put("trades_ttl_days", "90");
    assertThatThrownBy(() -> SchemaTarget.resolve(ttl, "prod", Map.of())).isInstanceOf(ConfigException.class)
      .hasMessageStartingWith("common.clickhouse.trades_ttl_days: ");
    assertThatThrownBy(() -> SchemaTarget.resolve(committed(), "staging", Map.of())).isInstanceOf(ConfigException.class)
      .hasMessageStartingWith("APP_ENV: ");
  }

  private static int indexOf(List<String> statements, String fragment) {
    for (int i = 0; i < statements.size(); i++) {
      if (statements.get(i).contains(fragment)) {
        return i;
      }
    }
    throw new AssertionError("no statement contains " + fragment);
  }
}
