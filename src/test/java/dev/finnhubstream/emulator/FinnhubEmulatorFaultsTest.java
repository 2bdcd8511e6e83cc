package dev.finnhubstream.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The emulator's fault switches, each seen from a real WebSocket client. */
class FinnhubEmulatorFaultsTest extends EmulatorTestBase {

  /** Long enough for a frame already written to arrive on loopback, short enough to keep the suite fast. */
  private static final long SETTLE_MS = 300;
  private static final int HUGE_FRAME_BYTES = 4_000_000;

  @Test
  @DisplayName("CLOSE_FRAME: the client gets close status 1001, no error, and every trade counted as sent")
  void dropWithCloseFrame() {
    start(EmulatorOptions.defaults().withTradesPerSecond(2_000));
    RecordingClient client = connect(TOKEN);
    client.subscribe("AAPL");
    await().atMost(WAIT).until(() -> client.trades().size() >= 50);

    emulator.dropConnections(DropMode.CLOSE_FRAME).await();

    await().atMost(WAIT).until(client::isClosed);
    assertThat(client.closeStatus()).isEqualTo(FinnhubEmulator.CLOSE_GOING_AWAY);
    assertThat(client.socketErrors()).isEmpty();
    assertThat(emulator.openConnections()).isZero();
    await().atMost(WAIT).until(() -> client.trades().size() == emulator.tradesSent());
    assertOneConnectionTimed();
  }

  @Test
  @DisplayName("ABRUPT mid-stream at full speed: no close frame (1006), no reset, and exactly the trades counted "
    + "as sent arrive")
  void dropAbruptly() throws InterruptedException {
    start(EmulatorOptions.defaults().withTradesPerSecond(0).withMaxTradesPerFrame(10));
    RecordingClient client = connect(TOKEN);
    client.subscribe("AAPL");
    client.subscribe("BINANCE:BTCUSDT");
    await().atMost(WAIT).until(() -> emulator.tradesSent() >= 20_000);

    emulator.dropConnections(DropMode.ABRUPT).await();

    await().atMost(WAIT).until(client::isClosed);
    assertThat(client.closeStatus()).as("1006: the connection ended without a close frame").isEqualTo((short) 1006);
    assertEndedWithoutReset(client);
    // Writes cut by the close were never counted; every counted one reached the client before the FIN.
    Thread.sleep(SETTLE_MS);
    assertThat(client.trades()).hasSize((int) emulator.tradesSent());
    assertOneConnectionTimed();
  }

  @Test
  @DisplayName("RESET: the client sees a connection-reset error, not a clean close")
  void dropWithReset() {
    start(EmulatorOptions.defaults().withTradesPerSecond(2_000));
    RecordingClient client = connect(TOKEN);
    client.subscribe("AAPL");
    await().atMost(WAIT).until(() -> !client.trades().isEmpty());

    emulator.dropConnections(DropMode.RESET).await();

    await().atMost(WAIT).until(client::isClosed);
    assertThat(client.closeStatus()).isEqualTo((short) 1006);
    assertThat(client.socketErrors()).anySatisfy(error ->
      assertThat(error).isInstanceOf(IOException.class).hasMessageContaining("reset"));
    assertOneConnectionTimed();
  }

  @Test
  @DisplayName("PINGS_ONLY: trade frames stop while pings go on over an open socket; NONE resumes the trades")
  void silencePingsOnly() throws InterruptedException {
    start(EmulatorOptions.defaults().withTradesPerSecond(2_000).withPingIntervalMs(100));
    RecordingClient client = connect(TOKEN);
    client.subscribe("AAPL");
    await().atMost(WAIT).until(() -> !client.trades().isEmpty());

    emulator.setSilence(Silence.PINGS_ONLY);
    Thread.sleep(SETTLE_MS);
    client.clearFrames();
    Thread.sleep(700);

    assertThat(client.frames()).hasSizeGreaterThanOrEqualTo(3).containsOnly(RecordingClient.PING);
    assertThat(client.isClosed()).isFalse();
    long sentWhileSilent = emulator.tradesSent();

    emulator.setSilence(Silence.NONE);
    await().atMost(WAIT).until(() -> !client.trades().isEmpty());
    assertThat(emulator.tradesSent()).isGreaterThan(sentWhileSilent);
  }

