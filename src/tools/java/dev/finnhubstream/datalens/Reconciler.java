package dev.finnhubstream.datalens;

import dev.finnhubstream.config.DataLensConfig;
import dev.finnhubstream.config.IamToken;
import dev.finnhubstream.datalens.Definitions.Chart;
import dev.finnhubstream.datalens.Definitions.Dashboard;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one environment's DataLens workbook in line with the definitions, in order: the workbook, the ClickHouse
 * connection, the charts, the dashboard. Every entry is found by its name (never created blindly), compared with
 * what the files make of it (only the keys the tool sets), and written only when it differs. {@code plan} only
 * reads and prints what {@code apply} would do; {@code destroy} removes what {@code apply} creates and nothing else.
 *
 * <p>Runs on the calling (main) thread and waits for each call: the steps depend on each other's ids, and a
 * command-line run has nothing else to do meanwhile. Never on an event loop.
 */
final class Reconciler {

  private static final Logger LOGGER = LoggerFactory.getLogger(Reconciler.class);
  static final int PAGE_SIZE = 100;
  private static final int MAX_PAGES = 1_000;
  /** Stands in for the id of a connection {@code plan} would create. */
  private static final String NEW_CONNECTION = "(new connection)";

  /** What a run did, or (plan) would do. */
  record Summary(int created, int updated, int unchanged, int deleted, String dashboardId) {
  }

  private final DataLensClient api;
  private final DataLensConfig config;
  private final String environment;
  private final Definitions definitions;
  private final IamToken.Retry retry;
  private final Consumer<String> out;

  private int created;
  private int updated;
  private int unchanged;
  private int deleted;

  Reconciler(DataLensClient api, DataLensConfig config, String environment, Definitions definitions, IamToken.Retry retry,
             Consumer<String> out) {
    this.api = api;
    this.config = config;
    this.environment = environment;
    this.definitions = definitions;
    this.retry = retry;
    this.out = out;
  }

