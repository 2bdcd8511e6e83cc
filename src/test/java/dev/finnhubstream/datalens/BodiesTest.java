package dev.finnhubstream.datalens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.config.DataLensConfig;
import dev.finnhubstream.config.EnvironmentVariables;
import dev.finnhubstream.datalens.Definitions.Chart;
import dev.finnhubstream.support.DataLensApiSchema;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every request body the DataLens tool builds, for each deployed environment of the committed {@code conf/app.json},
 * validated against the API's schema after its overrides ({@link DataLensApiSchema}); each override shown to be still
 * needed; the version the tool sends tied to the schema's.
 */
class BodiesTest {

  private static final DataLensApiSchema SCHEMA = DataLensApiSchema.load();
  private static final ClickHouseTarget TARGET = new ClickHouseTarget("rc1a-abc.mdb.yandexcloud.net", 8443, "market", "datalens_reader",
    "c9q0cluster", "b1g00000000000000dev");

  /** Every body of one environment, by operation (one example each). */
  static Map<String, JsonObject> bodies(String environment) throws Exception {
    JsonObject root = new JsonObject(Files.readString(Path.of("conf/app.json")));
    DataLensConfig config = ConfigResolver.dataLens(root, "conf/app.json", Map.of(EnvironmentVariables.APP_ENV, environment));
    Definitions d = Definitions.load(Definitions.Source.classpath(), Definitions.placeholders(config));
    Map<String, JsonObject> bodies = new LinkedHashMap<>();
    bodies.put("getWorkbooksList", Bodies.listWorkbooks(config.workbook(), "collection1", 0, Reconciler.PAGE_SIZE));
    bodies.put("createWorkbook", Bodies.createWorkbook(config.workbook(), environment, "collection1"));
    bodies.put("deleteWorkbook", Bodies.deleteWorkbook("wb1"));
    bodies.put("getWorkbookEntries", Bodies.listEntries("wb1", "widget", 3, Reconciler.PAGE_SIZE));
    bodies.put("createConnection", Bodies.createConnection("wb1", TARGET, environment, config.cacheTtlSeconds(), "pw"));
    bodies.put("getConnection", Bodies.getConnection("c1"));
    bodies.put("updateConnection", Bodies.updateConnection("c1", TARGET, environment, config.cacheTtlSeconds(), "pw"));
    bodies.put("deleteConnection", Bodies.deleteConnection("c1"));
    Map<String, String> ids = new LinkedHashMap<>();
    Map<String, String> titles = new LinkedHashMap<>();
    for (Chart c : d.charts()) {
      bodies.put("createQLChart:" + c.file(), Bodies.createChart("wb1", c, "c1"));
      bodies.put("updateQLChart:" + c.file(), Bodies.updateChart("ch-" + c.file(), c, "c1"));
      ids.put(c.file(), "ch-" + c.file());
      titles.put(c.file(), c.title());
    }
    bodies.put("getQLChart", Bodies.getChart("ch1", "wb1"));
    bodies.put("deleteQLChart", Bodies.deleteChart("ch1"));
    JsonObject data = Bodies.dashboardData(d.dashboard(), ids, titles, config.refreshSeconds());
    bodies.put("createDashboard", Bodies.createDashboard("wb1", d.dashboard(), data));
    bodies.put("updateDashboard", Bodies.updateDashboard("d1", "r7", d.dashboard(), data));
    bodies.put("getDashboard", Bodies.getDashboard("d1", "wb1"));
    bodies.put("deleteDashboard", Bodies.deleteDashboard("d1"));
    return bodies;
  }

  private static String operation(String key) {
    int colon = key.indexOf(':');
    return colon < 0 ? key : key.substring(0, colon);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  @DisplayName("every body the tool builds is valid for its operation, and none sends a read-only field")
  void everyBodyValidates(String environment) throws Exception {
    Map<String, JsonObject> bodies = bodies(environment);
    for (Map.Entry<String, JsonObject> e : bodies.entrySet()) {
      assertThat(SCHEMA.errors(operation(e.getKey()), e.getValue())).as(environment + " " + e.getKey() + ": " + e.getValue().encode()).isEmpty();
    }
    // JSON Schema ignores readOnly: the tool must not send what the server sets.
    assertThat(bodies.get("createConnection").fieldNames()).doesNotContain("id", "created_at", "updated_at", "key", "meta");
    assertThat(bodies.get("updateConnection").getJsonObject("data").fieldNames()).doesNotContain("id", "created_at", "updated_at", "key", "meta",
      "name", "type");
    // Every operation the tool calls is covered (getEntries is the schema's alternative listing, unused).
    assertThat(bodies.keySet().stream().map(BodiesTest::operation).distinct().toList())
      .containsExactlyInAnyOrderElementsOf(SCHEMA.operations().stream().filter(o -> !o.equals("getEntries") && !o.equals("getWorkbook")
        && !o.equals("updateWorkbook")).toList());
  }

  @Test
  @DisplayName("the schema rejects what it should: an auto-update below 30 s, a connection without a host, a chart update without mode")
  void validationHasTeeth() throws Exception {
    Map<String, JsonObject> bodies = bodies("dev");
    JsonObject dash = bodies.get("createDashboard").copy();
    dash.getJsonObject("entry").getJsonObject("data").getJsonObject("settings").put("autoupdateInterval", 10);
    assertThat(SCHEMA.errors("createDashboard", dash)).isNotEmpty();
    JsonObject connection = bodies.get("createConnection").copy();
    connection.remove("host");
    assertThat(SCHEMA.errors("createConnection", connection)).isNotEmpty();
    JsonObject update = bodies.get("updateQLChart:close_1m").copy();
    update.remove("mode");
    assertThat(SCHEMA.errors("updateQLChart", update)).isNotEmpty();
  }

  @Test
  @DisplayName("each request-side override is still needed: without it, a good connection body fails")
  void overridesAreStillNeeded() throws Exception {
    Map<String, JsonObject> bodies = bodies("dev");
    Map<String, List<String>> needs = Map.of(
      "clickhouse-create-dir_path-not-required", List.of("createConnection"),
      "clickhouse-update-name-not-required", List.of("updateConnection"),
      "connection-wrappers-validate-variant-directly", List.of("createConnection", "updateConnection"));
    needs.forEach((override, operations) -> {
      DataLensApiSchema without = DataLensApiSchema.load(override);
      for (String op : operations) {
        assertThat(without.errors(op, bodies.get(op))).as("without " + override + ", " + op).isNotEmpty();
      }
    });
  }

  @Test
  @DisplayName("the tool sends the API version the schema describes")
  void apiVersion() {
    assertThat(Bodies.API_VERSION).isEqualTo(SCHEMA.version());
  }
}
