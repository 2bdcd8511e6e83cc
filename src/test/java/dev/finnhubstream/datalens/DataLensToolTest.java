package dev.finnhubstream.datalens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.config.IamToken;
import dev.finnhubstream.support.FakeDataLens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DataLens tool against {@link FakeDataLens}, a stateful in-process fake of the Public API that validates every
 * request against the API's schema: what the tool creates, in which order, what it leaves alone, what it deletes, and
 * how it fails. Environment {@code dev} of the committed {@code conf/app.json}, definitions from the tools' resources.
 */
class DataLensToolTest {

  private static final String ORG = "bpf000000000000000dev";
  private static final String TOKEN = "t1.iam-" + System.nanoTime();
  private static final String PASSWORD = "pw-" + System.nanoTime();
  private static final String WORKBOOK = "finnhub-stream-dev";
  private static final IamToken.Retry FAST = new IamToken.Retry(4, 5, 20);
  private static final List<String> CHART_TITLES = List.of("Price: 1-minute close", "Latest prices", "Volume per minute",
    "Trades per minute", "Feed lag per minute (ms)", "Candles: 1-minute OHLCV");

  private Vertx vertx;
  private FakeDataLens fake;
  private Map<String, String> env;

  record Run(int code, List<String> out, List<String> err) {

    String all() {
      return String.join("\n", out) + "\n" + String.join("\n", err);
    }
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    fake = new FakeDataLens(ORG, TOKEN);
    fake.start(vertx);
    env = new HashMap<>();
    env.put("DATALENS_ENDPOINT", "http://127.0.0.1:" + fake.port());
    env.put(DataLensTool.TOKEN, TOKEN);
    env.put(ClickHouseTarget.VARIABLE, new JsonObject().put("host", "rc1a-abc.mdb.yandexcloud.net").put("port", 8443).put("database", "market")
      .put("username", "datalens_reader").put("cluster_id", "c9q0cluster").put("folder_id", "b1g00000000000000dev").encode());
    env.put(DataLensTool.PASSWORD, PASSWORD);
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private Run run(String... args) {
    List<String> out = new ArrayList<>();
    List<String> err = new ArrayList<>();
    int code = DataLensTool.run(args, env, vertx, FAST, out::add, err::add);
    Run r = new Run(code, out, err);
    assertThat(r.all()).doesNotContain(TOKEN).doesNotContain(PASSWORD);
    assertThat(fake.refused).as("requests the fake refused for their headers or body").isEmpty();
    return r;
  }

  private String workbookId() {
    return fake.workbooks.entrySet().stream().filter(e -> e.getValue().equals(WORKBOOK)).map(Map.Entry::getKey).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("apply on an empty organization creates the workbook, the connection, the six charts and the dashboard, in that order")
  void applyCreatesEverythingInOrder() {
    Run r = run("apply", "dev");
    assertThat(r.code()).as(r.all()).isZero();
    List<String> expected = new ArrayList<>(List.of("createWorkbook " + WORKBOOK, "createConnection ClickHouse market"));
    CHART_TITLES.forEach(t -> expected.add("createQLChart " + t));
    expected.add("createDashboard finnhub-stream");
    assertThat(fake.writes).containsExactlyElementsOf(expected);

    String wb = workbookId();
    FakeDataLens.Entry connection = fake.entriesOf(wb, "connection").get(0);
    assertThat(fake.passwords.get(connection.id)).isEqualTo(PASSWORD);
    assertThat(connection.data.getString("raw_sql_level")).isEqualTo("dashsql");
    assertThat(connection.data.getInteger("cache_ttl_sec")).isEqualTo(30);
    assertThat(connection.data.getString("host")).isEqualTo("rc1a-abc.mdb.yandexcloud.net");
    List<FakeDataLens.Entry> charts = fake.entriesOf(wb, "widget");
    assertThat(charts).allSatisfy(c -> {
      assertThat(c.data.getJsonObject("connection").getString("entryId")).isEqualTo(connection.id);
      assertThat(c.data.getString("queryValue")).contains("market.").doesNotContain("${").doesNotContain("--");
    });
    FakeDataLens.Entry dash = fake.entriesOf(wb, "dash").get(0);
    assertThat(dash.data.getJsonObject("settings").getInteger("autoupdateInterval")).isEqualTo(30);
    JsonObject tab = dash.data.getJsonArray("tabs").getJsonObject(0);
    List<String> widgetCharts = tab.getJsonArray("items").stream().map(o -> ((JsonObject) o).getJsonObject("data").getJsonArray("tabs")
      .getJsonObject(0).getString("chartId")).toList();
    assertThat(widgetCharts).containsExactlyInAnyOrderElementsOf(charts.stream().map(c -> c.id).toList());
    assertThat(tab.getJsonArray("layout").stream().map(o -> ((JsonObject) o).getString("i")))
      .containsExactlyElementsOf(tab.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("id")).toList());
    assertThat(r.out()).contains("9 created, 0 updated, 0 unchanged").contains("dashboard: https://datalens.yandex.cloud/" + dash.id);
  }