  /**
   * Plans ({@code write} false) or applies the definitions.
   *
   * @param target         the ClickHouse the connection points at
   * @param password       the connection's password; required when writing
   * @param rotatePassword update the connection even if nothing readable changed (the password cannot be read back)
   */
  Summary reconcile(ClickHouseTarget target, String password, boolean rotatePassword, boolean write) {
    String verb = write ? "" : "would be ";
    String workbookId = findWorkbook();
    if (workbookId == null) {
      if (write) {
        workbookId = createOnce("workbook", config.workbook(), "createWorkbook",
          Bodies.createWorkbook(config.workbook(), environment, config.collectionId()), this::findWorkbook, "workbookId");
      }
      report(verb + "created", "workbook", config.workbook(), "");
      created++;
    } else {
      report("unchanged", "workbook", config.workbook(), "");
      unchanged++;
    }

    // The connection.
    String connectionName = Bodies.connectionName(config.database());
    String wb = workbookId;
    String connectionId = wb == null ? null : entries(wb, "connection").getOrDefault(connectionName, new JsonObject()).getString("entryId");
    if (connectionId == null) {
      if (write) {
        connectionId = createOnce("connection", connectionName, "createConnection",
          Bodies.createConnection(wb, target, environment, config.cacheTtlSeconds(), password), () -> entryId(wb, "connection", connectionName), "id");
      }
      report(verb + "created", "connection", connectionName, "");
      created++;
    } else {
      JsonObject live = api.call("getConnection", Bodies.getConnection(connectionId)).await();
      String dbType = live.getString("db_type", live.getString("type"));
      if (dbType != null && !dbType.equals("clickhouse")) {
        throw new DataLensException("connection \"" + connectionName + "\" in workbook " + config.workbook() + " is a " + dbType + " connection",
          "rename or remove it; the tool manages a ClickHouse connection of that name");
      }
      List<String> diff = differences(Bodies.connectionFields(target, environment, config.cacheTtlSeconds()), live, "");
      if (diff.isEmpty() && !rotatePassword) {
        report("unchanged", "connection", connectionName, "");
        unchanged++;
      } else {
        if (write) {
          api.call("updateConnection", Bodies.updateConnection(connectionId, target, environment, config.cacheTtlSeconds(), password))
            .await();
        }
        report(verb + "updated", "connection", connectionName, diff.isEmpty() ? "(password)" : "(" + String.join(", ", diff) + ")");
        updated++;
      }
    }

    // The charts.
    String connection = connectionId == null ? NEW_CONNECTION : connectionId;
    Map<String, JsonObject> charts = wb == null ? Map.of() : entries(wb, "widget");
    Map<String, String> chartIds = new LinkedHashMap<>();
    Map<String, String> chartTitles = new LinkedHashMap<>();
    for (Chart chart : definitions.charts()) {
      chartTitles.put(chart.file(), chart.title());
      JsonObject entry = charts.get(chart.title());
      if (entry != null) {
        requireQl(entry, chart.title());
      }
      String id = entry == null ? null : entry.getString("entryId");
      if (id == null) {
        if (write) {
          id = createOnce("chart", chart.title(), "createQLChart", Bodies.createChart(wb, chart, connection),
            () -> entryId(wb, "widget", chart.title()), "entryId", "id");
        }
        report(verb + "created", "chart", chart.title(), "");
        created++;
      } else {
        JsonObject live = entryOf(api.call("getQLChart", Bodies.getChart(id, wb)).await());
        List<String> diff = differences(Bodies.chartData(chart, connection), live.getJsonObject("data", new JsonObject()), "data.");
        diff.addAll(differences(new JsonObject().put("description", chart.description()), live.getJsonObject("annotation", new JsonObject()),
          "annotation."));
        if (diff.isEmpty()) {
          report("unchanged", "chart", chart.title(), "");
          unchanged++;
        } else {
          if (write) {
            api.call("updateQLChart", Bodies.updateChart(id, chart, connection)).await();
          }
          report(verb + "updated", "chart", chart.title(), "(" + String.join(", ", diff) + ")");
          updated++;
        }
      }
      chartIds.put(chart.file(), id == null ? "(new chart " + chart.file() + ")" : id);
    }

    // The dashboard.
    Dashboard dashboard = definitions.dashboard();
    JsonObject data = Bodies.dashboardData(dashboard, chartIds, chartTitles, config.refreshSeconds());
    JsonObject dashEntry = wb == null ? null : entries(wb, "dash").get(dashboard.name());
    String dashboardId = dashEntry == null ? null : dashEntry.getString("entryId");
    if (dashboardId == null) {
      if (write) {
        dashboardId = createOnce("dashboard", dashboard.name(), "createDashboard", Bodies.createDashboard(wb, dashboard, data),
          () -> entryId(wb, "dash", dashboard.name()), "entryId");
      }
      report(verb + "created", "dashboard", dashboard.name(), "");
      created++;
    } else {
      JsonObject live = entryOf(api.call("getDashboard", Bodies.getDashboard(dashboardId, wb)).await());
      List<String> diff = differences(data, live.getJsonObject("data", new JsonObject()), "data.");
      diff.addAll(differences(new JsonObject().put("description", dashboard.description()), live.getJsonObject("annotation", new JsonObject()),
        "annotation."));
      if (diff.isEmpty()) {
        report("unchanged", "dashboard", dashboard.name(), "");
        unchanged++;
      } else {
        if (write) {
          api.call("updateDashboard", Bodies.updateDashboard(dashboardId, live.getString("revId"), dashboard, data))
            .await();
        }
        report(verb + "updated", "dashboard", dashboard.name(), "(" + String.join(", ", diff) + ")");
        updated++;
      }
    }
    return new Summary(created, updated, unchanged, deleted, dashboardId);
  }

  /**
   * Deletes what {@code apply} creates, in reverse order: the dashboard, the charts, the connection; then the workbook,
   * if nothing else is left in it (an entry someone added by hand is kept, and with it the workbook).
   */
  Summary destroy(String connectionName) {
    String workbookId = findWorkbook();
    if (workbookId == null) {
      out.accept("nothing to destroy: no workbook \"" + config.workbook() + "\"");
      return new Summary(0, 0, 0, 0, null);
    }
    JsonObject dash = entries(workbookId, "dash").get(definitions.dashboard().name());
    if (dash != null) {
      api.call("deleteDashboard", Bodies.deleteDashboard(dash.getString("entryId"))).await();
      report("deleted", "dashboard", definitions.dashboard().name(), "");
      deleted++;
    }
    Map<String, JsonObject> charts = entries(workbookId, "widget");
    for (Chart chart : definitions.charts()) {
      JsonObject entry = charts.get(chart.title());
      if (entry != null) {
        requireQl(entry, chart.title());
        api.call("deleteQLChart", Bodies.deleteChart(entry.getString("entryId"))).await();
        report("deleted", "chart", chart.title(), "");
        deleted++;
      }
    }
    JsonObject connection = entries(workbookId, "connection").get(connectionName);
    if (connection != null) {
      api.call("deleteConnection", Bodies.deleteConnection(connection.getString("entryId"))).await();
      report("deleted", "connection", connectionName, "");
      deleted++;
    }
    int left = entries(workbookId, null).size();
    if (left == 0) {
      api.call("deleteWorkbook", Bodies.deleteWorkbook(workbookId)).await();
      report("deleted", "workbook", config.workbook(), "");
      deleted++;
    } else {
      report("kept", "workbook", config.workbook(), "(it holds " + left + " entr" + (left == 1 ? "y" : "ies") + " the tool did not create)");
    }
    return new Summary(0, 0, 0, deleted, null);
  }

