package dev.finnhubstream.emulator;

import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A real Vert.x WebSocket client that records everything the emulator sends: text messages with pings timed,
 * pongs, socket errors and how the connection ended. Thread-safe for assertions on the test thread.
 */
final class RecordingClient {

  static final String PING = "{\"type\":\"ping\"}";

  final WebSocket ws;
  private final List<String> frames = Collections.synchronizedList(new ArrayList<>());
  private final List<Long> pingTimes = new CopyOnWriteArrayList<>();
  private final List<Throwable> socketErrors = new CopyOnWriteArrayList<>();
  private final AtomicInteger pongs = new AtomicInteger();
  private final CompletableFuture<Short> closeStatus = new CompletableFuture<>();

  /**
   * Connects with {@code token} in the query, as the service does. The handlers are set in the connect future's
   * own completion, on the socket's event loop, so a close that follows the handshake at once is not missed.
   */
  static RecordingClient connect(WebSocketClient client, int port, String token) {
    String uri = "/?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri))
      .map(RecordingClient::new)
      .await();
  }

  private RecordingClient(WebSocket ws) {
    this.ws = ws;
    ws.textMessageHandler(text -> {
      frames.add(text);
      if (text.equals(PING)) {
        pingTimes.add(System.currentTimeMillis());
      }
    });
    ws.pongHandler(data -> pongs.incrementAndGet());
    ws.exceptionHandler(socketErrors::add);
    // Vert.x reports 1006 when the connection ended without a close frame.
    ws.closeHandler(v -> closeStatus.complete(ws.closeStatusCode()));
  }

  void subscribe(String symbol) {
    send(new JsonObject().put("type", "subscribe").put("symbol", symbol));
  }

  void send(JsonObject frame) {
    ws.writeTextMessage(frame.encode());
  }

  boolean isClosed() {
    return closeStatus.isDone();
  }

  /** The close status seen by the client (1006: no close frame), or {@code null} while open. */
  Short closeStatus() {
    return closeStatus.getNow(null);
  }

  List<Throwable> socketErrors() {
    return List.copyOf(socketErrors);
  }

  int pongs() {
    return pongs.get();
  }

  List<String> frames() {
    synchronized (frames) {
      return List.copyOf(frames);
    }
  }

  void clearFrames() {
    frames.clear();
  }

  List<String> tradeFrames() {
    return frames().stream().filter(f -> f.endsWith("\"type\":\"trade\"}")).collect(Collectors.toList());
  }

  /** Finnhub error frames ({@code "type":"error"}). */
  List<String> errors() {
    return frames().stream().filter(f -> f.endsWith("\"type\":\"error\"}")).collect(Collectors.toList());
  }

  List<Long> pingTimesMs() {
    return List.copyOf(pingTimes);
  }

  /** Trades of the valid trade frames received; frames that are not fully valid are left to the caller. */
  List<EmulatedTrade> trades() {
    List<EmulatedTrade> trades = new ArrayList<>();
    for (String frame : frames()) {
      if (MalformedFrames.kindOf(frame) == null && !frame.equals(PING) && !frame.endsWith("\"type\":\"error\"}")) {
        trades.addAll(parseTrades(frame));
      }
    }
    return trades;
  }

  static List<EmulatedTrade> parseTrades(String frame) {
    JsonArray data = new JsonObject(frame).getJsonArray("data");
    List<EmulatedTrade> trades = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      JsonObject trade = data.getJsonObject(i);
      JsonArray c = trade.getJsonArray("c");
      trades.add(new EmulatedTrade(trade.getString("s"), trade.getLong("t"),
        trade.getNumber("p").doubleValue(), trade.getNumber("v").doubleValue(),
        c == null ? null : c.stream().map(String.class::cast).collect(Collectors.toList())));
    }
    return trades;
  }

  Set<String> tradeSymbols() {
    return trades().stream().map(EmulatedTrade::symbol).collect(Collectors.toSet());
  }
}