  @Test
  @DisplayName("plan prints what apply would create and writes nothing; after apply, a second apply and a plan change nothing")
  void idempotent() {
    Run plan = run("plan", "dev");
    assertThat(plan.code()).isZero();
    assertThat(plan.out()).contains("  would be created workbook \"" + WORKBOOK + "\"", "  would be created dashboard \"finnhub-stream\"",
      "9 to create, 0 to update, 0 unchanged");
    assertThat(fake.writes).isEmpty();
    assertThat(run("apply", "dev").code()).isZero();
    fake.writes.clear();

    Run again = run("apply", "dev");
    assertThat(again.code()).isZero();
    assertThat(fake.writes).as("writes of a second apply").isEmpty();
    assertThat(again.out()).contains("0 created, 0 updated, 9 unchanged");
    assertThat(run("plan", "dev").out()).contains("0 to create, 0 to update, 9 unchanged");
  }

  @Test
  @DisplayName("editing one chart's SQL file updates exactly that chart; plan names the changed key first")
  void oneEditedChartUpdatesOneChart(@TempDir Path dir) throws IOException {
    copyDefinitions(dir);
    assertThat(run("apply", "dev", "--definitions", dir.toString()).code()).isZero();
    fake.writes.clear();
    Path sql = dir.resolve("charts/trades_1m.sql");
    Files.writeString(sql, Files.readString(sql).replace("ORDER BY minute, symbol", "ORDER BY symbol, minute"));

    Run plan = run("plan", "dev", "--definitions", dir.toString());
    assertThat(plan.out()).contains("  would be updated chart \"Trades per minute\" (data.queryValue)", "0 to create, 1 to update, 8 unchanged");
    assertThat(fake.writes).isEmpty();
    assertThat(run("apply", "dev", "--definitions", dir.toString()).code()).isZero();
    assertThat(fake.writes).containsExactly("updateQLChart Trades per minute");
    FakeDataLens.Entry chart = fake.entriesOf(workbookId(), "widget").stream().filter(e -> e.name.equals("Trades per minute")).findFirst().orElseThrow();
    assertThat(chart.data.getString("queryValue")).contains("ORDER BY symbol, minute");
  }

  @Test
  @DisplayName("a changed cache TTL updates the connection (with the password); --rotate-password updates it with nothing else changed")
  void connectionUpdates() {
    assertThat(run("apply", "dev").code()).isZero();
    fake.writes.clear();
    env.put("DATALENS_CACHE_TTL_SECONDS", "20");
    Run r = run("apply", "dev");
    assertThat(r.out()).contains("  updated connection \"ClickHouse market\" (cache_ttl_sec)");
    assertThat(fake.writes).containsExactly("updateConnection ClickHouse market");
    fake.writes.clear();
    env.put(DataLensTool.PASSWORD, PASSWORD + "-rotated");
    assertThat(run("apply", "dev", "--rotate-password").out()).contains("  updated connection \"ClickHouse market\" (password)");
    assertThat(fake.passwords.values()).containsExactly(PASSWORD + "-rotated");
    assertThat(fake.writes).containsExactly("updateConnection ClickHouse market");
  }

