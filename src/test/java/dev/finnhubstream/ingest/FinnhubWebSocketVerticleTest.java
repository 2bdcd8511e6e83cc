package dev.finnhubstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.Codecs;
import dev.finnhubstream.bus.DeadLetter;
import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.bus.TradeBatch;
import dev.finnhubstream.config.FinnhubConfig;
import dev.finnhubstream.config.Secret;
import dev.finnhubstream.http.StatusJson;
import dev.finnhubstream.emulator.DropMode;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.emulator.Silence;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The Finnhub connection layer against the project's emulator (no Kafka: trades are read off the bus). */
class FinnhubWebSocketVerticleTest {

  private Vertx vertx;
  private final List<Trade> trades = new CopyOnWriteArrayList<>();
  private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
  private final Set<String> deployments = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    Codecs.registerAll(vertx.eventBus());
    vertx.eventBus().<TradeBatch>consumer(Addresses.TRADES, m -> trades.addAll(m.body().trades()));
    vertx.eventBus().<DeadLetter>consumer(Addresses.DEAD_LETTERS, m -> deadLetters.add(m.body()));
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  /** A config with fast timings; each test overrides what it exercises. */
  static final class Settings {
    String url;
    List<String> symbols = List.of("AAPL", "MSFT");
    List<Secret> tokens = List.of(new Secret("tok-1"));
    long initial = 50;
    long max = 400;
    long stable = 60_000;
    long rejectedRetry = 1_000;
    long watchdog = 60_000;
    int subscribesPerSecond = 50;
    int cap = 50;
    long invalidRetry = 60_000;
    long overCapRetry = 60_000;

    FinnhubConfig build() {
      return new FinnhubConfig(url, symbols, tokens, initial, max, stable, rejectedRetry, watchdog, subscribesPerSecond, cap,
        invalidRetry, overCapRetry, 16 * 1024 * 1024, 0);
    }
  }

  private FinnhubEmulator emulator(EmulatorOptions options) {
    FinnhubEmulator emulator = new FinnhubEmulator(options);
    vertx.deployVerticle(emulator).await();
    return emulator;
  }

  private Settings settingsFor(FinnhubEmulator emulator) {
    Settings s = new Settings();
    s.url = "ws://127.0.0.1:" + emulator.actualPort();
    return s;
  }

  private void deploy(FinnhubConfig config) {
    AtomicLong seq = new AtomicLong();
    for (int i = 0; i < config.connectionCount(); i++) {
      deployments.add(vertx.deployVerticle(new FinnhubWebSocketVerticle(config, i, "run", seq)).await());
    }
  }

  private JsonObject snapshot(int keyIndex) {
    return StatusJson.connection(vertx.eventBus().<ConnectionSnapshot>request(
      Addresses.statusIngest(FinnhubWebSocketVerticle.connectionName(keyIndex)), null).await().body());
  }

  private long counter(int keyIndex, String name) {
    return snapshot(keyIndex).getJsonObject("counters").getLong(name);
  }

