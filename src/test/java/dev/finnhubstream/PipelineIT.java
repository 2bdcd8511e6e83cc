package dev.finnhubstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.emulator.EmulatedTrade;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.emulator.Silence;
import dev.finnhubstream.sink.TradeJson;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The whole service in-process, between the project's Finnhub emulator and the real Kafka broker:
 * every trade the emulator sends arrives exactly once, keyed by symbol, field for field, in per-symbol order.
 */
class PipelineIT {

  private static final int TRADES = 20_000;
  private static final String TOKEN = "it-token-" + System.nanoTime();
  private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "BINANCE:BTCUSDT", "OANDA:EUR_USD", "IC MARKETS:1");

  private Vertx vertx;
  private FinnhubEmulator emulator;

  @BeforeEach
  void setUp() {
    KafkaTestSupport.requireBroker();
    vertx = Vertx.vertx();
    emulator = new FinnhubEmulator(EmulatorOptions.defaults()
      .withAcceptedTokens(Set.of(TOKEN))
      .withTradesPerSecond(20_000)
      .withTotalTrades(TRADES)
      .withMaxTradesPerFrame(8)
      .withPingIntervalMs(500)
      .withRecordTrades(true));
    vertx.deployVerticle(emulator).await();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  @DisplayName("N trades from the emulator become exactly N Kafka records, keyed by symbol, equal field by field")
  void everyTradeOnceFieldByField() throws Exception {
    String topic = KafkaTestSupport.uniqueTopic("it_pipeline");
    JsonObject file = new JsonObject(Files.readString(Path.of("conf/app.json")));
    // Subscribe all symbols at once: the emulator only sends trades for symbols already subscribed.
    file.getJsonObject("environments").getJsonObject("local").getJsonObject("finnhub").put("subscribes_per_second", 1_000);
    Map<String, String> env = ServiceEnv.forEmulator(emulator, TOKEN, topic);
    env.put("FINNHUB_SYMBOLS", String.join(",", SYMBOLS));
    AppConfig cfg = ConfigResolver.resolve(file, "conf/app.json", env);
    // Held back until every symbol is subscribed: a stream of one second could otherwise end before the last
    // subscribe (a loaded machine delays the subscribe timer behind the first frames), and a symbol would be missing.
    emulator.setSilence(Silence.PINGS_ONLY);
    MainVerticle main = new MainVerticle(cfg);
    vertx.deployVerticle(main).await();
    await().atMost(Duration.ofSeconds(30)).until(() -> emulator.subscribedSymbols().containsAll(SYMBOLS));
    emulator.setSilence(Silence.NONE);

    await().atMost(Duration.ofSeconds(60)).until(() -> emulator.tradesSent() == TRADES);
    List<ConsumerRecord<String, String>> records = KafkaTestSupport.readAll(topic, TRADES, Duration.ofSeconds(60), Duration.ofSeconds(3));

    assertThat(records).hasSize(TRADES);
    Map<String, List<List<Object>>> expected = bySymbol(emulator.sentTrades());
    Map<String, List<List<Object>>> actual = new LinkedHashMap<>();
    Set<String> ids = new HashSet<>();
    for (ConsumerRecord<String, String> r : records) {
      JsonObject v = new JsonObject(r.value());
      assertThat(v.fieldNames()).containsExactlyInAnyOrderElementsOf(TradeJson.FIELDS);
      assertThat(r.key()).isEqualTo(v.getString("symbol"));
      assertThat(v.getInteger("schema_version")).isEqualTo(1);
      assertThat(v.getLong("received_at_ms")).isGreaterThanOrEqualTo(v.getLong("trade_ts_ms"));
      assertThat(ids.add(v.getString("ingest_id"))).as("ingest_id unique: %s", v.getString("ingest_id")).isTrue();
      actual.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(List.of(v.getString("symbol"), v.getLong("trade_ts_ms"),
        v.getDouble("price"), v.getDouble("volume"), v.getJsonArray("conditions")));
    }
    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet()).contains("IC MARKETS:1");
    for (String symbol : expected.keySet()) {
      // One key, one partition: per-symbol order must survive the trip.
      assertThat(actual.get(symbol)).as("trades of %s", symbol).containsExactlyElementsOf(expected.get(symbol));
    }

    WebClient web = WebClient.create(vertx);
    JsonObject status = web.get(main.httpPort(), "127.0.0.1", "/status").send().await().bodyAsJsonObject();
    assertThat(status.getJsonArray("finnhub").getJsonObject(0).getJsonObject("counters").getLong("trades")).isEqualTo(TRADES);
    assertThat(status.getJsonObject("kafka").getLong("acked")).isEqualTo(TRADES);
    assertThat(status.getJsonObject("kafka").getLong("failed")).isZero();
    assertThat(status.encode()).doesNotContain(TOKEN);
  }

  private static Map<String, List<List<Object>>> bySymbol(List<EmulatedTrade> trades) {
    Map<String, List<List<Object>>> out = new LinkedHashMap<>();
    for (EmulatedTrade t : trades) {
      JsonArray c = new JsonArray(t.c() == null ? List.of() : t.c());
      out.computeIfAbsent(t.symbol(), k -> new ArrayList<>()).add(List.of(t.symbol(), t.t(), t.p(), t.v(), c));
    }
    return out;
  }
}
