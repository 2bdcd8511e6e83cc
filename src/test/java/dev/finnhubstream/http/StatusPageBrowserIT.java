package dev.finnhubstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.emulator.DropMode;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.support.HeadlessChromium;
import dev.finnhubstream.support.InProcessService;
import dev.finnhubstream.support.KafkaTestSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The live status page ({@code GET /}) in Debian's real Chromium, against the service fed by the emulator and
 * writing to the real broker: read from the live DOM that the per-symbol table fills with prices, that the
 * counters move between two looks, and that in a 1400-pixel-wide window the connections table, with a
 * connection's last error in it, fits its card and the window. The screenshot stays in
 * {@code target/status-page.png} as an artifact.
 */
class StatusPageBrowserIT {

  static final Path SCREENSHOT = Path.of("target", "status-page.png");
  private static final String TOKEN = "it-page-" + System.nanoTime();
  private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "NVDA", "BINANCE:BTCUSDT", "OANDA:EUR_USD", "IC MARKETS:1");
  /** The width at which the connections table was once cut off at the right. */
  private static final int WINDOW_WIDTH = 1400;

  /**
   * Reads the page's own rendering: symbol rows with their price and flow, the first connection's cells, the
   * counters, and where the connections table ends compared with its card and the window. Null while an element is
   * missing (the page is still loading).
   */
  private static final String READ_PAGE = """
    (() => {
      const text = (root, selector) => { const el = root && root.querySelector(selector); return el ? el.textContent : null; };
      const table = document.querySelector('#connections');
      const card = table && table.closest('section');
      if (!card) return null;
      const rows = [...document.querySelectorAll('#symbols tbody tr')].map(tr => ({
        symbol: tr.dataset.symbol, price: text(tr, 'td.price'), flow: text(tr, 'td.flow') }));
      const connection = document.querySelector('#connections tbody tr');
      const page = {
        ready: text(document, '#ready-badge'),
        haHidden: document.querySelector('#ha') ? document.querySelector('#ha').hidden : null,
        connection: connection ? connection.textContent : '',
        connectionError: connection ? text(connection, 'td:last-child') : '',
        tradesReceived: text(document, '#trades-received'),
        kafkaAcked: text(document, '#kafka-acked'),
        chartDrawn: text(document, '#rate-1m'),
        windowWidth: window.innerWidth,
        pageWidth: document.documentElement.scrollWidth,
        tableRight: table.getBoundingClientRect().right,
        cardRight: card.getBoundingClientRect().right,
        cardScrollWidth: card.scrollWidth,
        cardClientWidth: card.clientWidth
      };
      if (Object.values(page).includes(null) || rows.some(r => r.price === null || r.flow === null)) return null;
      page.rows = rows;
      return JSON.stringify(page);
    })()""";

  @Test
  @DisplayName("headless Chromium shows every symbol with a price, the connection state, counters that move, and a connections table that fits 1400 px")
  void statusPageInChromium() throws Exception {
    KafkaTestSupport.requireBroker();
    try (InProcessService service = new InProcessService(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN))
        .withTradesPerSecond(100), Map.of("FINNHUB_TOKEN", TOKEN, "FINNHUB_SYMBOLS", String.join(",", SYMBOLS)), file -> { });
         HeadlessChromium chromium = HeadlessChromium.start(WINDOW_WIDTH, 900)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> service.get("/ready").statusCode() == 200);
      chromium.navigate(service.baseUrl() + "/");

      JsonObject first = chromium.awaitPage("every symbol with a price and Kafka acknowledging", READ_PAGE, page ->
        page.getJsonArray("rows").size() == SYMBOLS.size()
          && page.getJsonArray("rows").stream().noneMatch(r -> ((JsonObject) r).getString("price").equals("–"))
          && count(page, "kafkaAcked") > 0);
      JsonArray rows = first.getJsonArray("rows");
      assertThat(rows.stream().map(r -> ((JsonObject) r).getString("symbol")).toList()).containsExactlyElementsOf(SYMBOLS);
      for (Object r : rows) {
        assertThat(Double.parseDouble(((JsonObject) r).getString("price").replace(",", ""))).isPositive();
      }
      assertThat(first.getString("ready")).isEqualTo("READY");
      assertThat(first.getBoolean("haHidden")).as("no HA line on a single instance").isTrue();
      assertThat(first.getString("connection")).contains("key-1").contains("CONNECTED");

      // Finnhub closes the connection: the service reconnects, and the table keeps the close as the last error,
      // the longest text the table shows.
      service.emulator.dropConnections(DropMode.CLOSE_FRAME).await();

      // The page refreshes itself: the counters move while trades flow again after the reconnect.
      JsonObject later = chromium.awaitPage("the counters moving and every symbol flowing after a reconnect", READ_PAGE, page ->
        count(page, "tradesReceived") > count(first, "tradesReceived") && count(page, "kafkaAcked") > count(first, "kafkaAcked")
          && page.getString("connection").contains("CONNECTED") && !page.getString("connectionError").isEmpty()
          && page.getJsonArray("rows").stream().allMatch(r -> ((JsonObject) r).getString("flow").equals("flowing")));
      assertThat(later.getString("connectionError")).startsWith("connection closed by Finnhub");
      assertThat(later.getString("chartDrawn")).contains("/s over the last minute");

      // Nothing is cut off at the right: the table ends inside its card, the card inside the window.
      assertThat(later.getInteger("windowWidth")).isEqualTo(WINDOW_WIDTH);
      assertThat(later.getInteger("cardScrollWidth")).as("connections card: content width vs. visible width; %s", later)
        .isLessThanOrEqualTo(later.getInteger("cardClientWidth"));
      assertThat(later.getDouble("tableRight")).as("connections table right edge vs. its card's; %s", later)
        .isLessThanOrEqualTo(later.getDouble("cardRight"));
      assertThat(later.getDouble("cardRight")).as("connections card right edge vs. the window's; %s", later)
        .isLessThanOrEqualTo(WINDOW_WIDTH);
      assertThat(later.getInteger("pageWidth")).as("page width vs. the window's; %s", later).isLessThanOrEqualTo(WINDOW_WIDTH);

      chromium.screenshot(SCREENSHOT);
      assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
    }
  }

  @Test
  @DisplayName("with ha.enabled the page says which keys this instance holds (one instance: OWNER of key-1), and nothing when HA is off")
  void haLineInChromium() throws Exception {
    KafkaTestSupport.requireBroker();
    String id = Long.toString(System.nanoTime());
    String read = """
      (() => { const el = document.querySelector('#ha'); const c = document.querySelector('#connections tbody tr');
        return el && c ? JSON.stringify({hidden: el.hidden, text: el.textContent, connection: c.textContent}) : null; })()""";
    try (InProcessService service = new InProcessService(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN))
        .withTradesPerSecond(100), Map.of("FINNHUB_TOKEN", TOKEN, "FINNHUB_SYMBOLS", "AAPL", "HA_ENABLED", "true",
          "HA_TOPIC", "it_ha_page_" + id, "HA_GROUP_ID", "it-ha-page-" + id), file -> { });
         HeadlessChromium chromium = HeadlessChromium.start(WINDOW_WIDTH, 900)) {
      chromium.navigate(service.baseUrl() + "/");
      JsonObject page = chromium.awaitPage("the HA line naming the key this instance holds", read,
        p -> !p.getBoolean("hidden") && p.getString("text").contains("OWNER") && p.getString("connection").contains("CONNECTED"));
      assertThat(page.getString("text")).startsWith("Several instances: this one is OWNER, holding key-1 (generation ");
    }
  }

  private static long count(JsonObject page, String field) {
    String text = page.getString(field).replace(",", "");
    return text.matches("\\d+") ? Long.parseLong(text) : -1;
  }
}
