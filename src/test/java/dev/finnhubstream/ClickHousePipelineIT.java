package dev.finnhubstream;

import static dev.finnhubstream.support.ClickHouseTestSupport.count;
import static dev.finnhubstream.support.ClickHouseTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.emulator.EmulatedTrade;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.support.ClickHouseTestSupport;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.OhlcvReference;
import dev.finnhubstream.support.OhlcvReference.Bar;
import dev.finnhubstream.support.OhlcvReference.Print;
import dev.finnhubstream.support.ServiceEnv;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The whole local pipeline with real components: the Finnhub emulator, the service in-process, the real
 * Kafka broker, and ClickHouse 18.16 reading the topic with its Kafka engine through the local schema.
 */
class ClickHousePipelineIT {

  private static final int TRADES = 6_000;
  /** ClickHouse 18.16 parses some decimals from JSON one unit in the last place off (see OhlcvReference). */
  static final int LEGACY_ULPS = 1;
  private static final String TOKEN = "ch-it-" + System.nanoTime();
  private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "BINANCE:BTCUSDT", "OANDA:EUR_USD", "IC MARKETS:1");
  /** Raw rows in the order Finnhub sent them: by time, then frame sequence and index within the frame. */
  static final String SEND_ORDER = "symbol, trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1])";

  private Vertx vertx;
  private FinnhubEmulator emulator;

  @BeforeEach
  void setUp() {
    KafkaTestSupport.requireBroker();
    ClickHouseTestSupport.requireServer();
    vertx = Vertx.vertx();
    emulator = new FinnhubEmulator(EmulatorOptions.defaults()
      .withAcceptedTokens(Set.of(TOKEN))
      .withTradesPerSecond(1_500)
      .withTotalTrades(TRADES)
      .withMaxTradesPerFrame(8)
      .withRecordTrades(true));
    vertx.deployVerticle(emulator).await();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  @DisplayName("N emulator trades become exactly N ClickHouse rows equal field by field, with bars and latest prices equal to a reference")
  void emulatorTradesLandInClickHouse() throws Exception {
    String topic = KafkaTestSupport.uniqueTopic("it_ch");
    String db = ClickHouseTestSupport.uniqueDatabase("it_ch");
    // Schema first, as ci/run-local.sh does: the consumer group then starts at the topic's beginning.
    ClickHouseTestSupport.createLocalSchema(db, topic);
    vertx.deployVerticle(new MainVerticle(config(topic))).await();

    await().atMost(Duration.ofSeconds(90)).until(() -> emulator.tradesSent() == TRADES);
    ClickHouseTestSupport.awaitCount("SELECT count() FROM " + db + ".trades FINAL", TRADES);
    Thread.sleep(3_000); // anything beyond N would show up by now

    assertThat(count("SELECT count() FROM " + db + ".trades FINAL")).isEqualTo(TRADES);
    assertThat(count("SELECT uniqExact(ingest_id) FROM " + db + ".trades")).isEqualTo(TRADES);
    List<JsonObject> rows = rows("SELECT * FROM " + db + ".trades FINAL ORDER BY " + SEND_ORDER);
    Map<String, List<JsonObject>> actual = new LinkedHashMap<>();
    for (JsonObject r : rows) {
      assertThat(r.getInteger("schema_version")).isEqualTo(1);
      assertThat(r.getLong("received_at_ms")).isGreaterThanOrEqualTo(r.getLong("trade_ts_ms"));
      assertThat(r.getString("ingest_id")).matches("[0-9a-z]+-\\d+-\\d+");
      actual.computeIfAbsent(r.getString("symbol"), k -> new ArrayList<>()).add(r);
    }
    Map<String, List<EmulatedTrade>> expected = new LinkedHashMap<>();
    for (EmulatedTrade t : emulator.sentTrades()) {
      expected.computeIfAbsent(t.symbol(), k -> new ArrayList<>()).add(t);
    }
    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet()).contains("IC MARKETS:1");
    for (String symbol : expected.keySet()) {
      List<JsonObject> got = actual.get(symbol);
      List<EmulatedTrade> sent = expected.get(symbol);
      assertThat(got).as("rows of %s", symbol).hasSameSizeAs(sent);
      for (int i = 0; i < sent.size(); i++) {
        EmulatedTrade t = sent.get(i);
        JsonObject r = got.get(i);
        String where = symbol + " trade #" + i + " " + t + " vs row " + r.encode();
        assertThat(List.of(r.getString("symbol"), r.getLong("trade_ts_ms"), r.getJsonArray("conditions")))
          .as(where).isEqualTo(List.of(t.symbol(), t.t(), new JsonArray(t.c() == null ? List.of() : t.c())));
        assertThat(OhlcvReference.closeInUlps(r.getDouble("price"), t.p(), LEGACY_ULPS)).as("price of %s", where).isTrue();
        assertThat(OhlcvReference.closeInUlps(r.getDouble("volume"), t.v(), LEGACY_ULPS)).as("volume of %s", where).isTrue();
      }
    }

    List<Print> sent = emulator.sentTrades().stream().map(t -> new Print(t.symbol(), t.t(), t.p(), t.v())).toList();
    OhlcvReference.assertSameBars(bars(db), OhlcvReference.bars(sent), "ClickHouse 18.16 ohlcv_1m", LEGACY_ULPS);
    Map<String, Print> latest = OhlcvReference.latest(sent);
    List<JsonObject> latestRows = rows("SELECT symbol, price, trade_ts_ms FROM " + db + ".latest_price ORDER BY symbol");
    assertThat(latestRows).extracting(r -> r.getString("symbol")).containsExactlyInAnyOrderElementsOf(latest.keySet());
    for (JsonObject r : latestRows) {
      Print last = latest.get(r.getString("symbol"));
      assertThat(r.getLong("trade_ts_ms")).as("latest trade time of %s", last.symbol()).isEqualTo(last.tsMs());
      assertThat(OhlcvReference.closeInUlps(r.getDouble("price"), last.price(), LEGACY_ULPS))
        .as("latest price of %s: %s, expected %s", last.symbol(), r.getDouble("price"), last.price()).isTrue();
    }

    ClickHouseTestSupport.dropDatabase(db);
  }

  /** The bars view, minutes as epoch seconds, ordered by symbol and minute. */
  static List<Bar> bars(String db) {
    return rows("SELECT symbol, toUnixTimestamp(minute) AS minute, open, high, low, close, volume, trades FROM " + db
      + ".ohlcv_1m_bars ORDER BY symbol, minute").stream().map(Bar::of).toList();
  }

  private AppConfig config(String topic) throws Exception {
    Map<String, String> env = ServiceEnv.forEmulator(emulator, TOKEN, topic);
    env.put("FINNHUB_SYMBOLS", String.join(",", SYMBOLS));
    return ConfigResolver.resolve(Files.readString(Path.of("conf/app.json")), "conf/app.json", env);
  }
}
