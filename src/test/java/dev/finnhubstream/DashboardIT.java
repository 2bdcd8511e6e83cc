package dev.finnhubstream;

import static dev.finnhubstream.ClickHousePipelineIT.LEGACY_ULPS;
import static dev.finnhubstream.support.ClickHouseTestSupport.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.sink.TradeJson;
import dev.finnhubstream.support.ClickHouseTestSupport;
import dev.finnhubstream.support.HeadlessChromium;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.OhlcvReference;
import dev.finnhubstream.support.OhlcvReference.Bar;
import dev.finnhubstream.support.OhlcvReference.Print;
import dev.finnhubstream.support.ServiceEnv;
import dev.finnhubstream.support.TradeFixtures;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The local dashboard on the real pipeline: 12 minutes of history in Kafka plus live emulator trades,
 * read by ClickHouse 18.16, served by the service, rendered by headless Chromium.
 */
class DashboardIT {

  private static final String TOKEN = "dash-it-" + System.nanoTime();
  private static final int LIVE_TRADES = 300;
  /** The page draws candles in these colours (index.html, --up and --down). */
  private static final int UP_RGB = 0x26a69a;
  private static final int DOWN_RGB = 0xef5350;
  static final Path SCREENSHOT = Path.of("target", "dashboard-screenshot.png");
  /** The page's state and its panels' candle counts; null until the page's body exists. */
  private static final String READ_CANDLES = """
    (() => {
      if (!document.body) return null;
      const candles = {};
      document.querySelectorAll('#charts .panel[data-candles]').forEach(p => { candles[p.dataset.symbol] = p.dataset.candles; });
      return JSON.stringify({ state: document.body.dataset.state || null, candles });
    })()""";

  /** The coverage panel as the page last filled it: coverage rows' symbols and the recent gaps' reasons by symbol. */
  private static final String READ_COVERAGE = """
    (() => {
      const section = document.getElementById('coverage-section');
      if (!section) return null;
      const coverage = [...document.querySelectorAll('#coverage tbody tr')].map(tr => tr.dataset.symbol);
      const gaps = [...document.querySelectorAll('#gaps tbody tr')].map(tr => tr.dataset.symbol + '=' + tr.cells[3].textContent);
      return JSON.stringify({ state: section.dataset.state, coverage, gaps });
    })()""";

  private Vertx vertx;
  private FinnhubEmulator emulator;

