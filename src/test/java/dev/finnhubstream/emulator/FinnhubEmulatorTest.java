package dev.finnhubstream.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FinnhubEmulatorTest extends EmulatorTestBase {


  @Test
  @DisplayName("A handshake without a token is answered with HTTP 401")
  void missingTokenIsRejected() {
    start(EmulatorOptions.defaults());

    assertThatThrownBy(() -> wsClient.connect(connectOptions("/")).await())
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(401));
    assertThatThrownBy(() -> wsClient.connect(connectOptions("/?token=")).await())
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(401));
    assertThat(emulator.openConnections()).isZero();
  }

  @Test
  @DisplayName("A wrong token gets HTTP 401 and an accepted one is URL-decoded before the check")
  void wrongTokenIsRejected() {
    String token = "key with+special/chars=";
    start(EmulatorOptions.defaults().withAcceptedTokens(Set.of(token)));

    assertThatThrownBy(() -> connect("other"))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(401));
    RecordingClient client = connect(token);
    assertThat(client.ws.isClosed()).isFalse();
    await().atMost(WAIT).until(() -> emulator.openConnections() == 1);
  }

  @Test
  @DisplayName("A plain HTTP request gets 400")
  void plainHttpIsRejected() {
    start(EmulatorOptions.defaults());
    HttpClient http = vertx.createHttpClient();

    int status = http.request(HttpMethod.GET, emulator.actualPort(), "127.0.0.1", "/?token=" + TOKEN)
      .compose(request -> request.send())
      .map(response -> response.statusCode())
      .await();

    assertThat(status).isEqualTo(400);
  }

  @Test
  @DisplayName("With several keys, each connection gets trades of its own symbols only, spaces and colons included")
  void tradesOnlyForSubscribedSymbols() {
    start(EmulatorOptions.defaults().withTradesPerSecond(2_000).withMaxTradesPerFrame(5));
    RecordingClient client = connect(TOKEN);
    RecordingClient other = connect(OTHER_TOKEN);
    client.subscribe("AAPL");
    client.subscribe("IC MARKETS:1");
    other.subscribe("MSFT");

    await().atMost(WAIT).until(() -> client.tradeSymbols().containsAll(Set.of("AAPL", "IC MARKETS:1"))
      && other.tradeSymbols().contains("MSFT"));

    assertThat(client.tradeSymbols()).containsExactlyInAnyOrder("AAPL", "IC MARKETS:1");
    assertThat(other.tradeSymbols()).containsExactly("MSFT");
    assertThat(emulator.subscribedSymbols()).containsExactlyInAnyOrder("AAPL", "IC MARKETS:1", "MSFT");
    assertThat(emulator.openConnections()).isEqualTo(2);
    assertThat(emulator.openConnectionsByToken()).isEqualTo(Map.of("token#1", 1, "token#2", 1));
    assertThat(emulator.maxConcurrentConnectionsPerToken()).isEqualTo(1);
    // Finnhub's key order: "data" first, then "type".
    assertThat(client.tradeFrames()).allSatisfy(frame -> {
      assertThat(frame).startsWith("{\"data\":[{").endsWith("}],\"type\":\"trade\"}");
      assertThat(new JsonObject(frame).getJsonArray("data")).hasSizeBetween(1, 5);
    });
  }

  @Test
  @DisplayName("Exactly totalTrades trades arrive, equal to sentTrades() in order")
  void deliversExactlyTheBudget() throws InterruptedException {
    long total = 2_000;
    start(EmulatorOptions.defaults().withTradesPerSecond(0).withTotalTrades(total).withMaxTradesPerFrame(7)
      .withRecordTrades(true));
    RecordingClient client = connect(TOKEN);
    client.subscribe("AAPL");
    client.subscribe("BINANCE:BTCUSDT");
    client.subscribe("IC MARKETS:1");

    await().atMost(WAIT).until(() -> client.trades().size() >= total && emulator.tradesSent() == total);
    Thread.sleep(300);

    List<EmulatedTrade> received = client.trades();
    assertThat(received).hasSize((int) total);
    assertThat(emulator.tradesSent()).isEqualTo(total);
    assertThat(emulator.framesSent()).isEqualTo(client.tradeFrames().size());
    assertThat(emulator.sentTrades()).containsExactlyElementsOf(received);
  }

  @Test
  @DisplayName("Generated trades cover every shape Finnhub sends")
  void coversEveryRealisticShape() {
    long total = 5_000;
    // Paced rather than rate 0: at full speed the budget could be spent before the fourth subscribe arrives.
    start(EmulatorOptions.defaults().withTradesPerSecond(20_000).withTotalTrades(total).withMaxTradesPerFrame(10));
    RecordingClient client = connect(TOKEN);
    for (String symbol : List.of("AAPL", "TSLA", "BINANCE:BTCUSDT", "OANDA:EUR_USD")) {
      client.subscribe(symbol);
    }
    await().atMost(WAIT).until(() -> client.trades().size() >= total);

    boolean cAbsent = false;
    boolean cEmpty = false;
    boolean cCodes = false;
    boolean vZero = false;
    boolean vFractional = false;
    boolean vWholeInteger = false;
    boolean mixedFrame = false;
    boolean sameSymbolSameMs = false;
    Map<String, Long> lastT = new HashMap<>();
    for (String frame : client.tradeFrames()) {
      JsonArray data = new JsonObject(frame).getJsonArray("data");
      Set<String> frameSymbols = new HashSet<>();
      Set<String> symbolAndMs = new HashSet<>();
      for (int i = 0; i < data.size(); i++) {
        JsonObject trade = data.getJsonObject(i);
        String s = trade.getString("s");
        long t = trade.getLong("t");
        double p = trade.getNumber("p").doubleValue();
        Object v = trade.getValue("v");
        Object c = trade.getValue("c");
        assertThat(p).isFinite().isPositive();
        assertThat(t).isGreaterThanOrEqualTo(lastT.getOrDefault(s, 0L));
        lastT.put(s, t);
        if (s.contains(":")) {
          assertThat(c).as("crypto and FX trades carry no conditions").isNull();
        }
        cAbsent |= !trade.containsKey("c");
        cEmpty |= c instanceof JsonArray codes && codes.isEmpty();
        cCodes |= c instanceof JsonArray codes && !codes.isEmpty() && codes.getValue(0) instanceof String;
        vZero |= ((Number) v).doubleValue() == 0;
        vFractional |= v instanceof Double && s.contains(":");
        vWholeInteger |= (v instanceof Integer || v instanceof Long) && ((Number) v).longValue() > 0;
        frameSymbols.add(s);
        sameSymbolSameMs |= !symbolAndMs.add(s + "@" + t);
      }
      mixedFrame |= frameSymbols.size() > 1;
    }
    assertThat(List.of(cAbsent, cEmpty, cCodes, vZero, vFractional, vWholeInteger, mixedFrame, sameSymbolSameMs))
      .containsOnly(true);
  }

  @Test
  @DisplayName("{\"type\":\"ping\"} arrives at the configured interval, with or without subscriptions")
  void pingsAtTheInterval() throws InterruptedException {
    start(EmulatorOptions.defaults().withPingIntervalMs(200));
    RecordingClient client = connect(TOKEN);

    Thread.sleep(1_100);

    List<Long> pingTimes = client.pingTimesMs();
    assertThat(pingTimes).hasSizeBetween(3, 6);
    for (int i = 1; i < pingTimes.size(); i++) {
      assertThat(pingTimes.get(i) - pingTimes.get(i - 1)).isBetween(100L, 500L);
    }
    assertThat(client.frames()).filteredOn(f -> f.contains("ping")).containsOnly("{\"type\":\"ping\"}");
  }

  @Test
  @DisplayName("Beyond the symbol cap the exact Finnhub error arrives and the symbol is not subscribed")
  void symbolCap() {
    start(EmulatorOptions.defaults().withSymbolCap(2).withInvalidSymbols(Set.of("BAD")).withTradesPerSecond(500));
    RecordingClient client = connect(TOKEN);
    client.subscribe("AAPL");
    client.subscribe("MSFT");
    client.subscribe("TSLA");

    await().atMost(WAIT).until(() -> !client.errors().isEmpty());
    assertThat(client.errors()).containsExactly("{\"msg\":\"Subscribing to too many symbols\",\"type\":\"error\"}");
    assertThat(emulator.subscribedSymbols()).containsExactlyInAnyOrder("AAPL", "MSFT");

    // Re-subscribing a held symbol is a silent no-op: the next error must be the one for "BAD".
    client.subscribe("AAPL");
    client.subscribe("BAD");
    await().atMost(WAIT).until(() -> client.errors().size() == 2);
    assertThat(client.errors().get(1)).isEqualTo("{\"msg\":\"Invalid symbol BAD\",\"type\":\"error\"}");

    await().atMost(WAIT).until(() -> client.tradeSymbols().containsAll(Set.of("AAPL", "MSFT")));
    assertThat(client.tradeSymbols()).doesNotContain("TSLA");
  }

  @Test
  @DisplayName("An invalid symbol gets the exact Finnhub error naming it and is not subscribed")
  void invalidSymbol() throws InterruptedException {
    start(EmulatorOptions.defaults().withInvalidSymbols(Set.of("OANDA:EUR_USD")).withTradesPerSecond(500));
    RecordingClient client = connect(TOKEN);
    client.subscribe("OANDA:EUR_USD");

    await().atMost(WAIT).until(() -> !client.errors().isEmpty());
    Thread.sleep(100);

    assertThat(client.errors()).containsExactly("{\"msg\":\"Invalid symbol OANDA:EUR_USD\",\"type\":\"error\"}");
    assertThat(emulator.subscribedSymbols()).isEmpty();
    assertThat(client.tradeFrames()).isEmpty();
  }

  @Test
  @DisplayName("Unsubscribing stops that symbol and keeps the others flowing")
  void unsubscribeStopsTheSymbol() throws InterruptedException {
    start(EmulatorOptions.defaults().withTradesPerSecond(1_000));
    RecordingClient client = connect(TOKEN);
    client.subscribe("AAPL");
    client.subscribe("BINANCE:BTCUSDT");
    await().atMost(WAIT).until(() -> client.tradeSymbols().containsAll(Set.of("AAPL", "BINANCE:BTCUSDT")));

    client.send(new JsonObject().put("type", "unsubscribe").put("symbol", "BINANCE:BTCUSDT"));
    await().atMost(WAIT).until(() -> emulator.subscribedSymbols().equals(Set.of("AAPL")));
    Thread.sleep(100); // frames written before the unsubscribe may still be in flight
    client.clearFrames();
    Thread.sleep(500);

    assertThat(client.tradeFrames()).isNotEmpty();
    assertThat(client.tradeSymbols()).containsExactly("AAPL");
  }

  @Test
  @DisplayName("Malformed and unknown client frames are ignored without closing the connection")
  void ignoresMalformedFrames() {
    start(EmulatorOptions.defaults().withTradesPerSecond(500));
    RecordingClient client = connect(TOKEN);
    client.ws.writeTextMessage("not json");
    client.ws.writeTextMessage("[1,2]");
    client.ws.writeTextMessage("{\"type\":\"subscribe\"}");
    client.ws.writeTextMessage("{\"type\":\"subscribe\",\"symbol\":42}");
    client.send(new JsonObject().put("type", "subscribe-news").put("symbol", "AAPL"));
    client.subscribe("AAPL");

    await().atMost(WAIT).until(() -> client.tradeSymbols().contains("AAPL"));
    assertThat(client.errors()).isEmpty();
    assertThat(emulator.subscribedSymbols()).containsExactly("AAPL");
  }

  @Test
  @DisplayName("The budget spans reconnects and ends with pings only")
  void budgetSpansReconnects() throws InterruptedException {
    long total = 3_000;
    start(EmulatorOptions.defaults().withTradesPerSecond(5_000).withTotalTrades(total).withRecordTrades(true)
      .withPingIntervalMs(100));
    RecordingClient first = connect(TOKEN);
    first.subscribe("AAPL");
    await().atMost(WAIT).until(() -> !first.trades().isEmpty());
    first.ws.close().await();
    await().atMost(WAIT).until(() -> emulator.openConnections() == 0);
    long sentBefore = emulator.tradesSent();
    assertThat(sentBefore).isLessThan(total);

    RecordingClient second = connect(TOKEN);
    second.subscribe("AAPL");
    await().atMost(WAIT).until(() -> emulator.tradesSent() == total && second.trades().size() == total - sentBefore);
    int pingsAtEnd = second.pingTimesMs().size();
    Thread.sleep(400);

    assertThat(second.trades()).hasSize((int) (total - sentBefore));
    assertThat(second.pingTimesMs().size()).isGreaterThan(pingsAtEnd);
    assertThat(emulator.sentTrades()).hasSize((int) total).endsWith(second.trades().toArray(EmulatedTrade[]::new));
  }

  @Test
  @DisplayName("Undeploying closes open connections and the listening socket")
  void stopClosesEverything() {
    start(EmulatorOptions.defaults().withTradesPerSecond(1_000).withPingIntervalMs(50));
    RecordingClient client = connect(TOKEN);
    client.subscribe("AAPL");
    await().atMost(WAIT).until(() -> !client.trades().isEmpty());
    AtomicBoolean closed = new AtomicBoolean();
    client.ws.closeHandler(v -> closed.set(true));

    vertx.undeploy(emulator.deploymentID()).await();

    await().atMost(WAIT).untilTrue(closed);
    assertThatThrownBy(() -> connect(TOKEN)).isNotInstanceOf(UpgradeRejectedException.class);
  }

  @Test
  @DisplayName("The command line takes repeatable tokens and invalid symbols")
  void parsesTheCommandLine() {
    EmulatorOptions options = FinnhubEmulator.parseArgs(new String[] {
      "--host", "0.0.0.0", "--port=0", "--token", "tok-alpha", "--token", "tok-beta", "--rate", "0", "--total", "10",
      "--cap", "3", "--ping-ms", "500", "--max-per-frame", "4", "--seed", "7", "--invalid", "IC MARKETS:2",
      "--disconnect-every", "1000", "--malformed-ratio=0.25", "--one-connection-per-token", "false"});

    assertThat(options).isEqualTo(new EmulatorOptions("0.0.0.0", 0, Set.of("tok-alpha", "tok-beta"), 3, Set.of("IC MARKETS:2"),
      500, 0, 10, 4, 7, false, 1000, 0.25, false));
    assertThat(options.toString()).doesNotContain("tok-");
    assertThat(FinnhubEmulator.parseArgs(new String[] {"--help"})).isNull();
    assertThatThrownBy(() -> FinnhubEmulator.parseArgs(new String[] {"--rate", "fast"}))
      .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FinnhubEmulator.parseArgs(new String[] {"--malformed-ratio", "1.5"}))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformedFrameRatio");
    assertThatThrownBy(() -> FinnhubEmulator.parseArgs(new String[] {"--disconnect-every", "-1"}))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("disconnectEveryTrades");
    assertThatThrownBy(() -> FinnhubEmulator.parseArgs(new String[] {"--one-connection-per-token", "yes"}))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("true or false");
    assertThat(FinnhubEmulator.parseArgs(new String[0]).oneConnectionPerToken()).isTrue();
    // Without --token the emulator takes any non-empty token, as its usage text says; with one, only that one.
    assertThat(FinnhubEmulator.parseArgs(new String[0]).acceptsAnyToken()).isTrue();
    assertThat(options.acceptsAnyToken()).isFalse();
  }

  private WebSocketConnectOptions connectOptions(String uri) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(emulator.actualPort()).setURI(uri);
  }
}
