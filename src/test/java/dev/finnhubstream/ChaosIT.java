package dev.finnhubstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.emulator.EmulatedTrade;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.emulator.MalformedKind;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.ServiceEnv;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection layer under chaos, end to end into the real broker: 200,000 trades, an abrupt disconnect
 * (TCP close, no close frame) every 20,000 trades, 1 % malformed frames of every kind. Every valid trade must
 * be in Kafka exactly once, every bad frame counted, and each reconnect delay within the configured bounds.
 */
class ChaosIT {

  private static final Logger LOGGER = LoggerFactory.getLogger(ChaosIT.class);
  private static final int TRADES = 200_000;
  private static final int DISCONNECT_EVERY = 20_000;
  private static final long INITIAL_MS = 100;
  private static final long MAX_MS = 1_000;
  private static final String TOKEN = "chaos-" + System.nanoTime();

  private Vertx vertx;

  @BeforeEach
  void setUp() {
    KafkaTestSupport.requireBroker();
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  @DisplayName("200k trades, a disconnect every 20k, 1% malformed frames: every valid trade in Kafka once, all bad frames counted")
  void everyValidTradeOnceUnderChaos() throws Exception {
    FinnhubEmulator emulator = new FinnhubEmulator(EmulatorOptions.defaults()
      .withAcceptedTokens(Set.of(TOKEN))
      .withTradesPerSecond(40_000)
      .withTotalTrades(TRADES)
      .withDisconnectEveryTrades(DISCONNECT_EVERY)
      .withMalformedFrameRatio(0.01)
      .withPingIntervalMs(1_000)
      .withRecordTrades(true));
    vertx.deployVerticle(emulator).await();

    String topic = KafkaTestSupport.uniqueTopic("it_chaos");
    JsonObject file = new JsonObject(Files.readString(Path.of("conf/app.json")));
    // Fast, bounded reconnects for the test; the stable period is longer than the gap between drops,
    // so the backoff really grows between them.
    file.getJsonObject("environments").getJsonObject("local").getJsonObject("finnhub")
      .put("reconnect_initial_ms", INITIAL_MS).put("reconnect_max_ms", MAX_MS).put("reconnect_stable_ms", 5_000);
    Map<String, String> env = ServiceEnv.forEmulator(emulator, TOKEN, topic);
    env.put("FINNHUB_SYMBOLS", "AAPL,MSFT,TSLA,BINANCE:BTCUSDT,IC MARKETS:1");
    AppConfig cfg = ConfigResolver.resolve(file, "conf/app.json", env);
    MainVerticle main = new MainVerticle(cfg);
    vertx.deployVerticle(main).await();

    await().atMost(Duration.ofSeconds(180)).until(() -> emulator.tradesSent() == TRADES);
    List<ConsumerRecord<String, String>> records = KafkaTestSupport.readAll(topic, TRADES, Duration.ofSeconds(120), Duration.ofSeconds(3));

    // Exactly once: the count, unique ids, and the same trades per symbol in the same order.
    assertThat(records).hasSize(TRADES);
    Set<String> ids = new HashSet<>();
    Map<String, List<List<Object>>> actual = new HashMap<>();
    for (ConsumerRecord<String, String> r : records) {
      JsonObject v = new JsonObject(r.value());
      assertThat(ids.add(v.getString("ingest_id"))).isTrue();
      actual.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(List.of(v.getLong("trade_ts_ms"), v.getDouble("price"),
        v.getDouble("volume"), v.getJsonArray("conditions")));
    }
    Map<String, List<List<Object>>> expected = new HashMap<>();
    for (EmulatedTrade t : emulator.sentTrades()) {
      expected.computeIfAbsent(t.symbol(), k -> new ArrayList<>()).add(List.of(t.t(), t.p(), t.v(),
        new JsonArray(t.c() == null ? List.of() : t.c())));
    }
    assertThat(actual).isEqualTo(expected);

    // Every bad frame counted, by what it is.
    JsonObject status = WebClient.create(vertx).get(main.httpPort(), "127.0.0.1", "/status").send().await().bodyAsJsonObject();
    JsonObject connection = status.getJsonArray("finnhub").getJsonObject(0);
    JsonObject counters = connection.getJsonObject("counters");
    Map<MalformedKind, Long> sent = emulator.malformedFramesSentByKind();
    assertThat(emulator.malformedFramesSent()).isGreaterThanOrEqualTo(100);
    assertThat(counters.getLong("malformed_frames")).isEqualTo(sent.get(MalformedKind.TRUNCATED_JSON) + sent.get(MalformedKind.NAN));
    assertThat(counters.getLong("unknown_frames")).isEqualTo(sent.get(MalformedKind.UNKNOWN_TYPE));
    assertThat(counters.getLong("empty_trade_frames")).isEqualTo(sent.get(MalformedKind.EMPTY_DATA));
    assertThat(counters.getLong("rejected_trades")).isGreaterThanOrEqualTo(sent.get(MalformedKind.WRONG_TYPES) + sent.get(MalformedKind.MISSING_FIELDS));
    assertThat(status.getJsonObject("kafka").getLong("acked")).isEqualTo(TRADES);

    // No crash, one connection at a time, and every reconnect delay within [initial, max] (+ handshake time).
    assertThat(connection.getString("state")).isEqualTo("CONNECTED");
    // The emulator also drops at the last boundary (200,000), so there are as many drops as boundaries.
    assertThat(connection.getLong("reconnects")).isEqualTo(TRADES / DISCONNECT_EVERY);
    assertThat(emulator.maxConcurrentConnectionsPerToken()).isEqualTo(1);
    List<Long> opened = emulator.connectionOpenedAtMs();
    // From the moment the emulator began each drop: the client cannot have seen it earlier, so a gap shorter
    // than the initial backoff would mean it reconnected too soon.
    List<Long> dropped = emulator.connectionDroppedAtMs();
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i + 1 < opened.size() && i < dropped.size(); i++) {
      delays.add(opened.get(i + 1) - dropped.get(i));
    }
    LOGGER.info("chaos: {} trades, {} malformed frames sent {}, counters {}, reconnect delays (ms) {}",
      TRADES, emulator.malformedFramesSent(), sent, counters.encode(), delays);
    assertThat(delays).hasSize(TRADES / DISCONNECT_EVERY).allSatisfy(d -> assertThat(d).isBetween(INITIAL_MS, MAX_MS + 250));
  }
}