  @Test
  @DisplayName("TOTAL: no trade, ping, error reply or pong, the socket stays open; NONE brings everything back")
  void silenceTotal() throws InterruptedException {
    start(EmulatorOptions.defaults().withTradesPerSecond(2_000).withPingIntervalMs(100)
      .withInvalidSymbols(Set.of("BAD")));
    RecordingClient client = connect(TOKEN);
    client.subscribe("AAPL");
    await().atMost(WAIT).until(() -> !client.trades().isEmpty() && !client.pingTimesMs().isEmpty());
    client.ws.writePing(Buffer.buffer("before"));
    await().atMost(WAIT).until(() -> client.pongs() == 1);

    emulator.setSilence(Silence.TOTAL);
    Thread.sleep(SETTLE_MS);
    client.clearFrames();
    client.ws.writePing(Buffer.buffer("during"));
    client.subscribe("BAD");
    client.subscribe("MSFT");
    Thread.sleep(700);

    assertThat(client.frames()).isEmpty();
    assertThat(client.pongs()).isEqualTo(1);
    assertThat(client.isClosed()).isFalse();
    assertThat(emulator.openConnections()).isEqualTo(1);
    assertThat(emulator.subscribedSymbols()).as("client frames are still processed")
      .containsExactlyInAnyOrder("AAPL", "MSFT");

    emulator.setSilence(Silence.NONE);
    client.ws.writePing(Buffer.buffer("after"));
    await().atMost(WAIT).until(() -> client.pongs() == 2 && !client.pingTimesMs().isEmpty()
      && client.tradeSymbols().containsAll(Set.of("AAPL", "MSFT")));
  }

