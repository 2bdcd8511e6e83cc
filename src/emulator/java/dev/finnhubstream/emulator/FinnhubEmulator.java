package dev.finnhubstream.emulator;

import dev.finnhubstream.ToolConsole;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for {@code wss://ws.finnhub.io}: the same handshake, client frames and server frames as the
 * real trade stream (finnhub-protocol.md §2-5), with synthetic trades at a chosen rate and budget, and the faults
 * a Finnhub client must survive: forced disconnects (close frame, FIN or RST), silence, handshake refusals,
 * malformed frames, huge frames, one connection per token, runtime symbol caps and invalid symbols.
 *
 * <p>Threading: one instance runs on one event loop; the HTTP server it creates hands every connection to that
 * loop, so connection state, the trade budget and the generator need no locks. The runtime switches and
 * accessors are safe to call from any thread: switches that act return a future completed on the event loop.
 *
 * <p>Budget: a trade counts as sent only once the write of its frame succeeded. A failed write (connection
 * gone) returns its trades to the budget, so over reconnects exactly {@code totalTrades} trades are delivered.
 *
 * <p>Tokens are never logged nor exposed: connections are known by a label, {@code token#1}, {@code token#2}...,
 * in order of each token's first accepted connection.
 *
 * <p>Not part of the service: it is built into {@code target/finnhub-stream-tools.jar} (pom.xml), which
 * {@code ci/run-local.sh} runs through {@link #main}, and the tests deploy it in-process. The switches and
 * accessors below are the tests' handle on it; those only this package's tests use are package-private.
 */
public final class FinnhubEmulator extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(FinnhubEmulator.class);

  /** With {@code totalTrades == 0} and {@code recordTrades}, keep at most this many trades in memory. */
  static final int RECORD_LIMIT_WHEN_UNLIMITED = 1_000_000;
  /** Default port of the command-line emulator (the verticle itself defaults to an ephemeral port). */
  private static final int DEFAULT_CLI_PORT = 8765;
  /** Close status of {@link DropMode#CLOSE_FRAME}: the server is going away (restart, update). */
  static final short CLOSE_GOING_AWAY = 1001;
  /** Close status sent to both connections of a token that opened a second one. */
  static final short CLOSE_POLICY_VIOLATION = 1008;

  /** Pacing period when a rate is set; the due number of trades accumulates fractions between ticks. */
  private static final long PACE_PERIOD_MS = 10;
  /** With a rate set, the longest a due trade waits for its frame to fill up. */
  private static final long MAX_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  /** At rate 0, frames written per event-loop turn before yielding to I/O and other connections. */
  private static final int FRAMES_PER_TURN = 64;
  /** Largest client frame accepted; client frames are tiny. Outgoing trade frames are never fragmented. */
  private static final int MAX_FRAME_SIZE = 1 << 20;
  /** After an abrupt drop's FIN, how long a client may take to close its side before the socket is closed. */
  private static final long ABRUPT_GRACE_MS = 2_000;
  /** Trades generated per step while filling a huge frame up to the requested size. */
  private static final int HUGE_FRAME_CHUNK = 1_000;

  private static final Set<String> CLI_OPTIONS = Set.of("--host", "--port", "--token", "--rate", "--total", "--cap",
    "--ping-ms", "--max-per-frame", "--seed", "--invalid", "--disconnect-every", "--malformed-ratio",
    "--one-connection-per-token");

  private static final String USAGE = String.join(System.lineSeparator(),
    "Usage: java -cp <classpath> dev.finnhubstream.emulator.FinnhubEmulator [options]",
    "  --host HOST           interface to bind (default " + EmulatorOptions.DEFAULT_HOST + ")",
    "  --port PORT           port, 0 = ephemeral (default " + DEFAULT_CLI_PORT + ")",
    "  --token TOKEN         the token clients must send, repeatable; without any --token, EVERY non-empty",
    "                        token is accepted (a client's wrong key then goes unnoticed)",
    "  --rate N              trades per second over all connections, 0 = as fast as possible (default "
      + EmulatorOptions.DEFAULT_TRADES_PER_SECOND + ")",
    "  --total N             trades over the emulator's lifetime, 0 = unlimited (default 0)",
    "  --cap N               symbols per connection, 0 = no cap (default " + EmulatorOptions.DEFAULT_SYMBOL_CAP + ")",
    "  --ping-ms N           ping interval in ms, 0 = never (default " + EmulatorOptions.DEFAULT_PING_INTERVAL_MS + ")",
    "  --max-per-frame N     most trades per frame (default " + EmulatorOptions.DEFAULT_MAX_TRADES_PER_FRAME + ")",
    "  --seed N              content seed (default " + EmulatorOptions.DEFAULT_SEED + ")",
    "  --invalid SYMBOL      answer subscribes to SYMBOL with 'Invalid symbol SYMBOL', repeatable",
    "  --disconnect-every N  drop every connection abruptly after each N trades sent, 0 = never (default 0)",
    "  --malformed-ratio R   fraction 0..1 of trade frames replaced by malformed frames (default 0)",
    "  --one-connection-per-token true|false",
    "                        a second connection with one token closes both, as Finnhub does (default true)",
    "  --help                print this text");

  private final EmulatorOptions options;
  private final TradeGenerator generator;
  /** Connections that are open and not being closed: the ones that count, receive and are listed. */
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong tradesSent = new AtomicLong();
  private final AtomicLong framesSent = new AtomicLong();
  private final AtomicLong malformedFramesSent = new AtomicLong();
  /** Filled once with every kind, never structurally modified: safe to read from any thread. */
  private final Map<MalformedKind, AtomicLong> malformedFramesByKind = new EnumMap<>(MalformedKind.class);
  private final AtomicLong handshakesAccepted = new AtomicLong();
  private final AtomicLong handshakesRejected = new AtomicLong();
  private final AtomicInteger maxConcurrentConnectionsPerToken = new AtomicInteger();
  private final AtomicInteger oneConnectionRuleClosures = new AtomicInteger();
  private final List<Long> openedAtMs = new ArrayList<>();
  private final List<Long> closedAtMs = new ArrayList<>();
  private final List<Long> droppedAtMs = new ArrayList<>();
  private final List<EmulatedTrade> recorded = new ArrayList<>();
  private final long recordLimit;
  /** Token to label, in order of first accepted connection; event-loop only. The tokens never leave this map. */
  private final Map<String, String> tokenLabels = new HashMap<>();

  /** Path of Finnhub's REST market status, as served at {@code https://finnhub.io/api/v1/stock/market-status}. */
  private static final String MARKET_STATUS_PATH = "/api/v1/stock/market-status";

  private final AtomicLong marketStatusRequests = new AtomicLong();
  private volatile MarketSession marketSession = new MarketSession(true, "regular", null);
  private volatile Silence silence = Silence.NONE;
  private volatile int handshakeRejectionStatus;
  /** Tokens answered with 401 from now on although accepted before (a key revoked, then restored). */
  private volatile Set<String> revokedTokens = Set.of();
  private final SubscriptionLedger ledger = new SubscriptionLedger();
  /** Numbers the connections for the ledger; event-loop only. */
  private long connectionSerial;
  private volatile int symbolCap;
  private volatile Set<String> invalidSymbols;

  private HttpServer server;
  private volatile int actualPort = -1;
  /** Trades handed to writes that have not failed (sent or in flight); event-loop only. */
  private long tradesReserved;
  /** Value of {@link #tradesSent} at which every connection is dropped next; event-loop only. */
  private long nextDisconnectAt;
  /** Accumulates {@code malformedFrameRatio} per trade-frame slot; a whole unit makes the slot malformed. */
  private double malformedDebt;
  private int nextMalformedKind;
  private long paceTimerId = -1;
  private long lastPaceNanos;
  private double dueTrades;
  /** Size of the next paced frame, drawn once it is needed; 0 = not drawn yet. */
  private int nextFrameSize;
  private long lastFrameNanos;
  private int roundRobin;
  private boolean stopping;
  private boolean recordLimitLogged;

  public FinnhubEmulator(EmulatorOptions options) {
    this.options = options;
    this.generator = new TradeGenerator(options.seed());
    this.recordLimit = options.totalTrades() > 0 ? options.totalTrades() : RECORD_LIMIT_WHEN_UNLIMITED;
    this.nextDisconnectAt = options.disconnectEveryTrades();
    this.symbolCap = options.symbolCap();
    this.invalidSymbols = options.invalidSymbols();
    for (MalformedKind kind : MalformedKind.values()) {
      malformedFramesByKind.put(kind, new AtomicLong());
    }
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions()
      .setHost(options.host())
      .setPort(options.port())
      .setMaxWebSocketFrameSize(MAX_FRAME_SIZE)
      .setMaxWebSocketMessageSize(MAX_FRAME_SIZE));
    server.requestHandler(this::onRequest);
    return server.listen().onSuccess(s -> {
      actualPort = s.actualPort();
      if (options.tradesPerSecond() > 0) {
        lastPaceNanos = System.nanoTime();
        paceTimerId = vertx.setPeriodic(PACE_PERIOD_MS, id -> onPaceTick());
      }
      LOGGER.info("Finnhub emulator listening on ws://{}:{}", options.host(), actualPort);
      LOGGER.debug("Emulator options: {}", options);
    });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (paceTimerId >= 0) {
      vertx.cancelTimer(paceTimerId);
    }
    for (Connection connection : connections) {
      connection.retire();
    }
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The bound port, once started; useful with port 0. */
  public int actualPort() {
    return actualPort;
  }

  /** Trades in frames whose write succeeded. */
  public long tradesSent() {
    return tradesSent.get();
  }

  /** Valid trade frames whose write succeeded (pings, errors and malformed frames not included). */
  long framesSent() {
    return framesSent.get();
  }

  /** Malformed frames whose write succeeded. */
  public long malformedFramesSent() {
    return malformedFramesSent.get();
  }

  /** {@link #malformedFramesSent()} per kind; every kind is present, zero or not. */
  public Map<MalformedKind, Long> malformedFramesSentByKind() {
    Map<MalformedKind, Long> snapshot = new EnumMap<>(MalformedKind.class);
    malformedFramesByKind.forEach((kind, count) -> snapshot.put(kind, count.get()));
    return Collections.unmodifiableMap(snapshot);
  }

  /** The trades counted in {@link #tradesSent()}, in send order; empty unless {@code recordTrades} is on. */
  public List<EmulatedTrade> sentTrades() {
    synchronized (recorded) {
      return List.copyOf(recorded);
    }
  }

  /** Connections open and not being closed by the emulator. */
  public int openConnections() {
    return connections.size();
  }

  /** {@link #openConnections()} by token label ({@code token#1}, ...); tokens without one are absent. */
  Map<String, Integer> openConnectionsByToken() {
    Map<String, Integer> byLabel = new TreeMap<>();
    for (Connection connection : connections) {
      byLabel.merge(connection.tokenLabel, 1, Integer::sum);
    }
    return Collections.unmodifiableMap(byLabel);
  }

  /**
   * The most connections one token ever had open at once over the emulator's life, counted when a connection
   * opens and before the one-connection-per-token rule closes anything: 2 means a client opened a second
   * connection with a key while its first was still open.
   */
  public int maxConcurrentConnectionsPerToken() {
    return maxConcurrentConnectionsPerToken.get();
  }

  /**
   * How often a token's second connection made the emulator close all of that token's connections (the
   * one-connection-per-key rule): each time is one Finnhub-side drop of a key.
   */
  public int oneConnectionRuleClosures() {
    return oneConnectionRuleClosures.get();
  }

  /** WebSocket handshakes refused: wrong or missing token (401) or {@link #setHandshakeRejection(int)}. */
  public long handshakesRejected() {
    return handshakesRejected.get();
  }

  /** WebSocket handshakes answered with 101 and turned into connections. */
  long handshakesAccepted() {
    return handshakesAccepted.get();
  }

  /** Epoch ms at which each accepted connection opened, in order. */
  public List<Long> connectionOpenedAtMs() {
    synchronized (openedAtMs) {
      return List.copyOf(openedAtMs);
    }
  }

  /**
   * Epoch ms at which the emulator began each drop it made (one per connection dropped), in order. The client
   * learns of a drop after this moment, so the gap to the next connection bounds its reconnect delay from above.
   */
  public List<Long> connectionDroppedAtMs() {
    synchronized (droppedAtMs) {
      return List.copyOf(droppedAtMs);
    }
  }

  /**
   * Epoch ms at which each connection's socket closed (whoever closed it), in order. After an abrupt drop that
   * is when the client closed its side, after it noticed: a gap measured from here reads shorter than the
   * client's reconnect delay.
   */
  public List<Long> connectionClosedAtMs() {
    synchronized (closedAtMs) {
      return List.copyOf(closedAtMs);
    }
  }

  /**
   * Every subscription the emulator streamed, per connection and symbol: from the accepted subscribe to the
   * unsubscribe or the connection's end (open ones with {@link SubscriptionSpan#OPEN}); a view of the
   * {@link #subscriptions() ledger} by token label.
   */
  public List<SubscriptionSpan> subscriptionSpans() {
    List<SubscriptionSpan> spans = new ArrayList<>();
    ledger.bySymbol().forEach((symbol, intervals) -> intervals.forEach(i -> spans.add(new SubscriptionSpan(
      i.connection().substring(0, i.connection().indexOf('/')), symbol, i.fromMs(), i.open() ? SubscriptionSpan.OPEN : i.toMs()))));
    return spans;
  }

  /** Union of the symbols subscribed on the open connections. */
  public Set<String> subscribedSymbols() {
    Set<String> union = new HashSet<>();
    for (Connection connection : connections) {
      union.addAll(connection.symbolView);
    }
    return Set.copyOf(union);
  }

  /** Ends every open connection the given way. Completes once every socket is closed. */
  public Future<Void> dropConnections(DropMode mode) {
    Objects.requireNonNull(mode, "mode");
    return onEventLoop(() -> dropAll(mode, "on request"));
  }

  /** Holds back trade frames (and with {@link Silence#TOTAL} everything) on all connections until set to NONE. */
  public void setSilence(Silence mode) {
    Objects.requireNonNull(mode, "mode");
    Silence previous = silence;
    silence = mode;
    if (previous != mode) {
      LOGGER.info("Silence {} -> {}", previous, mode);
      if (mode == Silence.NONE && options.tradesPerSecond() == 0) {
        onEventLoop(() -> {
          connections.forEach(this::schedulePump);
          return Future.succeededFuture();
        });
      }
    }
  }

  /**
   * Answers every WebSocket handshake with {@code httpStatus} (200..599, e.g. 401, 429, 500, 503, or 200 as once
   * reported instead of 101) until called with 0. Open connections are left alone.
   */
  public void setHandshakeRejection(int httpStatus) {
    if (httpStatus != 0 && (httpStatus < 200 || httpStatus > 599)) {
      throw new IllegalArgumentException("httpStatus must be 0 (off) or within 200..599, got " + httpStatus);
    }
    handshakeRejectionStatus = httpStatus;
    LOGGER.info(httpStatus == 0 ? "Handshake rejection off" : "Rejecting every handshake with HTTP {}", httpStatus);
  }

  /**
   * Refuses {@code token} with HTTP 401 from now on ({@code true}), or accepts it again ({@code false}): a key revoked
   * and restored. Revoking closes the token's open connections (how Finnhub ends them is not documented; a close is
   * what a client must handle anyway). The token never reaches a log line.
   */
  public Future<Void> setTokenRevoked(String token, boolean revoked) {
    Set<String> next = new HashSet<>(revokedTokens);
    boolean changed = revoked ? next.add(token) : next.remove(token);
    revokedTokens = Set.copyOf(next);
    return onEventLoop(() -> {
      String label = tokenLabels.getOrDefault(token, "a token not seen yet");
      LOGGER.info("{} {}", revoked ? "Revoking" : "Accepting again", label);
      List<Future<Void>> closes = new ArrayList<>();
      if (revoked && changed) {
        connections.stream().filter(c -> c.tokenLabel.equals(label)).toList()
          .forEach(c -> closes.add(c.closeWithFrame(CLOSE_POLICY_VIOLATION, "API key revoked")));
      }
      return Future.join(closes).mapEmpty();
    });
  }

  /** Per symbol, when it was subscribed on which connection, and whether two held it at once. */
  public SubscriptionLedger subscriptions() {
    return ledger;
  }

  /** Most symbols per connection for subscriptions from now on (0 = no cap); symbols held are kept. */
  void setSymbolCap(int cap) {
    if (cap < 0) {
      throw new IllegalArgumentException("cap must be >= 0 (0 = no cap), got " + cap);
    }
    symbolCap = cap;
  }

  int symbolCap() {
    return symbolCap;
  }

  /** Symbols answered with {@code Invalid symbol X} from now on; subscriptions held are kept. */
  public void setInvalidSymbols(Set<String> symbols) {
    invalidSymbols = Set.copyOf(symbols);
  }

  Set<String> invalidSymbols() {
    return invalidSymbols;
  }

  /**
   * Sends one valid trade frame of about {@code approxBytes} (never fewer), as a single WebSocket frame, to every
   * open connection with subscriptions, silence or not. Its trades count as sent and are recorded. Fails when no
   * connection has a symbol, or when the trades would exceed the budget or cross a disconnect boundary.
   */
  public Future<Void> sendHugeFrame(int approxBytes) {
    if (approxBytes <= 0) {
      throw new IllegalArgumentException("approxBytes must be > 0, got " + approxBytes);
    }
    return onEventLoop(() -> {
      List<Future<Void>> writes = new ArrayList<>();
      for (Connection connection : connections) {
        if (connection.symbolList.isEmpty()) {
          continue;
        }
        List<EmulatedTrade> trades = hugeFrameTrades(connection.symbolList, approxBytes);
        if (trades.size() > tradeAllowance()) {
          return Future.failedFuture(new IllegalStateException("A frame of " + trades.size()
            + " trades exceeds the trade budget or crosses the next disconnect (" + tradeAllowance() + " left)"));
        }
        writes.add(writeTrades(connection, trades, true));
      }
      if (writes.isEmpty()) {
        return Future.failedFuture(new IllegalStateException("No open connection has a subscribed symbol"));
      }
      return Future.all(writes).mapEmpty();
    });
  }

  private List<EmulatedTrade> hugeFrameTrades(List<String> symbols, int approxBytes) {
    List<EmulatedTrade> trades = new ArrayList<>();
    long bytes = 0;
    while (bytes < approxBytes) {
      List<EmulatedTrade> chunk = generator.trades(symbols, HUGE_FRAME_CHUNK, System.currentTimeMillis());
      bytes += FinnhubFrames.trades(chunk).length();
      trades.addAll(chunk);
    }
    return trades;
  }

  /** Runs {@code action} on the emulator's event loop; safe from any thread. */
  private <T> Future<T> onEventLoop(Supplier<Future<T>> action) {
    if (context == null) {
      return Future.failedFuture(new IllegalStateException("The emulator is not deployed"));
    }
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        action.get().onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  private Future<Void> dropAll(DropMode mode, String why) {
    List<Future<Void>> closes = new ArrayList<>();
    for (Connection connection : List.copyOf(connections)) {
      synchronized (droppedAtMs) {
        droppedAtMs.add(System.currentTimeMillis());
      }
      closes.add(connection.close(mode));
    }
    LOGGER.info("Dropping {} connection(s), {}: {}", closes.size(), mode, why);
    return Future.all(closes).mapEmpty();
  }

  /**
   * What {@code GET /api/v1/stock/market-status} answers from now on: Finnhub's fields {@code isOpen},
   * {@code session} ({@code pre-market}, {@code regular}, {@code post-market} or null) and {@code holiday}.
   */
  public record MarketSession(boolean isOpen, String session, String holiday) {
  }

  public void setMarketSession(MarketSession session) {
    marketSession = session;
  }

  /** REST market-status requests answered (with any status), for tests of pacing. */
  public long marketStatusRequests() {
    return marketStatusRequests.get();
  }

  private void onRequest(HttpServerRequest request) {
    if (!request.canUpgradeToWebSocket()) {
      if (MARKET_STATUS_PATH.equals(request.path())) {
        onMarketStatus(request);
        return;
      }
      request.response().setStatusCode(400).end();
      return;
    }
    int forcedStatus = handshakeRejectionStatus;
    if (forcedStatus != 0) {
      handshakesRejected.incrementAndGet();
      LOGGER.info("Rejected WebSocket handshake from {} with HTTP {} (switched on)", request.remoteAddress(),
        forcedStatus);
      request.response().setStatusCode(forcedStatus).end();
      return;
    }
    // The decoded query parameter; the token itself must never reach a log line, nor the URI holding it.
    String token = request.getParam("token");
    if (!isAccepted(token)) {
      handshakesRejected.incrementAndGet();
      LOGGER.info("Rejected WebSocket handshake from {} on {}: missing or unknown token",
        request.remoteAddress(), request.path());
      request.response().setStatusCode(401).end();
      return;
    }
    request.toWebSocket().onSuccess(ws -> onOpen(ws, token)).onFailure(err ->
      LOGGER.debug("WebSocket upgrade from {} failed", request.remoteAddress(), err));
  }

  /**
   * Finnhub's REST answer: the token as the {@code X-Finnhub-Token} header or the {@code token} parameter,
   * 401 with a JSON error without one. The handshake-rejection switch applies here too (429, 5xx...).
   */
  private void onMarketStatus(HttpServerRequest request) {
    marketStatusRequests.incrementAndGet();
    int forcedStatus = handshakeRejectionStatus;
    if (forcedStatus != 0) {
      request.response().setStatusCode(forcedStatus).end();
      return;
    }
    String token = request.getHeader("X-Finnhub-Token") != null ? request.getHeader("X-Finnhub-Token") : request.getParam("token");
    if (!isAccepted(token)) {
      request.response().setStatusCode(401).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", "Invalid API key").encode());
      return;
    }
    MarketSession m = marketSession;
    request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
      .put("exchange", request.getParam("exchange", "US"))
      .put("holiday", m.holiday())
      .put("isOpen", m.isOpen())
      .put("session", m.session())
      .put("t", System.currentTimeMillis() / 1000)
      .put("timezone", "America/New_York")
      .encode());
  }

  private boolean isAccepted(String token) {
    if (token == null || token.isEmpty() || revokedTokens.contains(token)) {
      return false;
    }
    return options.acceptsAnyToken() || options.acceptedTokens().contains(token);
  }

  private void onOpen(ServerWebSocket ws, String token) {
    if (stopping) {
      ws.close();
      return;
    }
    handshakesAccepted.incrementAndGet();
    Connection connection = new Connection(ws, labelOf(token), ++connectionSerial);
    connections.add(connection);
    synchronized (openedAtMs) {
      openedAtMs.add(System.currentTimeMillis());
    }
    LOGGER.info("WebSocket client {} connected with {} ({} open)", ws.remoteAddress(), connection.tokenLabel,
      connections.size());
    ws.textMessageHandler(text -> onClientMessage(connection, text));
    ws.binaryMessageHandler(data -> LOGGER.debug("Ignoring a binary frame of {} bytes", data.length()));
    ws.exceptionHandler(err -> LOGGER.debug("WebSocket client {} error", ws.remoteAddress(), err));
    ws.closeHandler(v -> {
      connection.retire();
      synchronized (closedAtMs) {
        closedAtMs.add(System.currentTimeMillis());
      }
      LOGGER.info("WebSocket client {} ({}) disconnected ({} open)", ws.remoteAddress(), connection.tokenLabel,
        connections.size());
    });
    ws.drainHandler(v -> {
      if (options.tradesPerSecond() == 0) {
        schedulePump(connection);
      }
    });
    WebSocketChannels.gatePongs(ws, () -> silence == Silence.TOTAL);
    if (options.pingIntervalMs() > 0) {
      connection.pingTimerId = vertx.setPeriodic(options.pingIntervalMs(), id -> {
        if (connection.open && !ws.isClosed() && silence != Silence.TOTAL) {
          ws.writeTextMessage(FinnhubFrames.PING);
        }
      });
    }
    enforceOneConnectionPerToken(connection);
  }

  private String labelOf(String token) {
    String label = tokenLabels.get(token);
    if (label == null) {
      label = "token#" + (tokenLabels.size() + 1);
      tokenLabels.put(token, label);
    }
    return label;
  }

  private void enforceOneConnectionPerToken(Connection opened) {
    List<Connection> sameToken = new ArrayList<>();
    for (Connection connection : connections) {
      if (connection.tokenLabel.equals(opened.tokenLabel)) {
        sameToken.add(connection);
      }
    }
    maxConcurrentConnectionsPerToken.accumulateAndGet(sameToken.size(), Math::max);
    if (sameToken.size() > 1 && options.oneConnectionPerToken()) {
      // A field report says Finnhub drops both connections, not only the new one (finnhub-protocol.md §1).
      LOGGER.warn("{} connections with {}: closing all of them, as Finnhub does", sameToken.size(),
        opened.tokenLabel);
      oneConnectionRuleClosures.incrementAndGet();
      for (Connection connection : sameToken) {
        connection.closeWithFrame(CLOSE_POLICY_VIOLATION, "One connection per API key");
      }
    }
  }

  private void onClientMessage(Connection connection, String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      LOGGER.debug("Ignoring a malformed client frame: {}", abbreviate(text));
      return;
    }
    Object type = frame.getValue("type");
    Object symbol = frame.getValue("symbol");
    if (!(symbol instanceof String s) || s.isEmpty()) {
      LOGGER.debug("Ignoring a client frame without a symbol: {}", abbreviate(text));
      return;
    }
    if ("subscribe".equals(type)) {
      subscribe(connection, s);
    } else if ("unsubscribe".equals(type)) {
      if (connection.symbols.remove(s)) {
        connection.updateView();
        ledger.unsubscribed(s, connection.ledgerName, System.currentTimeMillis());
        LOGGER.debug("Unsubscribed {}", s);
      }
    } else {
      // News and press-release streams are premium features the emulator does not produce.
      LOGGER.debug("Ignoring a client frame of type {}", type);
    }
  }

  private void subscribe(Connection connection, String symbol) {
    if (invalidSymbols.contains(symbol)) {
      sendControl(connection, FinnhubFrames.invalidSymbol(symbol));
      return;
    }
    if (connection.symbols.contains(symbol)) {
      return;
    }
    int cap = symbolCap;
    if (cap > 0 && connection.symbols.size() >= cap) {
      // Finnhub's text does not name the symbol; clients must blame their most recent subscribe.
      sendControl(connection, FinnhubFrames.TOO_MANY_SYMBOLS);
      return;
    }
    connection.symbols.add(symbol);
    connection.updateView();
    ledger.subscribed(symbol, connection.ledgerName, System.currentTimeMillis());
    LOGGER.debug("Subscribed {} ({} on this connection)", symbol, connection.symbols.size());
    if (options.tradesPerSecond() == 0) {
      schedulePump(connection);
    }
  }

  /** Error replies: held back, like everything else, while the emulator plays a stalled server. */
  private void sendControl(Connection connection, String frame) {
    if (silence != Silence.TOTAL) {
      connection.ws.writeTextMessage(frame);
    }
  }

  /**
   * How many trades the next frames may still carry: the rest of the lifetime budget, and no further than the
   * next forced disconnect, so that no frame straddles it.
   */
  private long tradeAllowance() {
    long allowance = Long.MAX_VALUE;
    if (options.totalTrades() > 0) {
      allowance = options.totalTrades() - tradesReserved;
    }
    if (options.disconnectEveryTrades() > 0) {
      allowance = Math.min(allowance, nextDisconnectAt - tradesReserved);
    }
    return allowance;
  }

  private boolean tradesFlowing() {
    return silence == Silence.NONE && tradeAllowance() > 0;
  }

  /**
   * Fills one trade-frame slot of {@code requested} trades on {@code connection}: either a frame of that many
   * trades (fewer if the allowance is short), or, as {@code malformedFrameRatio} dictates, a malformed frame that
   * carries no trade. Returns the slot size used, 0 when nothing could be sent.
   */
  private int sendFrame(Connection connection, int requested) {
    if (!tradesFlowing() || connection.symbolList.isEmpty()) {
      return 0;
    }
    if (nextSlotIsMalformed()) {
      sendMalformed(connection);
      return requested;
    }
    int size = (int) Math.min(requested, tradeAllowance());
    writeTrades(connection, generator.trades(connection.symbolList, size, System.currentTimeMillis()), false);
    return size;
  }

  /**
   * Writes a trade frame, reserving its trades until the write completes: counted as sent on success, returned
   * to the allowance on failure. Reaching a disconnect boundary drops every connection.
   */
  private Future<Void> writeTrades(Connection connection, List<EmulatedTrade> trades, boolean singleFrame) {
    int size = trades.size();
    tradesReserved += size;
    String text = FinnhubFrames.trades(trades);
    Future<Void> write = singleFrame ? connection.ws.writeFinalTextFrame(text) : connection.ws.writeTextMessage(text);
    return write.onComplete(ar -> {
      if (ar.succeeded()) {
        long sent = tradesSent.addAndGet(size);
        framesSent.incrementAndGet();
        if (options.recordTrades()) {
          record(trades);
        }
        if (options.disconnectEveryTrades() > 0 && sent >= nextDisconnectAt) {
          nextDisconnectAt += options.disconnectEveryTrades();
          dropAll(DropMode.ABRUPT, sent + " trades sent (disconnectEveryTrades)");
        }
      } else {
        tradesReserved -= size;
        connection.open = false;
        if (options.tradesPerSecond() == 0) {
          // Returned trades may let connections that ran dry continue.
          connections.forEach(this::schedulePump);
        }
      }
    });
  }

  private boolean nextSlotIsMalformed() {
    if (options.malformedFrameRatio() == 0) {
      return false;
    }
    malformedDebt += options.malformedFrameRatio();
    if (malformedDebt >= 1) {
      malformedDebt -= 1;
      return true;
    }
    return false;
  }

  private void sendMalformed(Connection connection) {
    MalformedKind kind = MalformedKind.values()[nextMalformedKind];
    nextMalformedKind = (nextMalformedKind + 1) % MalformedKind.values().length;
    String symbol = connection.symbolList.get(0);
    connection.ws.writeTextMessage(FinnhubFrames.malformed(kind, symbol, System.currentTimeMillis()))
      .onSuccess(v -> {
        malformedFramesSent.incrementAndGet();
        malformedFramesByKind.get(kind).incrementAndGet();
      });
  }

  private void record(List<EmulatedTrade> trades) {
    synchronized (recorded) {
      int room = (int) Math.min(trades.size(), recordLimit - recorded.size());
      if (room > 0) {
        recorded.addAll(room == trades.size() ? trades : trades.subList(0, room));
      }
      if (room < trades.size() && !recordLimitLogged) {
        recordLimitLogged = true;
        LOGGER.warn("Stopped recording sent trades at {}: the trade budget is unlimited", recordLimit);
      }
    }
  }

  /** Rate 0: continue pumping {@code connection} on a later event-loop turn, so I/O and other sockets get a turn. */
  private void schedulePump(Connection connection) {
    if (connection.pumpScheduled || !connection.open || stopping) {
      return;
    }
    connection.pumpScheduled = true;
    context.runOnContext(v -> {
      connection.pumpScheduled = false;
      pump(connection);
    });
  }

  private void pump(Connection connection) {
    for (int i = 0; i < FRAMES_PER_TURN; i++) {
      if (!connection.canWrite()) {
        return; // the drain handler resumes, the close handler ends
      }
      if (sendFrame(connection, generator.frameSize(options.maxTradesPerFrame())) == 0) {
        return; // no symbols, no allowance or silence: a subscribe, returned trades or the end of silence resumes
      }
    }
    schedulePump(connection);
  }

  /** Rate above 0: emit the trades that came due since the last tick, round-robin over ready connections. */
  private void onPaceTick() {
    long now = System.nanoTime();
    double elapsedSeconds = (now - lastPaceNanos) / 1e9;
    lastPaceNanos = now;
    List<Connection> ready = new ArrayList<>(connections.size());
    for (Connection connection : connections) {
      if (connection.open && !connection.symbolList.isEmpty()) {
        ready.add(connection);
      }
    }
    if (ready.isEmpty() || !tradesFlowing()) {
      dueTrades = 0; // no backlog: trades start at the configured rate once someone listens
      return;
    }
    // Cap the backlog at one second of trades so a stall (GC, slow consumer) is not followed by a burst.
    dueTrades = Math.min(dueTrades + options.tradesPerSecond() * elapsedSeconds,
      Math.max(options.tradesPerSecond(), 1));
    while (!ready.isEmpty() && dueTrades >= 1) {
      if (nextFrameSize == 0) {
        nextFrameSize = generator.frameSize(options.maxTradesPerFrame());
      }
      // Wait until a whole frame is due, so low rates still get multi-trade frames as Finnhub sends them, but
      // never hold due trades longer than MAX_HOLD_NANOS.
      if (dueTrades < nextFrameSize && now - lastFrameNanos < MAX_HOLD_NANOS) {
        break;
      }
      Connection connection = ready.get(Math.floorMod(roundRobin++, ready.size()));
      int sent = connection.canWrite() ? sendFrame(connection, (int) Math.min(nextFrameSize, (long) dueTrades)) : 0;
      if (sent == 0) {
        ready.remove(connection);
      } else {
        dueTrades -= sent;
        nextFrameSize = 0;
        lastFrameNanos = now;
      }
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }

  /** State of one client connection; mutated on the event loop only, except the published symbol view. */
  private final class Connection {
    final ServerWebSocket ws;
    final String tokenLabel;
    /** The connection in the {@link SubscriptionLedger}: its token's label and its number. */
    final String ledgerName;
    /** Subscription order kept, so the connection's symbols are deterministic for a given client. */
    final Set<String> symbols = new LinkedHashSet<>();
    /** Indexed copy of {@link #symbols}, for picking symbols on the hot path. */
    List<String> symbolList = List.of();
    volatile Set<String> symbolView = Set.of();
    boolean open = true;
    boolean pumpScheduled;
    long pingTimerId = -1;

    Connection(ServerWebSocket ws, String tokenLabel, long serial) {
      this.ws = ws;
      this.tokenLabel = tokenLabel;
      this.ledgerName = tokenLabel + "/" + serial;
    }

    void updateView() {
      symbolList = List.copyOf(symbols);
      symbolView = Set.copyOf(symbols);
    }

    /** {@code writeQueueFull()} throws once the socket is closed, which precedes the close handler. */
    boolean canWrite() {
      return open && !ws.isClosed() && !ws.writeQueueFull();
    }

    /** Stops all traffic and takes the connection out of the open set; its socket closes separately. */
    void retire() {
      if (open) {
        ledger.connectionEnded(ledgerName, symbolView, System.currentTimeMillis());
      }
      open = false;
      connections.remove(this);
      if (pingTimerId >= 0) {
        vertx.cancelTimer(pingTimerId);
        pingTimerId = -1;
      }
    }

    Future<Void> close(DropMode mode) {
      return switch (mode) {
        case CLOSE_FRAME -> closeWithFrame(CLOSE_GOING_AWAY, "Going away");
        case ABRUPT -> {
          retire();
          yield ws.isClosed() ? Future.succeededFuture() : WebSocketChannels.closeAbruptly(ws, ABRUPT_GRACE_MS);
        }
        case RESET -> {
          retire();
          yield ws.isClosed() ? Future.succeededFuture() : WebSocketChannels.reset(ws);
        }
      };
    }

    Future<Void> closeWithFrame(short status, String reason) {
      retire();
      return ws.isClosed() ? Future.succeededFuture() : ws.close(status, reason);
    }
  }

  /**
   * Runs the emulator until the process is killed. Options take {@code --name value} or {@code --name=value}.
   */
  public static void main(String[] args) {
    EmulatorOptions options;
    try {
      options = parseArgs(args);
    } catch (IllegalArgumentException e) {
      ToolConsole.message(e.getMessage());
      ToolConsole.message(USAGE);
      System.exit(2);
      return;
    }
    if (options == null) {
      ToolConsole.output(USAGE);
      return;
    }
    if (options.acceptsAnyToken()) {
      LOGGER.warn("No --token given: accepting any non-empty token");
    }
    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(new FinnhubEmulator(options)).await();
    } catch (RuntimeException e) {
      LOGGER.error("Finnhub emulator failed to start", e);
      vertx.close();
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOGGER.warn("Vert.x did not close cleanly", e);
      }
    }, "emulator-shutdown"));
  }

  /** Parses the command line; returns {@code null} when help was asked for. */
  static EmulatorOptions parseArgs(String[] args) {
    EmulatorOptions options = EmulatorOptions.defaults().withPort(DEFAULT_CLI_PORT);
    Set<String> tokens = new LinkedHashSet<>();
    Set<String> invalid = new LinkedHashSet<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        return null;
      }
      if (!arg.startsWith("--")) {
        // Not echoed: a misplaced argument may be a token.
        throw new IllegalArgumentException("Unexpected argument at position " + (i + 1) + "; options start with --");
      }
      int eq = arg.indexOf('=');
      String name = eq > 0 ? arg.substring(0, eq) : arg;
      if (!CLI_OPTIONS.contains(name)) {
        throw new IllegalArgumentException("Unknown option: " + name);
      }
      String value;
      if (eq > 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("Missing value for " + arg);
      }
      try {
        options = switch (name) {
          case "--host" -> options.withHost(value);
          case "--port" -> options.withPort(Integer.parseInt(value));
          case "--token" -> {
            tokens.add(value);
            yield options;
          }
          case "--rate" -> options.withTradesPerSecond(Double.parseDouble(value));
          case "--total" -> options.withTotalTrades(Long.parseLong(value));
          case "--cap" -> options.withSymbolCap(Integer.parseInt(value));
          case "--ping-ms" -> options.withPingIntervalMs(Long.parseLong(value));
          case "--max-per-frame" -> options.withMaxTradesPerFrame(Integer.parseInt(value));
          case "--seed" -> options.withSeed(Long.parseLong(value));
          case "--invalid" -> {
            invalid.add(value);
            yield options;
          }
          case "--disconnect-every" -> options.withDisconnectEveryTrades(Long.parseLong(value));
          case "--malformed-ratio" -> options.withMalformedFrameRatio(Double.parseDouble(value));
          case "--one-connection-per-token" -> options.withOneConnectionPerToken(parseBoolean(name, value));
          default -> throw new IllegalArgumentException("Unknown option: " + name);
        };
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Not a number for " + name + ": " + value);
      }
    }
    return options.withAcceptedTokens(tokens).withInvalidSymbols(invalid);
  }

  private static boolean parseBoolean(String name, String value) {
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("Expected true or false for " + name + ": " + value);
    };
  }
}
