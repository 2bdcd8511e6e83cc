package dev.finnhubstream.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.MainVerticle;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.RealBrokerTest;
import dev.finnhubstream.support.LocalBroker;
import dev.finnhubstream.support.ServiceConfigs;
import dev.finnhubstream.support.StatusOf;
import dev.finnhubstream.support.TradeChecks;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A real broker outage in the middle of a stream: the broker is killed (kill -9) for 30 s while the emulator
 * keeps sending, then restarted. Every trade must be in Kafka exactly once, in order per symbol, and the disk
 * buffer must have carried the outage.
 */
class BrokerOutageIT extends RealBrokerTest {

  private static final int TRADES = 100_000;
  private static final int RATE = 2_000;
  private static final String TOKEN = "outage-token";

  private FinnhubEmulator emulator;

  @BeforeEach
  void setUp() {
    emulator = new FinnhubEmulator(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN)).withTradesPerSecond(RATE)
      .withTotalTrades(TRADES).withMaxTradesPerFrame(8).withPingIntervalMs(0).withRecordTrades(true));
    vertx.deployVerticle(emulator).await();
  }

  @AfterEach
  void tearDown() {
    // Whatever happened, leave a running broker for the next test.
    LocalBroker.start();
  }

  @Test
  @DisplayName("broker down for 30 s during a stream of 100,000 trades: all of them in Kafka exactly once, in order")
  void brokerOutageLosesAndDuplicatesNothing() throws Exception {
    String topic = KafkaTestSupport.uniqueTopic("it_outage");
    MainVerticle main = new MainVerticle(ServiceConfigs.local(ServiceConfigs.env(emulator.actualPort(), TOKEN,
      "AAPL,MSFT,BINANCE:BTCUSDT,OANDA:EUR_USD,IC MARKETS:1", topic), Map.of()));
    vertx.deployVerticle(main).await();
    WebClient web = WebClient.create(vertx);

    await().atMost(Duration.ofSeconds(60)).until(() -> emulator.tradesSent() >= 10_000);
    long before = StatusOf.sink(web, main).getLong("acked");
    assertThat(before).as("trades delivered before the outage").isPositive();
    LocalBroker.kill9();
    long killedAt = System.nanoTime();
    // The writer notices (no acknowledgement for outage_after_ms) and buffers on disk while the stream goes on.
    await().atMost(Duration.ofSeconds(25)).until(() -> "OUTAGE".equals(StatusOf.sink(web, main).getString("mode")));
    await().atMost(Duration.ofSeconds(25)).until(() -> StatusOf.sink(web, main).getJsonObject("disk_buffer").getLong("records") > 0);
    long remaining = Duration.ofSeconds(30).toNanos() - (System.nanoTime() - killedAt);
    if (remaining > 0) {
      Thread.sleep(remaining / 1_000_000);
    }
    assertThat(emulator.tradesSent()).as("the stream is still going when the broker returns").isLessThan(TRADES);
    LocalBroker.start();

    await().atMost(Duration.ofMinutes(3)).until(() -> emulator.tradesSent() == TRADES);
    await().atMost(Duration.ofMinutes(3)).until(() -> StatusOf.sink(web, main).getLong("acked") == TRADES);
    List<ConsumerRecord<String, String>> records = KafkaTestSupport.readAll(topic, TRADES, Duration.ofMinutes(2), Duration.ofSeconds(5));
    TradeChecks.assertExactly(records, emulator.sentTrades());

    JsonObject sink = StatusOf.sink(web, main);
    assertThat(sink.getLong("outages")).isGreaterThanOrEqualTo(1);
    assertThat(sink.getJsonObject("disk_buffer").getLong("spilled")).as("trades that went through the disk buffer").isPositive();
    assertThat(sink.getJsonObject("disk_buffer").getLong("records")).as("disk buffer left").isZero();
    assertThat(sink.getJsonObject("disk_buffer").getLong("dropped")).isZero();
    assertThat(sink.getLong("failed")).isZero();
    assertThat(sink.getString("mode")).isEqualTo("DIRECT");
  }
}
