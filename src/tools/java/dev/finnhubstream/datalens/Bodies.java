package dev.finnhubstream.datalens;

import dev.finnhubstream.datalens.Definitions.Chart;
import dev.finnhubstream.datalens.Definitions.Column;
import dev.finnhubstream.datalens.Definitions.Dashboard;
import dev.finnhubstream.datalens.Definitions.Widget;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Every request body the DataLens tool sends, built from the definitions and the environment, as the Public API
 * (version {@link #API_VERSION}) takes them: connection bodies in snake_case, everything else in camelCase. Pure
 * functions, so the tests validate each one against the API's schema ({@code datalens-api-schema.json}).
 *
 * <p>The QL chart's {@code data} is free-form in the API's schema; its shape (version 7, placeholders with
 * {@code ql-mocked-dataset} items) follows DataLens's own QL config and SDK scaffolds, and only a real DataLens shows
 * that it renders.
 */
public final class Bodies {

  /** The Public API version these bodies are written for ({@code x-dl-api-version}); tied to the schema in a test. */
  public static final String API_VERSION = "3";
  /** A connection in DataLens is found by this name in the workbook. */
  static final String CONNECTION_NAME_PREFIX = "ClickHouse ";
  static final String MANAGED_BY = "managed by DataLensTool: edit the files in src/tools/resources/datalens, not the UI";

  private Bodies() {
  }

  static String connectionName(String database) {
    return CONNECTION_NAME_PREFIX + database;
  }

  public static JsonObject createWorkbook(String title, String environment, String collectionId) {
    JsonObject body = new JsonObject().put("title", title).put("description", "finnhub-stream " + environment + " (" + MANAGED_BY + ")");
    if (collectionId != null) {
      body.put("collectionId", collectionId);
    }
    return body;
  }

  public static JsonObject listWorkbooks(String title, String collectionId, int page, int pageSize) {
    JsonObject body = new JsonObject().put("filterString", title).put("page", page).put("pageSize", pageSize);
    if (collectionId != null) {
      body.put("collectionId", collectionId);
    }
    return body;
  }

  public static JsonObject deleteWorkbook(String workbookId) {
    return new JsonObject().put("workbookId", workbookId);
  }

  /** One page of a workbook's entries of one scope: {@code connection}, {@code widget} (charts) or {@code dash}. */
  public static JsonObject listEntries(String workbookId, String scope, int page, int pageSize) {
    return new JsonObject().put("workbookId", workbookId).put("scope", scope).put("page", page).put("pageSize", pageSize)
      .put("orderBy", new JsonObject().put("field", "name").put("direction", "asc"));
  }

  /**
   * The connection's fields that can be read back and compared: everything but its name, place and password.
   * {@code readonly = 2} matches the {@code datalens_reader} user's own setting (it may not exceed it);
   * {@code dashsql} is the level QL charts need.
   */
  public static JsonObject connectionFields(ClickHouseTarget target, String environment, int cacheTtlSeconds) {
    return new JsonObject()
      .put("description", "finnhub-stream " + environment + ": database " + target.database() + " (" + MANAGED_BY + ")")
      .put("host", target.host())
      .put("port", target.port())
      .put("secure", "on")
      .put("ssl_ca_verify", "on")
      .put("db_name", target.database())
      .put("username", target.username())
      .put("readonly", 2)
      .put("raw_sql_level", "dashsql")
      .put("cache_ttl_sec", cacheTtlSeconds)
      .put("data_export_forbidden", "off")
      .put("mdb_cluster_id", target.clusterId())
      .put("mdb_folder_id", target.folderId());
  }

  public static JsonObject createConnection(String workbookId, ClickHouseTarget target, String environment, int cacheTtlSeconds,
                                            String password) {
    return new JsonObject().put("type", "clickhouse").put("name", connectionName(target.database())).put("workbook_id", workbookId)
      .mergeIn(connectionFields(target, environment, cacheTtlSeconds)).put("password", password);
  }

  /** The update always carries the password: it cannot be read back, so an update without it could not be told apart. */
  public static JsonObject updateConnection(String connectionId, ClickHouseTarget target, String environment, int cacheTtlSeconds,
                                            String password) {
    return new JsonObject().put("connectionId", connectionId)
      .put("data", connectionFields(target, environment, cacheTtlSeconds).put("password", password));
  }

  public static JsonObject getConnection(String connectionId) {
    return new JsonObject().put("connectionId", connectionId);
  }

  public static JsonObject deleteConnection(String connectionId) {
    return new JsonObject().put("connectionId", connectionId);
  }

  /** A QL chart's {@code data}: the query on the connection, and its columns in the visualization's placeholders. */
  public static JsonObject chartData(Chart chart, String connectionId) {
    JsonArray placeholders = new JsonArray();
    JsonArray colors = new JsonArray();
    if (chart.visualization().equals("flatTable")) {
      placeholders.add(placeholder("flat-table-columns", chart.columns()));
    } else {
      for (String id : List.of("x", "y", "y2")) {
        if (Definitions.PLACEHOLDERS.get(chart.visualization()).contains(id)) {
          placeholders.add(placeholder(id, chart.columns().stream().filter(c -> id.equals(c.placeholder())).toList()));
        }
      }
      chart.columns().stream().filter(c -> "colors".equals(c.placeholder())).forEach(c -> colors.add(item(c)));
    }
    return new JsonObject()
      .put("type", "ql")
      .put("chartType", "sql")
      .put("version", "7")
      .put("connection", new JsonObject().put("entryId", connectionId).put("type", "clickhouse"))
      .put("queryValue", chart.sql())
      .put("queries", new JsonArray())
      .put("params", new JsonArray())
      .put("visualization", new JsonObject().put("id", chart.visualization()).put("type", chart.visualization()).put("placeholders", placeholders))
      .put("colors", colors)
      .put("labels", new JsonArray())
      .put("shapes", new JsonArray())
      .put("tooltips", new JsonArray())
      .put("extraSettings", new JsonObject());
  }

  private static JsonObject placeholder(String id, List<Column> columns) {
    JsonArray items = new JsonArray();
    columns.forEach(c -> items.add(item(c)));
    return new JsonObject().put("id", id).put("items", items);
  }

  private static JsonObject item(Column c) {
    boolean measure = "y".equals(c.placeholder()) || "y2".equals(c.placeholder());
    return new JsonObject().put("guid", c.name()).put("title", c.name()).put("datasetId", "ql-mocked-dataset")
      .put("data_type", c.cast()).put("cast", c.cast()).put("type", measure ? "MEASURE" : "DIMENSION");
  }

  public static JsonObject createChart(String workbookId, Chart chart, String connectionId) {
    return new JsonObject().put("template", "ql").put("workbookId", workbookId).put("name", chart.title())
      .put("annotation", new JsonObject().put("description", chart.description())).put("data", chartData(chart, connectionId));
  }

  public static JsonObject updateChart(String entryId, Chart chart, String connectionId) {
    return new JsonObject().put("entryId", entryId).put("template", "ql").put("mode", "publish")
      .put("annotation", new JsonObject().put("description", chart.description())).put("data", chartData(chart, connectionId));
  }

  public static JsonObject getChart(String chartId, String workbookId) {
    return new JsonObject().put("chartId", chartId).put("workbookId", workbookId);
  }

  public static JsonObject deleteChart(String chartId) {
    return new JsonObject().put("chartId", chartId);
  }

  static String itemId(String chart) {
    return "w-" + chart;
  }

  /**
   * The dashboard's {@code data} (DashDataV2): one tab, one widget per chart, placed as {@code dashboard.json} says,
   * auto-updated every {@code refreshSeconds} without a loading indicator.
   *
   * @param chartIds chart file name → entry id
   */
  public static JsonObject dashboardData(Dashboard dashboard, Map<String, String> chartIds, Map<String, String> chartTitles, int refreshSeconds) {
    JsonArray items = new JsonArray();
    JsonArray layout = new JsonArray();
    for (Widget w : dashboard.widgets()) {
      String chartId = chartIds.get(w.chart());
      if (chartId == null) {
        throw new IllegalStateException("bug: no entry id for chart " + w.chart());
      }
      items.add(new JsonObject().put("id", itemId(w.chart())).put("namespace", "default").put("type", "widget")
        .put("data", new JsonObject().put("hideTitle", false).put("tabs", new JsonArray().add(new JsonObject()
          .put("id", "t-" + w.chart()).put("title", chartTitles.get(w.chart())).put("chartId", chartId).put("params", new JsonObject())
          .put("isDefault", true).put("autoHeight", false)))));
      layout.add(new JsonObject().put("i", itemId(w.chart())).put("x", w.x()).put("y", w.y()).put("w", w.w()).put("h", w.h()));
    }
    JsonObject settings = new JsonObject()
      .put("autoupdateInterval", refreshSeconds)
      .put("maxConcurrentRequests", null)
      .put("silentLoading", true)
      .put("dependentSelectors", true)
      .put("expandTOC", false)
      .put("hideTabs", true);
    JsonObject tab = new JsonObject().put("id", "main").put("title", dashboard.tab()).put("items", items).put("layout", layout)
      .put("connections", new JsonArray()).put("aliases", new JsonObject().put("default", new JsonArray()));
    return new JsonObject().put("counter", dashboard.widgets().size() + 1).put("salt", "finnhub-stream").put("settings", settings)
      .put("tabs", new JsonArray().add(tab));
  }

  public static JsonObject createDashboard(String workbookId, Dashboard dashboard, JsonObject data) {
    return new JsonObject().put("entry", new JsonObject().put("workbookId", workbookId).put("name", dashboard.name())
      .put("annotation", new JsonObject().put("description", dashboard.description())).put("data", data).put("meta", new JsonObject()));
  }

  /** An update of the published dashboard, against the revision it was read at ({@code revId}, when the server gave one). */
  public static JsonObject updateDashboard(String entryId, String revId, Dashboard dashboard, JsonObject data) {
    JsonObject entry = new JsonObject().put("entryId", entryId).put("annotation", new JsonObject().put("description", dashboard.description()))
      .put("data", data).put("meta", new JsonObject());
    if (revId != null) {
      entry.put("revId", revId);
    }
    return new JsonObject().put("entry", entry).put("mode", "publish");
  }

  public static JsonObject getDashboard(String dashboardId, String workbookId) {
    return new JsonObject().put("dashboardId", dashboardId).put("workbookId", workbookId);
  }

  public static JsonObject deleteDashboard(String dashboardId) {
    return new JsonObject().put("dashboardId", dashboardId);
  }
}
