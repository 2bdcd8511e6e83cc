package dev.finnhubstream.datalens;

import dev.finnhubstream.clickhouse.ClickHouseSchema;
import dev.finnhubstream.config.DataLensConfig;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The reviewed files a DataLens dashboard is built from ({@code src/tools/resources/datalens/}): {@code dashboard.json}
 * names the charts by file name and places them; each chart is {@code charts/<name>.sql} (the QL query, with the
 * schema tool's {@code ${...}} placeholders) and {@code charts/<name>.json} (title, visualization, and the columns
 * the query returns, each with its DataLens cast and placeholder).
 *
 * <p>Everything is checked when loaded, so a mistake in a file stops the tool before any request, with the file
 * and the fix.
 */
public record Definitions(Dashboard dashboard, List<Chart> charts) {

  /** Chart file names: they become widget ids and must survive a round trip through {@code export}. */
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
  /** The casts DataLens QL charts take for a column. */
  static final Set<String> CASTS = Set.of("string", "integer", "float", "genericdatetime");
  /** The visualizations the tool builds, and the placeholders each has (DataLens QL ids). */
  static final Map<String, Set<String>> PLACEHOLDERS = Map.of(
    "line", Set.of("x", "y", "y2", "colors"),
    "area", Set.of("x", "y", "colors"),
    "column", Set.of("x", "y", "colors"),
    "flatTable", Set.of());

  /** One column of a chart's query: its alias, cast, and where the visualization puts it. */
  public record Column(String name, String cast, String placeholder) {
  }

  /**
   * One QL chart.
   *
   * @param file          its file name without extension, e.g. {@code close_1m}
   * @param title         the entry's name in the workbook (how the tool finds it)
   * @param description   the entry's annotation
   * @param visualization one of {@link #PLACEHOLDERS}' keys
   * @param columns       the query's columns, in order
   * @param sql           the query, placeholders filled
   */
  public record Chart(String file, String title, String description, String visualization, List<Column> columns, String sql) {
  }

  /** One chart on the dashboard's grid. */
  public record Widget(String chart, int x, int y, int w, int h) {
  }

  /** The dashboard: its entry name, annotation, tab title and widgets. */
  public record Dashboard(String name, String description, String tab, List<Widget> widgets) {
  }

  /** Where the files are read from: the tools jar's resources, or a directory (a chart being edited; the tests). */
  public interface Source {

    /** The text of {@code relative} (e.g. {@code charts/close_1m.sql}), or {@code null} when there is no such file. */
    String read(String relative);

    /** Where the files are, for messages. */
    String describe();

    static Source classpath() {
      return new Source() {
        @Override
        public String read(String relative) {
          try (InputStream in = Definitions.class.getResourceAsStream("/datalens/" + relative)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }

        @Override
        public String describe() {
          return "src/tools/resources/datalens (in the tools jar)";
        }
      };
    }

    static Source directory(Path dir) {
      return new Source() {
        @Override
        public String read(String relative) {
          Path file = dir.resolve(relative);
          try {
            return Files.isRegularFile(file) ? Files.readString(file) : null;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }

        @Override
        public String describe() {
          return dir.toString();
        }
      };
    }
  }

  /** A mistake in a definition file: one line naming the file, the problem and the fix. */
  public static final class DefinitionException extends RuntimeException {

    DefinitionException(String file, String problem, String fix) {
      super(file + ": " + problem + ". Fix: " + fix, null, false, false);
    }
  }

  /** The placeholders the SQL files may use, from the environment's configuration. */
  public static Map<String, String> placeholders(DataLensConfig config) {
    return Map.of(
      "database", config.database(),
      "trades_table", config.tradesTable(),
      "window_minutes", Integer.toString(config.windowMinutes()));
  }

  /** Loads and checks {@code dashboard.json} and every chart it names, filling the SQL's placeholders. */
  public static Definitions load(Source source, Map<String, String> placeholders) {
    JsonObject dash = json(source, "dashboard.json");
    List<Widget> widgets = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Object o : array(dash, "dashboard.json", "widgets")) {
      if (!(o instanceof JsonObject w)) {
        throw new DefinitionException("dashboard.json", "a widget is not an object", "write {\"chart\": \"<file name>\", \"x\", \"y\", \"w\", \"h\"}");
      }
      String chart = text(w, "dashboard.json", "chart");
      if (!NAME.matcher(chart).matches() || !seen.add(chart)) {
        throw new DefinitionException("dashboard.json", "widget chart \"" + chart + "\" is not a distinct chart file name",
          "name each chart of charts/ once, by its file name without extension ([a-z][a-z0-9_]*)");
      }
      widgets.add(new Widget(chart, number(w, "dashboard.json", "x"), number(w, "dashboard.json", "y"), number(w, "dashboard.json", "w"),
        number(w, "dashboard.json", "h")));
    }
    if (widgets.isEmpty()) {
      throw new DefinitionException("dashboard.json", "no widgets", "place at least one chart");
    }
    for (Widget w : widgets) {
      if (w.w() < 1 || w.h() < 1 || w.x() < 0 || w.y() < 0 || w.x() + w.w() > 36) {
        throw new DefinitionException("dashboard.json", "widget " + w.chart() + " does not fit the 36-column grid",
          "keep x >= 0, y >= 0, w and h >= 1, x + w <= 36");
      }
    }
    Dashboard dashboard = new Dashboard(text(dash, "dashboard.json", "name"), text(dash, "dashboard.json", "description"),
      text(dash, "dashboard.json", "tab"), List.copyOf(widgets));

    List<Chart> charts = new ArrayList<>();
    Map<String, String> titles = new LinkedHashMap<>();
    for (Widget w : widgets) {
      Chart chart = chart(source, w.chart(), placeholders);
      String clash = titles.put(chart.title(), chart.file());
      if (clash != null) {
        throw new DefinitionException("charts/" + chart.file() + ".json", "title \"" + chart.title() + "\" is also the title of " + clash,
          "give each chart its own title (DataLens finds charts by it)");
      }
      charts.add(chart);
    }
    return new Definitions(dashboard, List.copyOf(charts));
  }

