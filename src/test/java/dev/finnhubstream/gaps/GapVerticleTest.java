package dev.finnhubstream.gaps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.Codecs;
import dev.finnhubstream.bus.FeedGap;
import dev.finnhubstream.market.MarketStatus;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The gap verticle between the trackers and the Kafka writer, with the writer's and the market poller's answers
 * played on the bus: what a closed gap becomes, and what {@code /status} is told.
 */
class GapVerticleTest {

  private Vertx vertx;
  private final List<FeedGap> written = new CopyOnWriteArrayList<>();
  private final List<Long> stoppedAt = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    Codecs.registerAll(vertx.eventBus());
    vertx.eventBus().<FeedGap>consumer(Addresses.GAPS, msg -> written.add(msg.body()));
    vertx.eventBus().<Long>consumer(Addresses.SOURCES_STOPPED, msg -> stoppedAt.add(msg.body()));
    // US market closed, as Finnhub's market status would say.
    vertx.eventBus().consumer(Addresses.STATUS_MARKET, msg -> msg.reply(new MarketStatus(true, null, "US", false, "closed", null,
      1L, 60_000, 300_000, 1, 0, null)));
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private String deploy(PreviousRunEnd previous) {
    vertx.eventBus().consumer(Addresses.PREVIOUS_RUN_END, msg -> msg.reply(previous));
    return vertx.deployVerticle(new GapVerticle()).await();
  }

  private void event(FeedGap gap) {
    vertx.eventBus().publish(Addresses.GAP_EVENTS, gap);
  }

  private GapStatus status() {
    return vertx.eventBus().<GapStatus>request(Addresses.STATUS_GAPS, null).await().body();
  }

  @Test
  @DisplayName("after a crash, a gap since the start runs from the crashed run's checkpoint and says crashed; other gaps keep theirs")
  void startingGapGoesBackToTheCrash() {
    deploy(new PreviousRunEnd(GapReason.CRASHED, 1_000));
    event(new FeedGap(null, "key-1", List.of("AAPL", "BINANCE:BTCUSDT"), 5_000, FeedGap.OPEN, "starting", null));
    // Listed per market state: AAPL's is closed, the crypto one's open.
    await().atMost(Duration.ofSeconds(5)).until(() -> status().open().size() == 2);
    assertThat(status().open()).allSatisfy(g -> {
      assertThat(g.fromMs()).isEqualTo(1_000);
      assertThat(g.reason()).isEqualTo("crashed");
    });
    event(new FeedGap("ignored", "key-1", List.of("AAPL"), 5_000, 6_000, "starting", null));
    event(new FeedGap(null, "key-1", List.of("AAPL"), 9_000, FeedGap.OPEN, "disconnected", null));
    event(new FeedGap("ignored", "key-1", List.of("AAPL"), 9_000, 9_500, "disconnected", null));
    await().atMost(Duration.ofSeconds(5)).until(() -> written.size() == 2);
    FeedGap crash = written.get(0);
    assertThat(crash.fromMs()).isEqualTo(1_000);
    assertThat(crash.toMs()).isEqualTo(6_000);
    assertThat(crash.reason()).isEqualTo("crashed");
    assertThat(crash.gapId()).isEqualTo(GapTracker.gapId("key-1", List.of("AAPL"), 1_000, 6_000, "crashed"));
    assertThat(crash.marketOpen()).as("AAPL alone, its market closed at both ends").isEqualTo("closed");
    assertThat(written.get(1).reason()).isEqualTo("disconnected");
    assertThat(written.get(1).fromMs()).isEqualTo(9_000);
    GapStatus status = status();
    assertThat(status.open()).singleElement().satisfies(g -> {
      assertThat(g.symbols()).containsExactly("BINANCE:BTCUSDT");
      assertThat(g.marketOpen()).as("crypto is always open").isEqualTo("open");
    });
    assertThat(status.closedByReason()).containsEntry("crashed", 1L).containsEntry("disconnected", 1L);
    assertThat(status.closedMsByReason()).containsEntry("crashed", 5_000L);
    assertThat(status.previousRun().reason()).isEqualTo(GapReason.CRASHED);
  }

  @Test
  @DisplayName("on a first start the gap since the start stays 'starting'; stopping tells the writer when the connections stopped")
  void firstStartAndStop() {
    String id = deploy(PreviousRunEnd.UNKNOWN);
    event(new FeedGap(null, "key-1", List.of("AAPL"), 5_000, FeedGap.OPEN, "starting", null));
    event(new FeedGap("x", "key-1", List.of("AAPL"), 5_000, 5_400, "starting", null));
    await().atMost(Duration.ofSeconds(5)).until(() -> written.size() == 1);
    assertThat(written.get(0).fromMs()).isEqualTo(5_000);
    assertThat(written.get(0).reason()).isEqualTo("starting");
    long before = System.currentTimeMillis();
    vertx.undeploy(id).await();
    await().atMost(Duration.ofSeconds(5)).until(() -> stoppedAt.size() == 1);
    assertThat(stoppedAt.get(0)).isBetween(before, System.currentTimeMillis());
  }
}