  @Test
  @DisplayName("a revoked token is answered 401 and its connections closed, the others untouched; accepted again once restored")
  void tokenRevoked() {
    start(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN, OTHER_TOKEN)));
    RecordingClient revoked = connect(TOKEN);
    RecordingClient other = connect(OTHER_TOKEN);
    await().atMost(WAIT).until(() -> emulator.handshakesAccepted() == 2);
    emulator.setTokenRevoked(TOKEN, true).await();
    await().atMost(WAIT).until(revoked::isClosed);
    assertThat(other.isClosed()).isFalse();
    assertThatThrownBy(() -> connect(TOKEN))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(401));
    emulator.setTokenRevoked(TOKEN, false).await();
    assertThat(connect(TOKEN).isClosed()).isFalse();
  }

  @Test
  @DisplayName("the subscription ledger: per symbol the intervals on each connection, and a symbol two connections held at once")
  void subscriptionLedger() {
    start(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN, OTHER_TOKEN)).withTradesPerSecond(100));
    RecordingClient first = connect(TOKEN);
    RecordingClient second = connect(OTHER_TOKEN);
    first.subscribe("AAPL");
    first.subscribe("MSFT");
    await().atMost(WAIT).until(() -> emulator.subscribedSymbols().size() == 2);
    first.send(new io.vertx.core.json.JsonObject().put("type", "unsubscribe").put("symbol", "AAPL"));
    await().atMost(WAIT).until(() -> !emulator.subscribedSymbols().contains("AAPL"));
    second.subscribe("AAPL"); // after the first let go: a clean move
    second.subscribe("MSFT"); // while the first still holds it: twice
    await().atMost(WAIT).until(() -> emulator.subscriptions().intervals("MSFT").size() == 2);
    assertThat(emulator.subscriptions().subscribedTwice()).containsExactly("MSFT");
    List<SubscriptionLedger.Interval> aapl = emulator.subscriptions().intervals("AAPL");
    assertThat(aapl).hasSize(2);
    assertThat(aapl.get(0).open()).isFalse();
    assertThat(aapl.get(0).toMs()).isLessThanOrEqualTo(aapl.get(1).fromMs());
    assertThat(aapl.get(1).connection()).isNotEqualTo(aapl.get(0).connection());
    emulator.dropConnections(DropMode.CLOSE_FRAME).await();
    assertThat(emulator.subscriptions().intervals("MSFT")).noneMatch(SubscriptionLedger.Interval::open);
  }

  @Test
  @DisplayName("Handshake rejection answers 401, 429, 500, 503 and even 200 until switched off, and counts")
  void handshakeRejection() {
    start(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN, OTHER_TOKEN)));
    RecordingClient before = connect(TOKEN);
    await().atMost(WAIT).until(() -> emulator.handshakesAccepted() == 1);

    List<Integer> statuses = List.of(401, 429, 500, 503, 200);
    for (int status : statuses) {
      emulator.setHandshakeRejection(status);
      assertThatThrownBy(() -> connect(OTHER_TOKEN))
        .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(status));
    }
    assertThat(before.isClosed()).as("open connections are left alone").isFalse();
    assertThat(emulator.handshakesRejected()).isEqualTo(statuses.size());
    assertThat(emulator.handshakesAccepted()).isEqualTo(1);

    emulator.setHandshakeRejection(0);
    RecordingClient after = connect(OTHER_TOKEN);
    assertThat(after.isClosed()).isFalse();
    // The client may see the 101 before the emulator's side of the upgrade completes.
    await().atMost(WAIT).until(() -> emulator.handshakesAccepted() == 2);
    assertThatThrownBy(() -> connect("wrong-key"))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(401));
    assertThat(emulator.handshakesRejected()).isEqualTo(statuses.size() + 1);
    assertThatThrownBy(() -> emulator.setHandshakeRejection(101)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("malformedFrameRatio: that share of frames is malformed, every kind in rotation, none carries a "
    + "trade or uses budget, and the counts match what the client got")
  void malformedFrames() throws InterruptedException {
    long total = 3_000;
    double ratio = 0.4;
    start(EmulatorOptions.defaults().withTradesPerSecond(0).withTotalTrades(total).withMaxTradesPerFrame(5)
      .withMalformedFrameRatio(ratio).withRecordTrades(true));
    RecordingClient client = connect(TOKEN);
    client.subscribe("AAPL");
    client.subscribe("IC MARKETS:1");

    await().atMost(WAIT).until(() -> emulator.tradesSent() == total && client.trades().size() == total);
    Thread.sleep(SETTLE_MS);

    List<MalformedKind> received = new ArrayList<>();
    int validFrames = 0;
    for (String frame : client.frames()) {
      MalformedKind kind = MalformedFrames.kindOf(frame);
      if (kind == null) {
        validFrames++;
      } else {
        received.add(kind);
      }
    }
    Map<MalformedKind, Long> receivedByKind = new EnumMap<>(MalformedKind.class);
    for (MalformedKind kind : MalformedKind.values()) {
      receivedByKind.put(kind, received.stream().filter(kind::equals).count());
    }
    assertThat(client.trades()).containsExactlyElementsOf(emulator.sentTrades());
    assertThat(validFrames).isEqualTo(emulator.framesSent());
    assertThat(received).hasSize((int) emulator.malformedFramesSent());
    assertThat(emulator.malformedFramesSentByKind()).isEqualTo(receivedByKind);
    assertThat(receivedByKind.values()).allSatisfy(count -> assertThat(count).isPositive());
    for (int i = 0; i < received.size(); i++) {
      assertThat(received.get(i)).isEqualTo(MalformedKind.values()[i % MalformedKind.values().length]);
    }
    assertThat((double) received.size() / (received.size() + validFrames)).isCloseTo(ratio, within(0.01));
  }

  @Test
  @DisplayName("A second connection with one token makes the emulator close both; the high-water mark shows it")
  void oneConnectionPerToken() throws InterruptedException {
    start(EmulatorOptions.defaults().withTradesPerSecond(500));
    RecordingClient first = connect(TOKEN);
    first.subscribe("AAPL");
    await().atMost(WAIT).until(() -> !first.trades().isEmpty());
    assertThat(emulator.maxConcurrentConnectionsPerToken()).isEqualTo(1);

    RecordingClient second = connect(TOKEN);

    await().atMost(WAIT).until(() -> first.isClosed() && second.isClosed());
    assertThat(first.closeStatus()).isEqualTo(FinnhubEmulator.CLOSE_POLICY_VIOLATION);
    assertThat(second.closeStatus()).isEqualTo(FinnhubEmulator.CLOSE_POLICY_VIOLATION);
    assertThat(emulator.maxConcurrentConnectionsPerToken()).isEqualTo(2);
    assertThat(emulator.openConnections()).isZero();

    RecordingClient alone = connect(TOKEN);
    RecordingClient otherKey = connect(OTHER_TOKEN);
    Thread.sleep(SETTLE_MS);
    assertThat(alone.isClosed()).isFalse();
    assertThat(otherKey.isClosed()).isFalse();
    Map<String, Integer> byToken = emulator.openConnectionsByToken();
    assertThat(byToken).isEqualTo(Map.of("token#1", 1, "token#2", 1));
    assertThat(byToken.keySet().toString()).doesNotContain(TOKEN, OTHER_TOKEN);
  }

  @Test
  @DisplayName("With oneConnectionPerToken off, two connections with one token both stay open")
  void severalConnectionsPerTokenWhenAllowed() throws InterruptedException {
    start(EmulatorOptions.defaults().withOneConnectionPerToken(false));
    RecordingClient first = connect(TOKEN);
    RecordingClient second = connect(TOKEN);
    Thread.sleep(SETTLE_MS);

    assertThat(first.isClosed()).isFalse();
    assertThat(second.isClosed()).isFalse();
    assertThat(emulator.openConnectionsByToken()).isEqualTo(Map.of("token#1", 2));
    assertThat(emulator.maxConcurrentConnectionsPerToken()).isEqualTo(2);
  }

  @Test
  @DisplayName("sendHugeFrame: one single WebSocket frame of about the asked size, whose trades parse, count and "
    + "are recorded")
  void hugeFrame() {
    start(EmulatorOptions.defaults().withTradesPerSecond(1_000).withPingIntervalMs(0).withRecordTrades(true));
    List<WebSocketFrame> frames = new CopyOnWriteArrayList<>();
    // A raw client: the test needs the frames themselves, to see that the huge one is not fragmented.
    var ws = wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(emulator.actualPort())
      .setURI("/?token=" + TOKEN)).await();
    ws.frameHandler(frames::add);

    assertThatThrownBy(() -> emulator.sendHugeFrame(HUGE_FRAME_BYTES).await())
      .isInstanceOf(IllegalStateException.class).hasMessageContaining("subscribed");

    ws.writeTextMessage("{\"type\":\"subscribe\",\"symbol\":\"AAPL\"}");
    ws.writeTextMessage("{\"type\":\"subscribe\",\"symbol\":\"BINANCE:BTCUSDT\"}");
    await().atMost(WAIT).until(() -> !frames.isEmpty());
    emulator.setSilence(Silence.PINGS_ONLY);
    await().atMost(WAIT).until(() -> tradesIn(frames) == emulator.tradesSent());
    long sentBefore = emulator.tradesSent();
    int framesBefore = frames.size();

    emulator.sendHugeFrame(HUGE_FRAME_BYTES).await();

    await().atMost(WAIT).until(() -> frames.size() == framesBefore + 1);
    WebSocketFrame huge = frames.get(framesBefore);
    assertThat(huge.isText()).isTrue();
    assertThat(huge.isFinal()).as("not fragmented").isTrue();
    String text = huge.textData();
    assertThat(text.length()).isBetween(HUGE_FRAME_BYTES, HUGE_FRAME_BYTES + HUGE_FRAME_BYTES / 10);
    List<EmulatedTrade> trades = RecordingClient.parseTrades(text);
    assertThat(MalformedFrames.kindOf(text)).isNull();
    assertThat(trades).hasSize((int) (emulator.tradesSent() - sentBefore));
    assertThat(trades).extracting(EmulatedTrade::symbol).containsOnly("AAPL", "BINANCE:BTCUSDT");
    List<EmulatedTrade> recorded = emulator.sentTrades();
    assertThat(recorded.subList((int) sentBefore, recorded.size())).containsExactlyElementsOf(trades);
  }

  @Test
  @DisplayName("disconnectEveryTrades: every connection ends abruptly after exactly N trades, across reconnects")
  void disconnectEveryTrades() throws InterruptedException {
    int every = 300;
    int drops = 3;
    start(EmulatorOptions.defaults().withTradesPerSecond(0).withTotalTrades((long) every * drops)
      .withMaxTradesPerFrame(7).withDisconnectEveryTrades(every).withRecordTrades(true));
    List<EmulatedTrade> received = new ArrayList<>();

    for (int i = 0; i < drops; i++) {
      RecordingClient client = connect(TOKEN);
      client.subscribe("AAPL");
      client.subscribe("OANDA:EUR_USD");
      await().atMost(WAIT).until(client::isClosed);
      assertThat(client.closeStatus()).as("dropped without a close frame").isEqualTo((short) 1006);
      assertEndedWithoutReset(client);
      assertThat(client.trades()).as("trades on connection %d", i + 1).hasSize(every);
      received.addAll(client.trades());
    }

    assertThat(emulator.tradesSent()).isEqualTo((long) every * drops);
    assertThat(emulator.sentTrades()).containsExactlyElementsOf(received);
    assertThat(emulator.connectionClosedAtMs()).hasSize(drops);
    // Budget spent: the next connection gets nothing, so nothing ends it.
    RecordingClient last = connect(TOKEN);
    last.subscribe("AAPL");
    Thread.sleep(SETTLE_MS);
    assertThat(last.isClosed()).isFalse();
    assertThat(last.tradeFrames()).isEmpty();
  }

  @Test
  @DisplayName("The symbol cap and invalid symbols change at runtime, for new subscriptions")
  void runtimeCapAndInvalidSymbols() {
    start(EmulatorOptions.defaults().withTradesPerSecond(1_000));
    RecordingClient client = connect(TOKEN);
    emulator.setSymbolCap(1);
    client.subscribe("AAPL");
    client.subscribe("MSFT");
    await().atMost(WAIT).until(() -> client.errors().size() == 1);
    assertThat(client.errors()).containsExactly("{\"msg\":\"Subscribing to too many symbols\",\"type\":\"error\"}");
    assertThat(emulator.subscribedSymbols()).containsExactly("AAPL");

    emulator.setSymbolCap(2);
    emulator.setInvalidSymbols(Set.of("TSLA"));
    client.subscribe("MSFT");
    client.subscribe("TSLA");
    await().atMost(WAIT).until(() -> client.errors().size() == 2);
    assertThat(client.errors().get(1)).isEqualTo("{\"msg\":\"Invalid symbol TSLA\",\"type\":\"error\"}");
    assertThat(emulator.subscribedSymbols()).containsExactlyInAnyOrder("AAPL", "MSFT");

    emulator.setInvalidSymbols(Set.of());
    emulator.setSymbolCap(0);
    client.subscribe("TSLA");
    await().atMost(WAIT).until(() -> client.tradeSymbols().containsAll(Set.of("AAPL", "MSFT", "TSLA")));
    assertThat(client.errors()).hasSize(2);
    assertThat(emulator.symbolCap()).isZero();
    assertThat(emulator.invalidSymbols()).isEmpty();
  }

  /** Vert.x reports any close without a close frame as HttpClosedException; only a reset adds an IOException. */
  private static void assertEndedWithoutReset(RecordingClient client) {
    assertThat(client.socketErrors()).singleElement().isInstanceOf(HttpClosedException.class);
  }

  private void assertOneConnectionTimed() {
    List<Long> opened = emulator.connectionOpenedAtMs();
    await().atMost(WAIT).until(() -> emulator.connectionClosedAtMs().size() == 1);
    assertThat(opened).hasSize(1);
    assertThat(emulator.connectionClosedAtMs().get(0)).isGreaterThanOrEqualTo(opened.get(0));
  }

  private static long tradesIn(List<WebSocketFrame> frames) {
    return frames.stream().filter(WebSocketFrame::isText)
      .mapToLong(frame -> RecordingClient.parseTrades(frame.textData()).size()).sum();
  }
}
