package dev.finnhubstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * writing to the real broker: read from the live DOM that the per-symbol table fills with prices and that the
 * counters move between two looks. The screenshot stays in {@code target/status-page.png} as an artifact.
 */
class StatusPageBrowserIT {

  static final Path SCREENSHOT = Path.of("target", "status-page.png");
  private static final String TOKEN = "it-page-" + System.nanoTime();
  private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "NVDA", "BINANCE:BTCUSDT", "OANDA:EUR_USD", "IC MARKETS:1");

  /** Reads the page's own rendering: symbol rows with their price and flow, and the counters. */
  private static final String READ_PAGE = """
    JSON.stringify({
      rows: [...document.querySelectorAll('#symbols tbody tr')].map(tr => ({
        symbol: tr.dataset.symbol, price: tr.querySelector('td.price').textContent, flow: tr.querySelector('td.flow').textContent })),
      ready: document.getElementById('ready-badge').textContent,
      connection: document.querySelector('#connections tbody tr') ? document.querySelector('#connections tbody tr').textContent : '',
      tradesReceived: document.getElementById('trades-received').textContent,
      kafkaAcked: document.getElementById('kafka-acked').textContent,
      chartDrawn: document.getElementById('rate-1m').textContent
    })""";

  @Test
  @DisplayName("headless Chromium shows every symbol with a price, the connection state, and counters that move")
  void statusPageInChromium() throws Exception {
    KafkaTestSupport.requireBroker();
    try (InProcessService service = new InProcessService(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN))
        .withTradesPerSecond(100), Map.of("FINNHUB_TOKEN", TOKEN, "FINNHUB_SYMBOLS", String.join(",", SYMBOLS)), file -> { });
         HeadlessChromium chromium = HeadlessChromium.start(1280, 1100)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> service.get("/ready").statusCode() == 200);
      chromium.navigate(service.baseUrl() + "/");

      JsonObject first = await().atMost(Duration.ofSeconds(60)).until(() -> read(chromium), page ->
        page.getJsonArray("rows").size() == SYMBOLS.size()
          && page.getJsonArray("rows").stream().noneMatch(r -> ((JsonObject) r).getString("price").equals("–"))
          && count(page, "kafkaAcked") > 0);
      JsonArray rows = first.getJsonArray("rows");
      assertThat(rows.stream().map(r -> ((JsonObject) r).getString("symbol")).toList()).containsExactlyElementsOf(SYMBOLS);
      for (Object r : rows) {
        assertThat(Double.parseDouble(((JsonObject) r).getString("price").replace(",", ""))).isPositive();
      }
      assertThat(first.getString("ready")).isEqualTo("READY");
      assertThat(first.getString("connection")).contains("key-1").contains("CONNECTED");

      // The page refreshes itself: the counters move while trades flow.
      JsonObject later = await().atMost(Duration.ofSeconds(30)).until(() -> read(chromium), page ->
        count(page, "tradesReceived") > count(first, "tradesReceived") && count(page, "kafkaAcked") > count(first, "kafkaAcked"));
      assertThat(later.getJsonArray("rows").stream().map(r -> ((JsonObject) r).getString("flow")).toList()).containsOnly("flowing");
      assertThat(later.getString("chartDrawn")).contains("/s over the last minute");

      chromium.screenshot(SCREENSHOT);
      assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
    }
  }

  private static JsonObject read(HeadlessChromium chromium) throws Exception {
    return new JsonObject((String) chromium.evaluate(READ_PAGE));
  }

  private static long count(JsonObject page, String field) {
    String text = page.getString(field).replace(",", "");
    return text.matches("\\d+") ? Long.parseLong(text) : -1;
  }
}