  @Test
  @DisplayName("subscribes every symbol of its shard and publishes their trades with unique ids")
  void streams() {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withTradesPerSecond(2_000).withTotalTrades(500).withRecordTrades(true));
    Settings s = settingsFor(emulator);
    s.symbols = List.of("AAPL", "IC MARKETS:1", "BINANCE:BTCUSDT");
    deploy(s.build());
    await().atMost(Duration.ofSeconds(20)).until(() -> trades.size() == 500);
    assertThat(trades).extracting(Trade::ingestId).doesNotHaveDuplicates();
    assertThat(trades).extracting(Trade::symbol).containsOnly("AAPL", "IC MARKETS:1", "BINANCE:BTCUSDT");
    JsonObject snap = snapshot(0);
    assertThat(snap.getString("state")).isEqualTo("CONNECTED");
    assertThat(snap.getJsonArray("subscribed")).containsExactly("AAPL", "IC MARKETS:1", "BINANCE:BTCUSDT");
    assertThat(snap.getJsonObject("last_trade_at_ms").fieldNames()).containsExactlyInAnyOrder("AAPL", "IC MARKETS:1", "BINANCE:BTCUSDT");
  }

  @Test
  @DisplayName("total silence (no trades, no pings) trips the watchdog, which reconnects and resubscribes")
  void watchdogReconnectsOnSilence() {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withTradesPerSecond(1_000).withTotalTrades(20).withPingIntervalMs(0));
    Settings s = settingsFor(emulator);
    s.watchdog = 600;
    deploy(s.build());
    await().atMost(Duration.ofSeconds(20)).until(() -> counter(0, "watchdog_trips") >= 2);
    JsonObject snap = snapshot(0);
    assertThat(snap.getLong("reconnects")).isGreaterThanOrEqualTo(1);
    assertThat(snap.getString("last_error")).contains("watchdog");
    await().atMost(Duration.ofSeconds(10)).until(() -> snapshot(0).getString("state").equals("CONNECTED")
      && snapshot(0).getJsonArray("subscribed").size() == 2);
    assertThat(emulator.openConnections()).isLessThanOrEqualTo(1);
  }

  @Test
  @DisplayName("pings alone keep the connection up, and the per-symbol last-trade time shows the feed is stale")
  void pingsOnlyIsVisibleButNotFatal() throws InterruptedException {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withTradesPerSecond(1_000).withTotalTrades(20).withPingIntervalMs(100));
    Settings s = settingsFor(emulator);
    s.watchdog = 600;
    deploy(s.build());
    await().atMost(Duration.ofSeconds(10)).until(() -> trades.size() == 20);
    Thread.sleep(2_000);
    JsonObject snap = snapshot(0);
    assertThat(snap.getJsonObject("counters").getLong("watchdog_trips")).isZero();
    assertThat(snap.getLong("reconnects")).isZero();
    assertThat(snap.getJsonObject("counters").getLong("pings")).isGreaterThanOrEqualTo(10);
    long newestTrade = snap.getJsonObject("last_trade_at_ms").stream().mapToLong(e -> (Long) e.getValue()).max().orElseThrow();
    assertThat(snap.getLong("last_frame_at_ms") - newestTrade).as("pings arrive, trades do not").isGreaterThan(1_000);
  }

  @Test
  @DisplayName("'Subscribing to too many symbols' teaches the cap once: the rest stay over cap, reported, not re-sent")
  void learnsTheCap() throws InterruptedException {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withSymbolCap(3).withTradesPerSecond(200));
    Settings s = settingsFor(emulator);
    s.symbols = List.of("S1", "S2", "S3", "S4", "S5", "S6");
    deploy(s.build());
    await().atMost(Duration.ofSeconds(10)).until(() -> snapshot(0).getJsonObject("over_cap").size() == 3);
    Thread.sleep(1_500); // a loop would show up as more errors and frames
    JsonObject snap = snapshot(0);
    assertThat(snap.getJsonArray("subscribed")).containsExactly("S1", "S2", "S3");
    assertThat(snap.getJsonObject("over_cap").fieldNames()).containsExactlyInAnyOrder("S4", "S5", "S6");
    assertThat(snap.getInteger("effective_cap")).isEqualTo(3);
    assertThat(snap.getJsonObject("counters").getLong("cap_errors")).isEqualTo(1);
    assertThat(snap.getJsonObject("counters").getLong("subscribe_frames")).isEqualTo(4);
    assertThat(emulator.subscribedSymbols()).containsExactlyInAnyOrder("S1", "S2", "S3");
  }

  @Test
  @DisplayName("the learned cap survives a reconnect: only that many symbols are subscribed again")
  void capSurvivesReconnect() {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withSymbolCap(2).withTradesPerSecond(1_000).withTotalTrades(30).withPingIntervalMs(0));
    Settings s = settingsFor(emulator);
    s.symbols = List.of("S1", "S2", "S3", "S4");
    s.watchdog = 700;
    deploy(s.build());
    await().atMost(Duration.ofSeconds(20)).until(() -> counter(0, "watchdog_trips") >= 1
      && snapshot(0).getString("state").equals("CONNECTED") && snapshot(0).getJsonArray("subscribed").size() == 2);
    assertThat(counter(0, "cap_errors")).isEqualTo(1);
  }

  @Test
  @DisplayName("'Invalid symbol X' parks X on a long, growing delay while the others stream")
  void invalidSymbolIsRetriedLater() throws InterruptedException {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withInvalidSymbols(Set.of("BAD:X")).withTradesPerSecond(200));
    Settings s = settingsFor(emulator);
    s.symbols = List.of("AAPL", "BAD:X");
    s.invalidRetry = 400;
    deploy(s.build());
    await().atMost(Duration.ofSeconds(10)).until(() -> snapshot(0).getJsonObject("refused").containsKey("BAD:X"));
    long refusedAt = System.nanoTime();
    // Delays 400, 800, 1600, 3200 ms (±20 %) after the first refusal: the third error comes after at least 960 ms,
    // the fifth not before 4.8 s; a retry per subscribe tick (100 ms) would make dozens. Waiting for the retries rather
    // than sleeping a fixed time keeps a loaded machine from failing the test: load only makes the delays longer.
    await().atMost(Duration.ofSeconds(20)).until(() -> invalidSymbolErrors() >= 3);
    assertThat(Duration.ofNanos(System.nanoTime() - refusedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(960));
    Thread.sleep(Math.max(0, 3_000 - Duration.ofNanos(System.nanoTime() - refusedAt).toMillis()));
    assertThat(invalidSymbolErrors()).as("errors in the first 3 s").isLessThanOrEqualTo(4);
    assertThat(snapshot(0).getJsonArray("subscribed")).contains("AAPL");
    assertThat(trades).extracting(Trade::symbol).contains("AAPL").doesNotContain("BAD:X");
  }

  private long invalidSymbolErrors() {
    return snapshot(0).getJsonObject("counters").getLong("invalid_symbol_errors");
  }

  @Test
  @DisplayName("HTTP 401 says the key was rejected, never shows it, and retries on the long delay only")
  void rejectedKey() throws InterruptedException {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withAcceptedTokens(Set.of("the-good-key")));
    Settings s = settingsFor(emulator);
    String secret = "bad-secret-" + System.nanoTime();
    s.tokens = List.of(new Secret(secret));
    s.rejectedRetry = 1_000;
    ListAppender<ILoggingEvent> logs = captureLogs();
    long deployedAt = System.nanoTime();
    deploy(s.build());
    // 1 s ± 20 % between attempts: three attempts take at least 1.6 s, where the 50 ms backoff would take 0.1 s.
    // Waiting for the attempts rather than sleeping a fixed time: load only makes the delays longer.
    await().atMost(Duration.ofSeconds(20)).until(() -> snapshot(0).getJsonObject("counters").getLong("failed_connects") >= 3);
    assertThat(Duration.ofNanos(System.nanoTime() - deployedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(1_600));
    JsonObject snap = snapshot(0);
    assertThat(snap.getString("state")).isEqualTo("KEY_REJECTED");
    assertThat(snap.getString("last_error")).contains("401").contains("FINNHUB_TOKEN");
    assertThat(snap.getJsonObject("counters").getLong("failed_connects")).isBetween(3L, 5L);
    assertThat(snap.encode()).doesNotContain(secret);
    assertThat(logs.list).isNotEmpty().noneMatch(e -> e.getFormattedMessage().contains(secret));
  }

  @Test
  @DisplayName("a refused connection (nothing listening) is retried with growing delays, token never logged")
  void connectionRefused() throws Exception {
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Settings s = new Settings();
    s.url = "ws://127.0.0.1:" + port;
    String secret = "refused-secret-" + System.nanoTime();
    s.tokens = List.of(new Secret(secret));
    ListAppender<ILoggingEvent> logs = captureLogs();
    deploy(s.build());
    await().atMost(Duration.ofSeconds(10)).until(() -> counter(0, "failed_connects") >= 5);
    JsonObject snap = snapshot(0);
    assertThat(snap.getString("state")).isIn("BACKOFF", "CONNECTING");
    assertThat(snap.getJsonObject("counters").getLong("last_reconnect_delay_ms")).isBetween(50L, 400L);
    assertThat(logs.list).noneMatch(e -> e.getFormattedMessage().contains(secret));
  }

  @Test
  @DisplayName("several keys: one connection each, symbols sharded round-robin, never two connections with one key")
  void severalKeys() {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withAcceptedTokens(Set.of("k1", "k2")).withTradesPerSecond(2_000)
      .withTotalTrades(1_000));
    Settings s = settingsFor(emulator);
    s.tokens = List.of(new Secret("k1"), new Secret("k2"));
    s.symbols = List.of("A", "B", "C", "D", "E");
    deploy(s.build());
    await().atMost(Duration.ofSeconds(20)).until(() -> trades.size() == 1_000);
    assertThat(snapshot(0).getJsonArray("subscribed")).containsExactly("A", "C", "E");
    assertThat(snapshot(1).getJsonArray("subscribed")).containsExactly("B", "D");
    assertThat(emulator.openConnections()).isEqualTo(2);
    assertThat(emulator.maxConcurrentConnectionsPerToken()).isEqualTo(1);
    assertThat(trades).extracting(Trade::symbol).contains("A", "B", "C", "D", "E");
    assertThat(trades).extracting(Trade::ingestId).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("a retired key (- in FINNHUB_TOKEN) never connects and says RETIRED; the keys after it keep their place and take its symbols")
  void retiredKey() {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withAcceptedTokens(Set.of("k1", "k3")).withTradesPerSecond(2_000)
      .withTotalTrades(1_000));
    Settings s = settingsFor(emulator);
    s.tokens = List.of(new Secret("k1"), FinnhubConfig.RETIRED, new Secret("k3"));
    s.symbols = List.of("A", "B", "C", "D");
    deploy(s.build());
    await().atMost(Duration.ofSeconds(20)).until(() -> trades.size() == 1_000);
    assertThat(snapshot(0).getJsonArray("subscribed")).containsExactly("A", "C");
    assertThat(snapshot(1).getString("state")).isEqualTo("RETIRED");
    assertThat(snapshot(1).getJsonArray("subscribed")).isEmpty();
    assertThat(snapshot(2).getJsonArray("subscribed")).containsExactly("B", "D");
    assertThat(emulator.openConnections()).isEqualTo(2);
    assertThat(emulator.handshakesRejected()).as("no attempt with the retired key's empty token").isZero();
    assertThat(trades).extracting(Trade::symbol).contains("A", "B", "C", "D");
  }

  @Test
  @DisplayName("backpressure pauses reading (no watchdog trip while paused) and resuming delivers what waited")
  void backpressure() throws InterruptedException {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withTradesPerSecond(2_000).withTotalTrades(3_000));
    Settings s = settingsFor(emulator);
    s.watchdog = 500;
    deploy(s.build());
    await().atMost(Duration.ofSeconds(10)).until(() -> trades.size() > 100);
    vertx.eventBus().publish(Addresses.BACKPRESSURE, new dev.finnhubstream.bus.Backpressure(true, "test"));
    await().atMost(Duration.ofSeconds(10)).until(() -> snapshot(0).getBoolean("paused"));
    Thread.sleep(300); // what was already read when the pause landed reaches the test's consumer
    int whilePaused = trades.size();
    Thread.sleep(1_200);
    assertThat(trades.size()).as("nothing read while paused (one in-flight frame at most)").isLessThanOrEqualTo(whilePaused + 64);
    assertThat(counter(0, "watchdog_trips")).isZero();
    vertx.eventBus().publish(Addresses.BACKPRESSURE, new dev.finnhubstream.bus.Backpressure(false, "test"));
    await().atMost(Duration.ofSeconds(20)).until(() -> trades.size() == 3_000);
    assertThat(snapshot(0).getLong("reconnects")).isZero();
  }

  @Test
  @DisplayName("malformed frames and invalid trades become dead letters; valid neighbours still flow")
  void deadLettersFromBadInput() {
    // The emulator speaks valid frames only; feed bad ones through a tiny server of our own.
    io.vertx.core.http.HttpServer server = vertx.createHttpServer().webSocketHandler(ws -> ws.textMessageHandler(msg -> {
      if (msg.contains("subscribe")) {
        ws.writeTextMessage("{\"data\":[{\"p\":1,\"s\":\"AAPL\",\"t\":5,\"v\":1},{\"p\":-2,\"s\":\"AAPL\",\"t\":5,\"v\":1}],\"type\":\"trade\"}");
        ws.writeTextMessage("{\"data\":[{\"p\":1,\"s\":\"AAPL\"");
        ws.writeTextMessage("{\"type\":\"news\",\"data\":[]}");
      }
    })).listen(0, "127.0.0.1").await();
    Settings s = new Settings();
    s.url = "ws://127.0.0.1:" + server.actualPort();
    s.symbols = List.of("AAPL");
    deploy(s.build());
    await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.size() == 2);
    assertThat(trades).hasSize(1);
    assertThat(deadLetters).extracting(DeadLetter::reason).containsExactlyInAnyOrder("invalid_trade:invalid_value:p", "malformed:invalid_json");
    assertThat(deadLetters).extracting(DeadLetter::payload)
      .contains("{\"p\":-2,\"s\":\"AAPL\",\"t\":5,\"v\":1}", "{\"data\":[{\"p\":1,\"s\":\"AAPL\"");
    assertThat(counter(0, "unknown_frames")).isEqualTo(1);
  }

  @Test
  @DisplayName("429, 500 and a 200 instead of 101 are failed connects with backoff; once accepted, streaming resumes")
  void handshakeRejections() {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withTradesPerSecond(500));
    Settings s = settingsFor(emulator);
    s.initial = 100;
    s.max = 300;
    for (int status : new int[] {429, 500, 200}) {
      emulator.setHandshakeRejection(status);
      long before = emulator.handshakesRejected();
      if (status == 429) {
        deploy(s.build());
      } else {
        emulator.dropConnections(DropMode.ABRUPT).await();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> emulator.handshakesRejected() >= before + 3);
      assertThat(snapshot(0).getString("last_error")).contains("HTTP " + status);
      assertThat(snapshot(0).getJsonObject("counters").getLong("last_reconnect_delay_ms")).isBetween(100L, 300L);
      emulator.setHandshakeRejection(0);
      await().atMost(Duration.ofSeconds(10)).until(() -> snapshot(0).getString("state").equals("CONNECTED"));
    }
    int seen = trades.size();
    await().atMost(Duration.ofSeconds(10)).until(() -> trades.size() > seen + 50);
  }

  @Test
  @DisplayName("close frames, abrupt closes and TCP resets all lead to a reconnect and a full resubscribe, one connection at a time")
  void dropsOfEveryKind() {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withTradesPerSecond(1_000).withAcceptedTokens(Set.of("tok-1")));
    Settings s = settingsFor(emulator);
    s.symbols = List.of("A", "B", "C");
    deploy(s.build());
    long reconnects = 0;
    for (DropMode mode : DropMode.values()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> emulator.subscribedSymbols().size() == 3);
      emulator.dropConnections(mode).await();
      long expected = ++reconnects;
      await("reconnect after " + mode).atMost(Duration.ofSeconds(10)).until(() -> snapshot(0).getLong("reconnects") == expected
        && snapshot(0).getJsonArray("subscribed").size() == 3);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> emulator.subscribedSymbols().size() == 3);
    assertThat(emulator.maxConcurrentConnectionsPerToken()).isEqualTo(1);
  }

  @Test
  @DisplayName("a refused symbol that becomes valid again is subscribed on a later retry and streams")
  void refusedSymbolRecovers() {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withInvalidSymbols(Set.of("OANDA:EUR_USD")).withTradesPerSecond(500));
    Settings s = settingsFor(emulator);
    s.symbols = List.of("AAPL", "OANDA:EUR_USD");
    s.invalidRetry = 300;
    deploy(s.build());
    await().atMost(Duration.ofSeconds(10)).until(() -> snapshot(0).getJsonObject("refused").containsKey("OANDA:EUR_USD"));
    emulator.setInvalidSymbols(Set.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> trades.stream().anyMatch(t -> t.symbol().equals("OANDA:EUR_USD")));
    assertThat(snapshot(0).getJsonArray("subscribed")).containsExactly("AAPL", "OANDA:EUR_USD");
  }

  @Test
  @DisplayName("a frame of several MB is parsed whole: every trade in it arrives")
  void hugeFrame() {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withTradesPerSecond(100).withRecordTrades(true));
    Settings s = settingsFor(emulator);
    deploy(s.build());
    await().atMost(Duration.ofSeconds(10)).until(() -> emulator.subscribedSymbols().size() == 2);
    emulator.setSilence(Silence.PINGS_ONLY);
    await().atMost(Duration.ofSeconds(10)).until(() -> trades.size() == emulator.tradesSent());
    emulator.sendHugeFrame(6 * 1024 * 1024).await();
    await().atMost(Duration.ofSeconds(20)).until(() -> trades.size() == emulator.tradesSent());
    assertThat(emulator.tradesSent()).isGreaterThan(50_000);
    assertThat(snapshot(0).getJsonObject("counters").getLong("malformed_frames")).isZero();
  }

  private static ListAppender<ILoggingEvent> captureLogs() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(appender);
    return appender;
  }

  @Test
  @DisplayName("runtime subscription changes: add subscribes on the live socket, remove sends an unsubscribe, repeats change nothing")
  void runtimeSymbolChanges() {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withTradesPerSecond(500));
    deploy(settingsFor(emulator).build());
    await().atMost(Duration.ofSeconds(20)).until(() -> emulator.subscribedSymbols().containsAll(List.of("AAPL", "MSFT")));

    SymbolChangeResult added = change(SymbolChange.Action.ADD, "IC MARKETS:1");
    assertThat(added).isEqualTo(new SymbolChangeResult("key-1", "IC MARKETS:1", SymbolChangeResult.Outcome.ADDED, null));
    await().atMost(Duration.ofSeconds(20)).until(() -> emulator.subscribedSymbols().contains("IC MARKETS:1"));
    await().atMost(Duration.ofSeconds(20)).until(() -> trades.stream().anyMatch(t -> t.symbol().equals("IC MARKETS:1")));
    assertThat(change(SymbolChange.Action.ADD, "AAPL").outcome()).isEqualTo(SymbolChangeResult.Outcome.ALREADY_PRESENT);

    SymbolChangeResult removed = change(SymbolChange.Action.REMOVE, "AAPL");
    assertThat(removed.outcome()).isEqualTo(SymbolChangeResult.Outcome.REMOVED);
    assertThat(removed.was()).isEqualTo("SUBSCRIBED");
    await().atMost(Duration.ofSeconds(20)).until(() -> !emulator.subscribedSymbols().contains("AAPL"));
    assertThat(snapshot(0).getJsonArray("subscribed")).containsExactlyInAnyOrder("MSFT", "IC MARKETS:1");
    assertThat(snapshot(0).getJsonObject("last_trade_at_ms").fieldNames()).doesNotContain("AAPL");
    assertThat(change(SymbolChange.Action.REMOVE, "AAPL").outcome()).isEqualTo(SymbolChangeResult.Outcome.NOT_PRESENT);
  }

  @Test
  @DisplayName("a key taken over with symbols its previous owner lent out opens without them: they stay lent, never subscribed")
  void takeoverKeepsLentSymbolsUnsubscribed() {
    FinnhubEmulator emulator = emulator(EmulatorOptions.defaults().withTradesPerSecond(500));
    AtomicBoolean owned = new AtomicBoolean();
    ConnectionPermit slot = new ConnectionPermit() {
      @Override
      public boolean mayOpen() {
        return owned.get();
      }

      @Override
      public boolean mayKeepOpen() {
        return owned.get();
      }

      @Override
      public ConnectionState waitingState() {
        return ConnectionState.STANDBY;
      }
    };
    Settings s = settingsFor(emulator);
    s.symbols = List.of("AAPL", "MSFT", "AMZN");
    deployments.add(vertx.deployVerticle(new FinnhubWebSocketVerticle(s.build(), 0, "run", new AtomicLong(), slot)).await());
    await().atMost(Duration.ofSeconds(10)).until(() -> "STANDBY".equals(snapshot(0).getString("state")));

    owned.set(true);
    vertx.eventBus().request(Addresses.ingestControl("key-1"), SlotCommand.hold("slot assigned", List.of("MSFT"))).await();
    await().atMost(Duration.ofSeconds(20)).until(() -> emulator.subscribedSymbols().containsAll(List.of("AAPL", "AMZN")));
    await().atMost(Duration.ofSeconds(20)).until(() -> trades.stream().filter(t -> t.symbol().equals("AMZN")).count() > 5);
    assertThat(emulator.subscribedSymbols()).doesNotContain("MSFT");
    assertThat(trades).noneMatch(t -> t.symbol().equals("MSFT"));
    assertThat(snapshot(0).getJsonArray("lent")).containsExactly("MSFT");
  }

  private SymbolChangeResult change(SymbolChange.Action action, String symbol) {
    String address = Addresses.ingestSymbols(FinnhubWebSocketVerticle.connectionName(0));
    return vertx.eventBus().<SymbolChangeResult>request(address, new SymbolChange(action, symbol)).await().body();
  }
}
