package dev.finnhubstream.datalens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.clickhouse.ClickHouseSchema;
import dev.finnhubstream.clickhouse.ClickHouseSchema.Generation;
import dev.finnhubstream.clickhouse.ClickHouseSchema.Parameters;
import dev.finnhubstream.datalens.Definitions.Chart;
import dev.finnhubstream.datalens.Definitions.Column;
import dev.finnhubstream.support.ClickHouseTestSupport;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The DataLens charts' SQL on the local ClickHouse 18.16 ({@code ci/clickhouse.sh}), over the local schema (whose views
 * have the modern one's names and columns), with the same generated trades as {@link DataLensChartsTest}: every query
 * runs there too and returns the declared columns, so the cloud charts and the local server agree on the SQL. The
 * Kafka engine is left out (its table is a Null stand-in until the last two statements): the trades are inserted
 * directly into the raw table.
 */
class DataLensChartsIT {

  @Test
  @DisplayName("every chart's query runs on ClickHouse 18.16 over the local schema and returns its declared columns")
  void chartsRunOnTheLocalServer() {
    ClickHouseTestSupport.requireServer();
    String db = ClickHouseTestSupport.uniqueDatabase("it_datalens");
    try {
      Parameters p = new Parameters(db, "trades", 90, 730, "127.0.0.1:1", "unused_topic", Parameters.consumerGroupFor(db), "unused_gaps");
      List<String> statements = ClickHouseSchema.statements(Generation.LOCAL, p);
      // Everything but the Kafka consumer (the last DROP and CREATE): the views read the Null stand-in's inserts.
      statements.subList(0, statements.size() - 2).forEach(ClickHouseTestSupport::query);
      ClickHouseTestSupport.query(DataLensChartsTest.insertTrades(db, "trades_queue", "emptyArrayString()"));
      Definitions definitions = Definitions.load(Definitions.Source.classpath(),
        Map.of("database", db, "trades_table", "trades", "window_minutes", "60"));
      for (Chart chart : definitions.charts()) {
        // The result's column names and types from the JSON format's meta (18.16 has no DESCRIBE of a query).
        List<JsonObject> described = new JsonObject(ClickHouseTestSupport.query("SELECT * FROM (" + chart.sql() + ") LIMIT 0 FORMAT JSON"))
          .getJsonArray("meta").stream().map(JsonObject.class::cast).toList();
        assertThat(described.stream().map(r -> r.getString("name")).toList()).as(chart.file())
          .containsExactlyElementsOf(chart.columns().stream().map(Column::name).toList());
        for (int i = 0; i < described.size(); i++) {
          String type = described.get(i).getString("type");
          assertThat(DataLensChartsTest.fits(chart.columns().get(i).cast(), type)).as(chart.file() + " " + described.get(i).getString("name")
            + " " + type).isTrue();
        }
        assertThat(ClickHouseTestSupport.rows(chart.sql())).as(chart.file() + " rows").isNotEmpty();
      }
    } finally {
      ClickHouseTestSupport.dropDatabase(db);
    }
  }
}