  @BeforeEach
  void setUp() {
    KafkaTestSupport.requireBroker();
    ClickHouseTestSupport.requireServer();
    vertx = Vertx.vertx();
    emulator = new FinnhubEmulator(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN))
      .withTradesPerSecond(300).withTotalTrades(LIVE_TRADES).withMaxTradesPerFrame(4).withRecordTrades(true));
    vertx.deployVerticle(emulator).await();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  @DisplayName("the dashboard serves the reference candles and latest prices, rejects bad parameters, and renders candles in Chromium")
  void dashboardShowsTheBars() throws Exception {
    String topic = KafkaTestSupport.uniqueTopic("it_dash");
    String db = ClickHouseTestSupport.uniqueDatabase("it_dash");
    ClickHouseTestSupport.createLocalSchema(db, topic);
    // History that ends minutes before the live trades start, so the two never share a minute.
    List<Trade> history = TradeFixtures.history(11, "hist" + UUID.randomUUID().toString().substring(0, 4),
      System.currentTimeMillis() - 15 * 60_000, 12, 30);
    TradeFixtures.produce(topic, history);
    MainVerticle main = new MainVerticle(config(db, topic, true));
    vertx.deployVerticle(main).await();
    await().atMost(Duration.ofSeconds(60)).until(() -> emulator.tradesSent() == LIVE_TRADES);
    long total = history.size() + LIVE_TRADES;
    ClickHouseTestSupport.awaitCount("SELECT count() FROM " + db + ".trades FINAL", total);

    // The run's first subscriptions close each symbol's "starting" gap: three gaps, landed through the gap topic's Kafka table.
    ClickHouseTestSupport.awaitCount("SELECT count() FROM " + db + ".feed_gap_symbols WHERE reason = 'starting'", 3);

    List<Print> sent = new ArrayList<>();
    history.forEach(t -> sent.add(new Print(t.symbol(), t.tradeTsMs(), t.price(), t.volume())));
    emulator.sentTrades().forEach(t -> sent.add(new Print(t.symbol(), t.t(), t.p(), t.v())));
    List<Bar> reference = OhlcvReference.bars(sent);

    WebClient web = WebClient.create(vertx);
    int port = main.httpPort();
    JsonObject bars = get(web, port, "/dashboard/api/bars?minutes=30").bodyAsJsonObject();
    OhlcvReference.assertSameBars(toBars(bars.getJsonObject("bars")), reference, "dashboard bars", LEGACY_ULPS);
    JsonObject one = get(web, port, "/dashboard/api/bars?minutes=30&symbol=IC%20MARKETS%3A1").bodyAsJsonObject();
    assertThat(one.getJsonObject("bars").fieldNames()).containsExactly("IC MARKETS:1");
    JsonArray latest = get(web, port, "/dashboard/api/latest").bodyAsJsonObject().getJsonArray("latest");
    Map<String, Print> expectedLatest = OhlcvReference.latest(sent);
    assertThat(latest.stream().map(o -> ((JsonObject) o).getString("symbol")).toList()).containsExactlyInAnyOrderElementsOf(expectedLatest.keySet());
    for (Object o : latest) {
      JsonObject row = (JsonObject) o;
      assertThat(row.getLong("trade_ts_ms")).isEqualTo(expectedLatest.get(row.getString("symbol")).tsMs());
    }

    // Parameters never become SQL: anything outside the strict forms is refused before ClickHouse sees it.
    for (String bad : List.of("symbol=AAPL%27%20OR%201%3D1", "symbol=AAPL%5C", "minutes=0", "minutes=99999", "minutes=5%3BDROP", "minutes=-5")) {
      HttpResponse<Buffer> response = web.get(port, "127.0.0.1", "/dashboard/api/bars?" + bad).send().await();
      assertThat(response.statusCode()).as(bad).isEqualTo(400);
      assertThat(response.bodyAsJsonObject().getString("error")).as(bad).isNotBlank();
    }
    assertThat(count("SELECT count() FROM " + db + ".trades FINAL")).isEqualTo(total);

    JsonObject coverage = get(web, port, "/dashboard/api/coverage?minutes=60").bodyAsJsonObject();
    assertThat(coverage.getJsonArray("coverage").stream().map(o -> ((JsonObject) o).getString("symbol")).toList())
      .containsExactly("AAPL", "IC MARKETS:1", "BINANCE:BTCUSDT");
    for (Object o : coverage.getJsonArray("coverage")) {
      // The service started seconds ago: a few seconds without subscription, the rest of the hour covered.
      assertThat(((JsonObject) o).getDouble("covered")).as("coverage of %s", o).isBetween(0.9, 1.0 - 1e-9);
    }
    assertThat(coverage.getJsonArray("recent").stream().map(o -> ((JsonObject) o).getString("reason")).toList())
      .containsOnly("starting").hasSize(3);

    HttpResponse<Buffer> page = get(web, port, "/dashboard");
    assertThat(page.getHeader("Content-Type")).startsWith("text/html");
    assertThat(page.bodyAsString()).contains("const REFRESH_MS = 5000;").doesNotContain("{{");

    // Headless Chromium runs the page's scripts: one panel per symbol with one candle per minute. The page fetches
    // and draws after it loads, so the test reads it until it has drawn, then takes the picture.
    Map<String, Integer> expectedCandles = new HashMap<>();
    reference.forEach(b -> expectedCandles.merge(b.symbol(), 1, Integer::sum));
    try (HeadlessChromium chromium = HeadlessChromium.start(1400, 1000)) {
      chromium.navigate("http://127.0.0.1:" + port + "/dashboard");
      // Fails after the deadline with the page's last reading unless the candles are exactly the reference's.
      chromium.awaitPage("the candle counts " + expectedCandles, READ_CANDLES, shown ->
        "ready".equals(shown.getString("state")) && candles(shown).equals(expectedCandles));

      chromium.awaitPage("the coverage panel with 3 symbols and their starting gaps", READ_COVERAGE, shown ->
        "ready".equals(shown.getString("state")) && shown.getJsonArray("coverage").size() == 3
          && shown.getJsonArray("gaps").stream().filter(g -> ((String) g).endsWith("=starting")).count() == 3);

      Files.deleteIfExists(SCREENSHOT);
      chromium.screenshot(SCREENSHOT);
    }
    BufferedImage image = ImageIO.read(SCREENSHOT.toFile());
    assertThat(image).as("screenshot %s", SCREENSHOT).isNotNull();
    assertThat(pixels(image, UP_RGB)).as("rising candle pixels").isGreaterThan(200);
    assertThat(pixels(image, DOWN_RGB)).as("falling candle pixels").isGreaterThan(200);

    ClickHouseTestSupport.dropDatabase(db);
  }

  @Test
  @DisplayName("without a ClickHouse URL the service serves no dashboard")
  void noDashboardWithoutClickHouse() throws Exception {
    MainVerticle main = new MainVerticle(config("market", KafkaTestSupport.uniqueTopic("it_nodash"), false));
    vertx.deployVerticle(main).await();
    WebClient web = WebClient.create(vertx);
    assertThat(web.get(main.httpPort(), "127.0.0.1", "/dashboard").send().await().statusCode()).isEqualTo(404);
    assertThat(web.get(main.httpPort(), "127.0.0.1", "/dashboard/api/latest").send().await().statusCode()).isEqualTo(404);
    assertThat(web.get(main.httpPort(), "127.0.0.1", "/health").send().await().statusCode()).isEqualTo(200);
  }

  /** The panels' candle counts by symbol, as the page last drew them. */
  private static Map<String, Integer> candles(JsonObject page) {
    Map<String, Integer> bySymbol = new HashMap<>();
    page.getJsonObject("candles").forEach(e -> bySymbol.put(e.getKey(), Integer.parseInt((String) e.getValue())));
    return bySymbol;
  }

  private static long pixels(BufferedImage image, int rgb) {
    long n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int p = image.getRGB(x, y) & 0xffffff;
        if (Math.abs((p >> 16) - (rgb >> 16)) < 8 && Math.abs(((p >> 8) & 0xff) - ((rgb >> 8) & 0xff)) < 8
          && Math.abs((p & 0xff) - (rgb & 0xff)) < 8) {
          n++;
        }
      }
    }
    return n;
  }

  private static HttpResponse<Buffer> get(WebClient web, int port, String path) {
    HttpResponse<Buffer> response = web.get(port, "127.0.0.1", path).send().await();
    assertThat(response.statusCode()).as("GET %s: %s", path, response.bodyAsString()).isEqualTo(200);
    return response;
  }

  private static List<Bar> toBars(JsonObject bySymbol) {
    List<Bar> bars = new ArrayList<>();
    for (String symbol : bySymbol.fieldNames().stream().sorted().toList()) {
      for (Object o : bySymbol.getJsonArray(symbol)) {
        JsonArray c = (JsonArray) o;
        bars.add(new Bar(symbol, c.getLong(0), c.getDouble(1), c.getDouble(2), c.getDouble(3), c.getDouble(4), c.getDouble(5), c.getLong(6)));
      }
    }
    return bars;
  }

  private AppConfig config(String database, String topic, boolean dashboard) throws Exception {
    JsonObject root = new JsonObject(Files.readString(Path.of("conf/app.json")));
    root.getJsonObject("common").getJsonObject("clickhouse").put("database", database);
    Map<String, String> env = ServiceEnv.forEmulator(emulator, TOKEN, topic);
    env.put("FINNHUB_SYMBOLS", "AAPL,IC MARKETS:1,BINANCE:BTCUSDT");
    if (dashboard) {
      env.put("CLICKHOUSE_URL", ClickHouseTestSupport.url());
    } else {
      root.getJsonObject("environments").getJsonObject("local").getJsonObject("dashboard").remove("clickhouse_url");
    }
    return ConfigResolver.resolve(root, "conf/app.json", env);
  }

}