  @Test
  @DisplayName("destroy removes what apply created and nothing else: an entry added by hand keeps itself and the workbook")
  void destroyRemovesOnlyItsOwn() {
    String other = fake.seedWorkbook("someone-else");
    fake.seed(other, "widget", "Latest prices", "table_ql_node");
    assertThat(run("apply", "dev").code()).isZero();
    String wb = workbookId();
    FakeDataLens.Entry foreign = fake.seed(wb, "widget", "Hand-made chart", "graph_ql_node");
    fake.writes.clear();

    Run r = run("destroy", "dev");
    assertThat(r.code()).as(r.all()).isZero();
    List<String> expected = new ArrayList<>(List.of("deleteDashboard finnhub-stream"));
    CHART_TITLES.forEach(t -> expected.add("deleteQLChart " + t));
    expected.add("deleteConnection ClickHouse market");
    assertThat(fake.writes).containsExactlyElementsOf(expected);
    assertThat(fake.entriesOf(wb, null)).extracting(e -> e.id).containsExactly(foreign.id);
    assertThat(r.out()).anyMatch(l -> l.contains("kept workbook") && l.contains("1 entry the tool did not create"));
    assertThat(fake.entriesOf(other, null)).hasSize(1);

    fake.entries.remove(foreign.id);
    fake.writes.clear();
    assertThat(run("destroy", "dev").code()).isZero();
    assertThat(fake.writes).containsExactly("deleteWorkbook " + wb);
    assertThat(fake.workbooks).containsOnlyKeys(other);
    assertThat(run("destroy", "dev").out()).contains("nothing to destroy: no workbook \"" + WORKBOOK + "\"");
  }

  @Test
  @DisplayName("export writes the workbook back in the files' shape: the same SQL, the same columns, the same widgets")
  void exportRoundTrips(@TempDir Path dir) throws IOException {
    assertThat(run("apply", "dev").code()).isZero();
    assertThat(run("export", "dev", "--to", dir.toString()).code()).isZero();
    Definitions exported = Definitions.load(Definitions.Source.directory(dir), Map.of("database", "market", "trades_table", "trades",
      "window_minutes", "60"));
    Definitions original = Definitions.load(Definitions.Source.classpath(), Map.of("database", "market", "trades_table", "trades",
      "window_minutes", "60"));
    assertThat(exported.charts()).hasSameSizeAs(original.charts());
    assertThat(exported.dashboard()).isEqualTo(original.dashboard());
    for (Definitions.Chart chart : original.charts()) {
      Definitions.Chart back = exported.charts().stream().filter(c -> c.file().equals(chart.file())).findFirst().orElseThrow();
      assertThat(back.sql()).isEqualTo(chart.sql());
      assertThat(back.title()).isEqualTo(chart.title());
      assertThat(back.columns()).containsExactlyInAnyOrderElementsOf(chart.columns());
    }
  }

  @Test
  @DisplayName("401 and 404 fail at once with one clear line and exit 1; nothing is retried")
  void refusalsFailAtOnce() {
    env.put(DataLensTool.TOKEN, "t1.expired");
    Run unauthorized = run("plan", "dev");
    assertThat(unauthorized.code()).isEqualTo(1);
    assertThat(unauthorized.err()).hasSize(1);
    assertThat(unauthorized.err().get(0)).startsWith("DataLens plan failed: getWorkbooksList: HTTP 401").contains("IAM token was refused")
      .contains("Fix: export YC_TOKEN=$(yc iam create-token)").doesNotContain("t1.expired").doesNotContain("\n");
    assertThat(fake.calls("getWorkbooksList")).isEqualTo(1);

    env.put(DataLensTool.TOKEN, TOKEN);
    assertThat(run("apply", "dev").code()).isZero();
    fake.fail("getQLChart", 404, 1);
    Run notFound = run("apply", "dev");
    assertThat(notFound.code()).isEqualTo(1);
    assertThat(notFound.err()).singleElement().asString().startsWith("DataLens apply failed: getQLChart: HTTP 404").contains("(not found")
      .contains("request id req-fake").doesNotContain(PASSWORD);
  }