  private static Chart chart(Source source, String name, Map<String, String> placeholders) {
    String jsonFile = "charts/" + name + ".json";
    String sqlFile = "charts/" + name + ".sql";
    JsonObject spec = json(source, jsonFile);
    String template = source.read(sqlFile);
    if (template == null) {
      throw new DefinitionException(sqlFile, "missing in " + source.describe(), "write the chart's query there");
    }
    String sql;
    try {
      sql = ClickHouseSchema.render(stripComments(template), placeholders).strip();
    } catch (IllegalStateException e) {
      throw new DefinitionException(sqlFile, e.getMessage(), "use only ${" + String.join("}, ${", placeholders.keySet().stream().sorted().toList()) + "}");
    }
    if (sql.endsWith(";")) {
      throw new DefinitionException(sqlFile, "ends with ';'", "write one query without a trailing semicolon (DataLens runs it as is)");
    }
    String visualization = text(spec, jsonFile, "visualization");
    Set<String> allowed = PLACEHOLDERS.get(visualization);
    if (allowed == null) {
      throw new DefinitionException(jsonFile, "visualization \"" + visualization + "\" is not one the tool builds",
        "use one of " + String.join(", ", PLACEHOLDERS.keySet().stream().sorted().toList()));
    }
    List<Column> columns = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Object o : array(spec, jsonFile, "columns")) {
      if (!(o instanceof JsonObject c)) {
        throw new DefinitionException(jsonFile, "a column is not an object", "write {\"name\", \"cast\", \"placeholder\"}");
      }
      String column = text(c, jsonFile, "name");
      String cast = text(c, jsonFile, "cast");
      String placeholder = c.getString("placeholder");
      if (!names.add(column)) {
        throw new DefinitionException(jsonFile, "column " + column + " is listed twice", "list each column of the query once");
      }
      if (!CASTS.contains(cast)) {
        throw new DefinitionException(jsonFile, "column " + column + " has cast \"" + cast + "\"", "use one of " + String.join(", ",
          CASTS.stream().sorted().toList()));
      }
      if (allowed.isEmpty() ? placeholder != null : !allowed.contains(placeholder)) {
        throw new DefinitionException(jsonFile, "column " + column + " has placeholder \"" + placeholder + "\"",
          allowed.isEmpty() ? "a " + visualization + " shows every column; leave placeholder out"
            : "a " + visualization + " takes " + String.join(", ", allowed.stream().sorted().toList()));
      }
      columns.add(new Column(column, cast, placeholder));
    }
    if (columns.isEmpty()) {
      throw new DefinitionException(jsonFile, "no columns", "list the query's columns in order");
    }
    if (!allowed.isEmpty() && (columns.stream().noneMatch(c -> "x".equals(c.placeholder()))
      || columns.stream().noneMatch(c -> "y".equals(c.placeholder())))) {
      throw new DefinitionException(jsonFile, "a " + visualization + " needs an x and a y column", "set placeholder x and y on the columns");
    }
    return new Chart(name, text(spec, jsonFile, "title"), text(spec, jsonFile, "description"), visualization, List.copyOf(columns), sql);
  }

  /** The query without its whole-line {@code --} comments: they explain the file, and DataLens would show them. */
  private static String stripComments(String sql) {
    StringBuilder out = new StringBuilder();
    for (String line : sql.split("\n")) {
      if (!line.strip().startsWith("--")) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }

  private static JsonObject json(Source source, String file) {
    String text = source.read(file);
    if (text == null) {
      throw new DefinitionException(file, "missing in " + source.describe(), "add it, or fix the name in dashboard.json");
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new DefinitionException(file, "not a JSON object", "fix its syntax");
    }
  }

  private static JsonArray array(JsonObject o, String file, String key) {
    Object v = o.getValue(key);
    if (!(v instanceof JsonArray a)) {
      throw new DefinitionException(file, "\"" + key + "\" is not an array", "make it a JSON array");
    }
    return a;
  }

  private static String text(JsonObject o, String file, String key) {
    Object v = o.getValue(key);
    if (!(v instanceof String s) || s.isBlank()) {
      throw new DefinitionException(file, "\"" + key + "\" is missing or not a non-empty string", "set it");
    }
    return s;
  }

  private static int number(JsonObject o, String file, String key) {
    Object v = o.getValue(key);
    if (!(v instanceof Integer i)) {
      throw new DefinitionException(file, "\"" + key + "\" is missing or not a whole number", "set it");
    }
    return i;
  }
}
