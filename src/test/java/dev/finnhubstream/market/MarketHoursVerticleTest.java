package dev.finnhubstream.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.Codecs;
import dev.finnhubstream.config.MarketHoursConfig;
import dev.finnhubstream.config.Secret;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The market-hours poller against the emulator's REST {@code /stock/market-status} (never the internet). */
class MarketHoursVerticleTest {

  private static final String TOKEN = "rest-token";
  private Vertx vertx;
  private FinnhubEmulator emulator;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    Codecs.registerAll(vertx.eventBus());
    emulator = new FinnhubEmulator(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN)).withTradesPerSecond(0).withTotalTrades(1));
    vertx.deployVerticle(emulator).await();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private MarketHoursConfig config(boolean enabled, long pollMs) {
    return new MarketHoursConfig(enabled, "http://127.0.0.1:" + emulator.actualPort() + "/api/v1", "US", pollMs, 300_000);
  }

  private MarketStatus status() {
    return vertx.eventBus().<MarketStatus>request(Addresses.STATUS_MARKET, null).await().body();
  }

  @Test
  @DisplayName("reads open and closed from Finnhub's answer, with session and holiday, and US symbols follow it")
  void openAndClosed() {
    vertx.deployVerticle(new MarketHoursVerticle(config(true, 1_000), new Secret(TOKEN))).await();
    await().atMost(Duration.ofSeconds(10)).until(() -> Boolean.TRUE.equals(status().isOpen()));
    assertThat(status().session()).isEqualTo("regular");
    assertThat(Markets.isOpen("AAPL", status())).isTrue();

    emulator.setMarketSession(new FinnhubEmulator.MarketSession(false, null, "Christmas"));
    await().atMost(Duration.ofSeconds(10)).until(() -> Boolean.FALSE.equals(status().isOpen()));
    MarketStatus closed = status();
    assertThat(closed.holiday()).isEqualTo("Christmas");
    assertThat(Markets.isOpen("AAPL", closed)).isFalse();
    assertThat(Markets.isOpen("BINANCE:BTCUSDT", closed)).isTrue();
    assertThat(Markets.isOpen("IC MARKETS:1", closed)).isTrue();
    assertThat(Markets.kindOf("IC MARKETS:1")).isEqualTo(Markets.Kind.FOREX);
    assertThat(Markets.kindOf("BINANCE:BTCUSDT")).isEqualTo(Markets.Kind.CRYPTO);
  }

  @Test
  @DisplayName("at most one call per poll period: over 3 s with a 1 s period, no more than 4 calls")
  void pacing() throws InterruptedException {
    vertx.deployVerticle(new MarketHoursVerticle(config(true, 1_000), new Secret(TOKEN))).await();
    Thread.sleep(3_000);
    assertThat(emulator.marketStatusRequests()).isBetween(2L, 4L);
  }

  @Test
  @DisplayName("a refused key or an error answer leaves the market unknown, with the reason, and never shows the token")
  void failures() {
    vertx.deployVerticle(new MarketHoursVerticle(config(true, 1_000), new Secret("wrong-" + TOKEN))).await();
    await().atMost(Duration.ofSeconds(10)).until(() -> status().lastError() != null);
    MarketStatus s = status();
    assertThat(s.lastError()).contains("HTTP 401");
    assertThat(s.isOpen()).isNull();
    assertThat(Markets.isOpen("AAPL", s)).isNull();
    assertThat(s.toString()).as("no field holds the token").doesNotContain(TOKEN);

    emulator.setHandshakeRejection(503);
    long failures = s.failures();
    await().atMost(Duration.ofSeconds(10)).until(() -> status().lastError().contains("HTTP 503"));
    assertThat(status().failures()).isGreaterThan(failures);
  }

  @Test
  @DisplayName("off when disabled in the configuration or without a token: no call at all, and the reason is shown")
  void off() throws InterruptedException {
    vertx.deployVerticle(new MarketHoursVerticle(config(false, 1_000), new Secret(TOKEN))).await();
    assertThat(status().enabled()).isFalse();
    assertThat(status().offReason()).contains("market_hours.enabled");
    vertx.undeploy(vertx.deploymentIDs().stream().filter(id -> !id.equals(emulatorId())).findFirst().orElseThrow()).await();
    vertx.deployVerticle(new MarketHoursVerticle(config(true, 1_000), null)).await();
    assertThat(status().offReason()).contains("FINNHUB_TOKEN");
    Thread.sleep(1_500);
    assertThat(emulator.marketStatusRequests()).isZero();
  }

  private String emulatorId() {
    return emulator.deploymentID();
  }
}