  @Test
  @DisplayName("a 409 on create is adopted when the entry exists, a clear error when it does not")
  void conflicts() {
    // The workbook is created meanwhile by someone else: the 409 is answered, the lookup finds it, apply goes on.
    fake.fail("createWorkbook", 409, 1);
    fake.seedWorkbook(WORKBOOK);
    Run adopted = run("apply", "dev");
    assertThat(adopted.code()).as(adopted.all()).isZero();
    assertThat(fake.workbooks.values()).containsOnlyOnce(WORKBOOK);

    // A 409 for a chart that is nowhere to be found: one line, exit 1.
    FakeDataLens.Entry chart = fake.entriesOf(workbookId(), "widget").get(0);
    fake.entries.remove(chart.id);
    fake.fail("createQLChart", 409, 1);
    Run conflict = run("apply", "dev");
    assertThat(conflict.code()).isEqualTo(1);
    assertThat(conflict.err()).singleElement().asString().startsWith("DataLens apply failed: createQLChart: HTTP 409").contains("conflict");
  }

  @Test
  @DisplayName("429 and 5xx are retried with backoff on reads and writes that can be repeated; a create is looked up before it is repeated")
  void transientFailuresAreRetried() {
    fake.fail("getWorkbooksList", 429, 2);
    fake.fail("getWorkbookEntries", 503, 1);
    fake.fail("createQLChart", 502, 1);       // not carried out: created again after the lookup finds nothing
    fake.loseAnswer("createConnection");        // carried out, answer lost: adopted, not created twice
    Run r = run("apply", "dev");
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(fake.calls("getWorkbooksList")).isGreaterThanOrEqualTo(3);
    assertThat(fake.calls("createConnection")).isEqualTo(1);
    assertThat(fake.entriesOf(workbookId(), "connection")).hasSize(1);
    assertThat(fake.entriesOf(workbookId(), "widget")).extracting(e -> e.name).containsExactlyElementsOf(CHART_TITLES);
    assertThat(fake.calls("createQLChart")).isEqualTo(CHART_TITLES.size() + 1);
    assertThat(r.out()).anyMatch(l -> l.contains("adopted connection \"ClickHouse market\""));
  }

  @Test
  @DisplayName("a 5xx that lasts: the retries run out, one line names the operation, the status and the attempts; exit 1")
  void persistentServerError() {
    fake.fail("getWorkbooksList", 503, 10);
    Run r = run("plan", "dev");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).singleElement().asString().startsWith("DataLens plan failed: getWorkbooksList: HTTP 503")
      .contains("4 attempt(s)").contains("Fix: ");
    assertThat(fake.calls("getWorkbooksList")).isEqualTo(4);
  }

  @Test
  @DisplayName("without YC_TOKEN the token comes from the VM's metadata service, as LockboxSecrets gets it")
  void tokenFromMetadata() {
    env.remove(DataLensTool.TOKEN);
    env.put(IamToken.METADATA_URL, "http://127.0.0.1:" + fake.port());
    assertThat(run("plan", "dev").code()).isZero();
    assertThat(fake.calls("metadata")).isEqualTo(1);
  }

  @Test
  @DisplayName("configuration problems stop the tool before any request, exit 15, naming the key and the fix")
  void configurationProblems() {
    env.put("DATALENS_CACHE_TTL_SECONDS", "60");
    Run ttl = run("plan", "dev");
    assertThat(ttl.code()).isEqualTo(15);
    assertThat(ttl.err()).singleElement().asString().contains("DATALENS_CACHE_TTL_SECONDS: value 60 is longer than datalens.refresh_seconds (30)")
      .contains("Fix: set datalens.cache_ttl_seconds to at most 30");
    env.remove("DATALENS_CACHE_TTL_SECONDS");

    env.remove(DataLensTool.PASSWORD);
    assertThat(run("apply", "dev").err()).singleElement().asString().contains("DATALENS_CLICKHOUSE_PASSWORD: not set");
    assertThat(run("plan", "local").err()).singleElement().asString().contains("environments.local.datalens.enabled: false");
    env.put(ClickHouseTarget.VARIABLE, "null");
    assertThat(run("plan", "dev").err()).singleElement().asString().contains("DATALENS_CLICKHOUSE: not set (or null");
    assertThat(run("frobnicate", "dev").code()).isEqualTo(2);
    assertThat(fake.calls).isEmpty();
  }

  private static void copyDefinitions(Path dir) throws IOException {
    Path source = Path.of("src/tools/resources/datalens");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path p : files.toList()) {
        Path target = dir.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