  /**
   * Writes what the workbook holds in the files' shape into {@code dir}: every QL chart (the definitions' file names
   * where the title matches one, else one made from the title) and the dashboard. For carrying a change made in the UI
   * over into a reviewed file; no secret is in any of it (a connection's password cannot be read).
   */
  void export(Path dir) {
    String workbookId = findWorkbook();
    if (workbookId == null) {
      throw new DataLensException("no workbook \"" + config.workbook() + "\" in organization " + config.organizationId(), "run apply first");
    }
    Map<String, String> fileByTitle = new LinkedHashMap<>();
    definitions.charts().forEach(c -> fileByTitle.put(c.title(), c.file()));
    Map<String, String> fileById = new LinkedHashMap<>();
    try {
      Files.createDirectories(dir.resolve("charts"));
      for (Map.Entry<String, JsonObject> e : entries(workbookId, "widget").entrySet()) {
        String type = e.getValue().getString("type", "");
        if (!type.isEmpty() && !type.endsWith("ql_node")) {
          continue;
        }
        String file = fileByTitle.getOrDefault(e.getKey(), e.getKey().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", ""));
        String id = e.getValue().getString("entryId");
        fileById.put(id, file);
        JsonObject live = entryOf(api.call("getQLChart", Bodies.getChart(id, workbookId)).await());
        JsonObject data = live.getJsonObject("data", new JsonObject());
        Files.writeString(dir.resolve("charts/" + file + ".sql"), data.getString("queryValue", "") + "\n");
        Files.writeString(dir.resolve("charts/" + file + ".json"), chartFile(e.getKey(), live, data).encodePrettily() + "\n");
        report("exported", "chart", e.getKey(), "(charts/" + file + ".sql, .json)");
      }
      JsonObject dash = entries(workbookId, "dash").get(definitions.dashboard().name());
      if (dash != null) {
        JsonObject live = entryOf(api.call("getDashboard", Bodies.getDashboard(dash.getString("entryId"), workbookId))
          .await());
        Files.writeString(dir.resolve("dashboard.json"), dashboardFile(definitions.dashboard().name(), live, fileById).encodePrettily() + "\n");
        report("exported", "dashboard", definitions.dashboard().name(), "(dashboard.json)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonObject chartFile(String title, JsonObject live, JsonObject data) {
    JsonObject visualization = data.getJsonObject("visualization", new JsonObject());
    JsonArray columns = new JsonArray();
    for (Object p : visualization.getJsonArray("placeholders", new JsonArray())) {
      JsonObject placeholder = (JsonObject) p;
      String id = placeholder.getString("id");
      for (Object i : placeholder.getJsonArray("items", new JsonArray())) {
        JsonObject item = (JsonObject) i;
        JsonObject column = new JsonObject().put("name", item.getString("guid")).put("cast", item.getString("cast"));
        if (!"flat-table-columns".equals(id)) {
          column.put("placeholder", id);
        }
        columns.add(column);
      }
    }
    for (Object i : data.getJsonArray("colors", new JsonArray())) {
      JsonObject item = (JsonObject) i;
      columns.add(new JsonObject().put("name", item.getString("guid")).put("cast", item.getString("cast")).put("placeholder", "colors"));
    }
    return new JsonObject().put("title", title)
      .put("description", live.getJsonObject("annotation", new JsonObject()).getString("description", ""))
      .put("visualization", visualization.getString("id")).put("columns", columns);
  }

  private static JsonObject dashboardFile(String name, JsonObject live, Map<String, String> fileById) {
    JsonObject data = live.getJsonObject("data", new JsonObject());
    JsonArray tabs = data.getJsonArray("tabs", new JsonArray());
    JsonObject tab = tabs.isEmpty() ? new JsonObject() : tabs.getJsonObject(0);
    Map<String, String> chartByItem = new LinkedHashMap<>();
    for (Object o : tab.getJsonArray("items", new JsonArray())) {
      JsonObject item = (JsonObject) o;
      JsonArray widgetTabs = item.getJsonObject("data", new JsonObject()).getJsonArray("tabs", new JsonArray());
      if ("widget".equals(item.getString("type")) && !widgetTabs.isEmpty()) {
        String chartId = widgetTabs.getJsonObject(0).getString("chartId");
        chartByItem.put(item.getString("id"), fileById.getOrDefault(chartId, chartId));
      }
    }
    JsonArray widgets = new JsonArray();
    for (Object o : tab.getJsonArray("layout", new JsonArray())) {
      JsonObject cell = (JsonObject) o;
      String chart = chartByItem.get(cell.getString("i"));
      if (chart != null) {
        widgets.add(new JsonObject().put("chart", chart).put("x", cell.getValue("x")).put("y", cell.getValue("y"))
          .put("w", cell.getValue("w")).put("h", cell.getValue("h")));
      }
    }
    return new JsonObject().put("name", name)
      .put("description", live.getJsonObject("annotation", new JsonObject()).getString("description", ""))
      .put("tab", tab.getString("title", "")).put("widgets", widgets);
  }

  /** The workbook's id, or {@code null}; a title that differs only in case (unique regardless of case) is an error. */
  String findWorkbook() {
    List<String> exact = new ArrayList<>();
    for (int page = 0; page < MAX_PAGES; page++) {
      JsonObject answer = api.call("getWorkbooksList", Bodies.listWorkbooks(config.workbook(), config.collectionId(), page, PAGE_SIZE))
        .await();
      JsonArray workbooks = answer.getJsonArray("workbooks", new JsonArray());
      for (Object o : workbooks) {
        JsonObject w = (JsonObject) o;
        String title = w.getString("title", "");
        if (title.equals(config.workbook())) {
          exact.add(w.getString("workbookId"));
        } else if (title.equalsIgnoreCase(config.workbook())) {
          throw new DataLensException("a workbook titled \"" + title + "\" exists; DataLens titles are unique regardless of case",
            "set datalens.workbook to \"" + title + "\", or rename that workbook");
        }
      }
      if (lastPage(answer, workbooks)) {
        break;
      }
    }
    if (exact.size() > 1) {
      throw new DataLensException(exact.size() + " workbooks titled \"" + config.workbook() + "\"", "remove or rename all but one");
    }
    return exact.isEmpty() ? null : exact.get(0);
  }

  /** The workbook's entries of one scope ({@code null}: every scope) by name; two of one name are an error. */
  private Map<String, JsonObject> entries(String workbookId, String scope) {
    Map<String, JsonObject> byName = new LinkedHashMap<>();
    for (int page = 0; page < MAX_PAGES; page++) {
      JsonObject body = Bodies.listEntries(workbookId, scope, page, PAGE_SIZE);
      if (scope == null) {
        body.remove("scope");
      }
      JsonObject answer = api.call("getWorkbookEntries", body).await();
      JsonArray entries = answer.getJsonArray("entries", new JsonArray());
      for (Object o : entries) {
        JsonObject entry = (JsonObject) o;
        String name = nameOf(entry);
        if (byName.put(scope == null ? entry.getString("entryId") : name, entry) != null) {
          throw new DataLensException("two " + scope + " entries named \"" + name + "\" in workbook " + config.workbook(),
            "remove or rename one of them in DataLens");
        }
      }
      if (lastPage(answer, entries)) {
        break;
      }
    }
    return byName;
  }

  /**
   * Whether a list answer was the last page. The requests page by number while the answers carry a
   * {@code nextPageToken}; which the server honours is unknown, so a page is the last when it is empty, or short of
   * the size asked for without a next-page token (a server that pages smaller than asked still sends the token).
   */
  private static boolean lastPage(JsonObject answer, JsonArray items) {
    return items.isEmpty() || (items.size() < PAGE_SIZE && answer.getString("nextPageToken") == null);
  }

  private String entryId(String workbookId, String scope, String name) {
    JsonObject entry = entries(workbookId, scope).get(name);
    return entry == null ? null : entry.getString("entryId");
  }

  /** An entry's name: its key in a workbook is {@code <prefix>/<name>}, with the name's case kept in displayKey. */
  static String nameOf(JsonObject entry) {
    String key = entry.getString("displayKey");
    if (key == null) {
      key = entry.getString("key", "");
    }
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(slash + 1);
  }

  private void requireQl(JsonObject entry, String title) {
    String type = entry.getString("type");
    if (type != null && !type.endsWith("ql_node")) {
      throw new DataLensException("chart \"" + title + "\" in workbook " + config.workbook() + " is a " + type + " entry, not a QL chart",
        "rename or remove it; the tool manages a QL chart of that name");
    }
  }

  /**
   * Creates an entry without ever making two: a create is not repeated blindly. After a conflict or a transient failure
   * the entry is looked up by name; found, it is adopted; not found after a transient failure, the create is tried
   * again after the backoff.
   */
  private String createOnce(String kind, String name, String operation, JsonObject body, Supplier<String> lookup, String... idKeys) {
    long delay = retry.initialDelayMs();
    for (int attempt = 1; ; attempt++) {
      try {
        JsonObject answer = api.callOnce(operation, body).await();
        String id = DataLensClient.idOf(answer, idKeys);
        if (id == null) {
          throw new DataLensException(operation + ": the answer names no id (" + String.join(", ", idKeys) + ")",
            "the API changed: check the version (" + Bodies.API_VERSION + ") against the docs");
        }
        return id;
      } catch (DataLensException | DataLensClient.Transient cause) {
        boolean conflict = cause instanceof DataLensException d && d.conflict();
        if (!conflict && !(cause instanceof DataLensClient.Transient)) {
          throw cause;
        }
        String existing = lookup.get();
        if (existing != null) {
          out.accept("  adopted " + kind + " \"" + name + "\" (" + (conflict ? "it was created meanwhile" : "the create went through") + ")");
          return existing;
        }
        if (conflict || attempt >= retry.attempts()) {
          throw conflict ? (DataLensException) cause : new DataLensException(operation + " of " + kind + " \"" + name + "\": " + cause.getMessage()
            + ", " + attempt + " attempt(s)", "DataLens is overloaded or unavailable; run apply again later (it resumes where it stopped)");
        }
        LOGGER.warn("{}: {} (attempt {} of {}); no {} \"{}\" exists, creating again in {} ms", operation, cause.getMessage(), attempt,
          retry.attempts(), kind, name, delay);
        sleep(delay);
        delay = Math.min(delay * 2, retry.maxDelayMs());
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The entry of a get answer: dashboards wrap it in {@code entry}, charts may not. */
  private static JsonObject entryOf(JsonObject answer) {
    JsonObject entry = answer.getJsonObject("entry");
    return entry == null ? answer : entry;
  }

  /**
   * The paths where {@code actual} differs from {@code desired}, looking only at the keys {@code desired} sets: the
   * server adds its own (ids, revisions, defaults) to what it stores.
   */
  static List<String> differences(JsonObject desired, JsonObject actual, String prefix) {
    List<String> paths = new ArrayList<>();
    for (String key : desired.fieldNames()) {
      Object want = desired.getValue(key);
      Object have = actual == null ? null : actual.getValue(key);
      if (!same(want, have)) {
        paths.add(prefix + key);
      }
    }
    return paths;
  }

  private static boolean same(Object want, Object have) {
    if (want instanceof JsonObject w) {
      return have instanceof JsonObject h && differences(w, h, "").isEmpty();
    }
    if (want instanceof JsonArray w) {
      if (!(have instanceof JsonArray h) || h.size() != w.size()) {
        return false;
      }
      for (int i = 0; i < w.size(); i++) {
        if (!same(w.getValue(i), h.getValue(i))) {
          return false;
        }
      }
      return true;
    }
    if (want instanceof Number w && have instanceof Number h) {
      return w.doubleValue() == h.doubleValue();
    }
    return want == null ? have == null : want.equals(have);
  }

  private void report(String action, String kind, String name, String detail) {
    out.accept("  " + action + " " + kind + " \"" + name + "\"" + (detail.isEmpty() ? "" : " " + detail));
  }
}
