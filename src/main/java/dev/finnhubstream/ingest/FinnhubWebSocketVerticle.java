package dev.finnhubstream.ingest;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.Backpressure;
import dev.finnhubstream.bus.DeadLetter;
import dev.finnhubstream.bus.TradeBatch;
import dev.finnhubstream.config.FinnhubConfig;
import dev.finnhubstream.config.Secret;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds ONE WebSocket connection to Finnhub with ONE API key (Finnhub allows one connection per key; a
 * second one drops both), for one shard of the symbols. It connects, subscribes its symbols one frame at
 * a time (paced, so a cap error can be blamed on the latest frame), parses every frame, publishes the
 * trades on {@link Addresses#TRADES} and anything unusable on {@link Addresses#DEAD_LETTERS}, and never
 * gives up:
 *
 * <ul>
 *   <li>any close, error, failed handshake or timeout ⇒ reconnect with exponential backoff and jitter,
 *       reset only after {@code reconnect_stable_ms} of stable connection; never a second socket while one
 *       is open or closing;</li>
 *   <li>no frame at all (pings included) for {@code watchdog_ms} ⇒ close and reconnect;</li>
 *   <li>HTTP 401 ⇒ "key rejected", retried after {@code rejected_key_retry_ms}; 429/5xx/any non-101 ⇒ backoff
 *       (a 429's {@code Retry-After} is honoured);</li>
 *   <li>{@code Subscribing to too many symbols} and {@code Invalid symbol X} ⇒ see {@link SymbolBook}.</li>
 * </ul>
 *
 * <p>The token is never logged: the URL it logs is the configured one, which cannot carry a token, and
 * every client error text passes through {@link Secret#redact}.
 */
public final class FinnhubWebSocketVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(FinnhubWebSocketVerticle.class);
  private static final int LOGGED_PAYLOAD_CHARS = 200;
  private static final String TOO_MANY_SYMBOLS = "Subscribing to too many symbols";
  private static final String INVALID_SYMBOL = "Invalid symbol";
  /** Frame characters read per event-loop turn (one turn is a few hundred trades; see yieldAfterTurn). */
  static final int READ_TURN_CHARS = 64 * 1024;

  private final FinnhubConfig config;
  private final String connectionName;
  private final Secret token;
  private final List<String> shard;
  private final String runId;
  private final AtomicLong frameSequence;
  private final FinnhubFrameParser parser = new FinnhubFrameParser();
  private final IngestCounters counters = new IngestCounters();
  private final Map<String, Long> lastTradeAtMs = new HashMap<>();

  private Backoff backoff;
  private SymbolBook book;
  private WebSocketClient client;
  private MessageConsumer<JsonObject> statusConsumer;
  private MessageConsumer<JsonObject> symbolsConsumer;
  private MessageConsumer<Backpressure> backpressureConsumer;
  private WebSocket socket;
  /** The previous socket while its close completes: no new connection before it is gone. */
  private Future<Void> closing = Future.succeededFuture();
  private ConnectionState state = ConnectionState.BACKOFF;
  private long stateSinceMs = System.currentTimeMillis();
  private long connectedAtMs;
  private long reconnectTimer = -1;
  private long stableTimer = -1;
  private long subscribeTimer = -1;
  private long watchdogTimer = -1;
  private long reconnects;
  private String lastError;
  /** Set by the Kafka side: while true the socket is not read, so TCP pushes back on Finnhub. */
  private boolean paused;
  /** Frame characters handled since this verticle last gave the event loop back (see {@link #READ_TURN_CHARS}). */
  private long charsThisTurn;
  private boolean yielding;
  private boolean stopping;

  /**
   * @param config        the Finnhub section
   * @param keyIndex      which key of {@code config.tokens()} this connection uses (0 when there is none)
   * @param runId         unique per process start; prefixes every ingest id
   * @param frameSequence shared by all connections of the process, so ingest ids never collide between them
   */
  public FinnhubWebSocketVerticle(FinnhubConfig config, int keyIndex, String runId, AtomicLong frameSequence) {
    this.config = config;
    this.connectionName = connectionName(keyIndex);
    this.token = config.tokens().isEmpty() ? null : config.tokens().get(keyIndex);
    this.shard = config.shard(keyIndex);
    this.runId = runId;
    this.frameSequence = frameSequence;
  }

  /** The label of connection {@code keyIndex} in logs and status: never the key itself. */
  public static String connectionName(int keyIndex) {
    return "key-" + (keyIndex + 1);
  }

  @Override
  public Future<?> start() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    backoff = new Backoff(config.reconnectInitialMs(), config.reconnectMaxMs(), random);
    book = new SymbolBook(shard, config.maxSymbolsPerKey(), config.invalidSymbolRetryMs(), config.overCapRetryMs(), random);
    if (shard.size() > config.maxSymbolsPerKey()) {
      LOGGER.warn("[{}] {} symbols for a cap of {} per key: {} stay unsubscribed (add keys to FINNHUB_TOKEN)",
        connectionName, shard.size(), config.maxSymbolsPerKey(), shard.size() - config.maxSymbolsPerKey());
    }
    client = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxFrameSize(config.maxMessageBytes())
      .setMaxMessageSize(config.maxMessageBytes())
      .setConnectTimeout(10_000)
      // Bounds how long a close waits for Finnhub's close frame, and with it the gap before reconnecting.
      .setClosingTimeout(2));
    statusConsumer = vertx.eventBus().consumer(Addresses.statusIngest(connectionName), msg -> msg.reply(snapshot()));
    backpressureConsumer = vertx.eventBus().consumer(Addresses.BACKPRESSURE, msg -> onBackpressure(msg.body()));
    symbolsConsumer = vertx.eventBus().consumer(Addresses.ingestSymbols(connectionName), msg -> {
      JsonObject body = msg.body();
      String action = body == null ? null : body.getString("action");
      String symbol = body == null ? null : body.getString("symbol");
      if (!("add".equals(action) || "remove".equals(action)) || symbol == null || symbol.isBlank()) {
        msg.fail(400, "expected {\"action\": \"add\"|\"remove\", \"symbol\": \"X\"}");
      } else {
        msg.reply(changeSymbol(action, symbol));
      }
    });
    long watchdogTick = Math.max(50, Math.min(1_000, config.watchdogMs() / 5));
    watchdogTimer = vertx.setPeriodic(watchdogTick, id -> checkWatchdog());
    // Start-up does not wait for Finnhub: the service must come up (and report) while Finnhub is down.
    connect();
    return Future.join(statusConsumer.completion(), backpressureConsumer.completion(), symbolsConsumer.completion());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    setState(ConnectionState.STOPPED);
    vertx.cancelTimer(reconnectTimer);
    vertx.cancelTimer(stableTimer);
    vertx.cancelTimer(subscribeTimer);
    vertx.cancelTimer(watchdogTimer);
    WebSocket ws = socket;
    socket = null;
    Future<Void> closed = ws == null ? closing : ws.close().otherwiseEmpty();
    return closed.eventually(() -> client.close());
  }

  /** The connection's state, as an immutable copy. */
  public ConnectionSnapshot snapshot() {
    return new ConnectionSnapshot(connectionName, state, stateSinceMs, paused, book.inState(SymbolBook.Status.SUBSCRIBED),
      book.inState(SymbolBook.Status.PENDING), book.retries(SymbolBook.Status.REFUSED), book.retries(SymbolBook.Status.OVER_CAP),
      book.effectiveCap(), reconnects, lastError, counters.lastFrameAtMs, lastTradeAtMs, counters.snapshot());
  }

  /**
   * A runtime subscription change, {@code {"action": "add"|"remove", "symbol": "X"}}: held in memory only (the
   * configuration stays the source at start-up). An added symbol is subscribed at the next paced tick; a removed
   * one that was subscribed gets an unsubscribe frame at once.
   */
  private JsonObject changeSymbol(String action, String symbol) {
    JsonObject reply = new JsonObject().put("connection", connectionName).put("symbol", symbol);
    if ("add".equals(action)) {
      boolean added = book.add(symbol);
      LOGGER.info("[{}] symbol {} {} at runtime", connectionName, symbol, added ? "added" : "already held; not added");
      return reply.put("result", added ? "added" : "already_present");
    }
    SymbolBook.Status was = book.remove(symbol);
    if (was == null) {
      return reply.put("result", "not_present");
    }
    lastTradeAtMs.remove(symbol);
    if (was == SymbolBook.Status.SUBSCRIBED && socket != null) {
      socket.writeTextMessage(new JsonObject().put("type", "unsubscribe").put("symbol", symbol).encode());
    }
    LOGGER.info("[{}] symbol {} removed at runtime (was {})", connectionName, symbol, was);
    return reply.put("result", "removed").put("was", was.name());
  }

  // ---- connection life cycle -------------------------------------------------------------------

  private void connect() {
    if (stopping || socket != null || state == ConnectionState.CONNECTING) {
      return; // one connection per key, always
    }
    setState(ConnectionState.CONNECTING);
    counters.connectAttempts++;
    URI uri = config.uri();
    boolean ssl = "wss".equals(uri.getScheme());
    WebSocketConnectOptions options = new WebSocketConnectOptions()
      .setHost(uri.getHost())
      .setPort(uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80)
      .setSsl(ssl)
      .setURI(config.requestUri(token))
      .setTimeout(15_000);
    LOGGER.info("[{}] connecting to {} ({} symbols)", connectionName, config.url(), book.size());
    client.connect(options).onComplete(ar -> {
      if (ar.succeeded()) {
        onConnected(ar.result());
      } else {
        onConnectFailed(ar.cause());
      }
    });
  }

  private void onConnected(WebSocket ws) {
    if (stopping) {
      ws.close();
      return;
    }
    socket = ws;
    long now = System.currentTimeMillis();
    if (connectedAtMs > 0) {
      reconnects++;
    }
    connectedAtMs = now;
    counters.lastFrameAtMs = now; // the watchdog counts from the handshake
    setState(ConnectionState.CONNECTED);
    LOGGER.info("[{}] connected to {}; subscribing {} symbols", connectionName, config.url(), book.size());
    ws.textMessageHandler(text -> onFrame(ws, text));
    ws.exceptionHandler(e -> {
      if (socket == ws) {
        lastError = "connection error: " + redact(e);
        LOGGER.warn("[{}] {}", connectionName, lastError);
      }
    });
    ws.closeHandler(v -> onClosed(ws));
    if (paused) {
      ws.pause();
    }
    book.onConnected();
    stableTimer = vertx.setTimer(Math.max(1, config.reconnectStableMs()), id -> {
      if (socket == ws) {
        backoff.reset();
      }
    });
    subscribeTimer = vertx.setPeriodic(0, Math.max(1, 1_000 / config.subscribesPerSecond()), id -> subscribeNext(ws));
  }

  /** One subscribe frame per tick: pending symbols first, then refused or over-cap ones whose retry is due. */
  private void subscribeNext(WebSocket ws) {
    if (socket != ws) {
      return;
    }
    String symbol = book.nextToSubscribe(System.currentTimeMillis());
    if (symbol != null) {
      counters.subscribeFrames++;
      // A JSON encoder, not string concatenation: symbols contain spaces and colons.
      ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("symbol", symbol).encode());
    }
  }

  private void onConnectFailed(Throwable cause) {
    if (stopping) {
      return;
    }
    counters.failedConnects++;
    if (cause instanceof UpgradeRejectedException rejected) {
      int status = rejected.getStatus();
      if (status == 401) {
        lastError = "Finnhub rejected the API key (HTTP 401): check FINNHUB_TOKEN; retrying in "
          + config.rejectedKeyRetryMs() / 1000 + " s";
        LOGGER.error("[{}] {}", connectionName, lastError);
        long delay = (long) (config.rejectedKeyRetryMs() * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
        scheduleReconnect(ConnectionState.KEY_REJECTED, delay);
        return;
      }
      lastError = "handshake answered HTTP " + status + " instead of 101";
      long delay = backoff.nextDelayMs();
      if (status == 429) {
        delay = Math.max(delay, retryAfterMs(rejected));
      }
      LOGGER.warn("[{}] {}", connectionName, lastError);
      scheduleReconnect(ConnectionState.BACKOFF, delay);
      return;
    }
    lastError = "connect failed: " + redact(cause);
    LOGGER.warn("[{}] {}", connectionName, lastError);
    scheduleReconnect(ConnectionState.BACKOFF, backoff.nextDelayMs());
  }

  private void onClosed(WebSocket ws) {
    if (socket != ws) {
      return; // an abandoned socket finishing its close
    }
    socket = null;
    counters.disconnects++;
    if (!stopping) {
      lastError = "connection closed by Finnhub (status " + ws.closeStatusCode() + ", reason " + ws.closeReason() + ")";
      LOGGER.warn("[{}] {}", connectionName, lastError);
      afterDisconnect();
    }
  }

  /** Gives up on the current socket (watchdog): closes it, and reconnects only once the close completed. */
  private void abandon(String reason) {
    WebSocket ws = socket;
    socket = null;
    counters.disconnects++;
    lastError = reason;
    LOGGER.warn("[{}] {}; reconnecting", connectionName, reason);
    closing = ws.close().otherwiseEmpty();
    afterDisconnect();
  }

  private void afterDisconnect() {
    vertx.cancelTimer(stableTimer);
    vertx.cancelTimer(subscribeTimer);
    scheduleReconnect(ConnectionState.BACKOFF, backoff.nextDelayMs());
  }

  private void scheduleReconnect(ConnectionState waitState, long delayMs) {
    if (stopping) {
      return;
    }
    setState(waitState);
    counters.lastReconnectDelayMs = delayMs;
    LOGGER.info("[{}] reconnecting in {} ms", connectionName, delayMs);
    reconnectTimer = vertx.setTimer(Math.max(1, delayMs), id -> closing.onComplete(v -> connect()));
  }

  private void checkWatchdog() {
    if (socket == null || paused) {
      return; // while paused we do not read, so silence is ours, not Finnhub's
    }
    long silentMs = System.currentTimeMillis() - counters.lastFrameAtMs;
    if (silentMs > config.watchdogMs()) {
      counters.watchdogTrips++;
      abandon("no frame for " + silentMs + " ms (watchdog at " + config.watchdogMs() + " ms)");
    }
  }

  private void onBackpressure(Backpressure signal) {
    if (signal.paused() == paused) {
      return;
    }
    paused = signal.paused();
    if (paused) {
      counters.pauses++;
    } else {
      counters.lastFrameAtMs = System.currentTimeMillis(); // restart the watchdog's count
    }
    LOGGER.info("[{}] {} reading from Finnhub: {}", connectionName, paused ? "pausing" : "resuming", signal.reason());
    if (socket != null) {
      if (paused) {
        socket.pause();
      } else {
        socket.resume();
      }
    }
  }

  // ---- frames ----------------------------------------------------------------------------------

  private void onFrame(WebSocket ws, String text) {
    yieldAfterTurn(ws, text.length());
    // Frames that still arrive on a socket being closed are kept: Finnhub never replays them.
    long receivedAt = System.currentTimeMillis();
    long seq = frameSequence.incrementAndGet();
    counters.frames++;
    counters.bytes += text.length();
    counters.lastFrameAtMs = receivedAt;
    FinnhubMessage message = parser.parse(text, receivedAt, runId + "-" + seq + "-");
    // Java 17: no pattern switch yet, so an instanceof chain over the sealed interface.
    if (message instanceof FinnhubMessage.Trades t) {
      onTrades(t, text, receivedAt, seq);
    } else if (message instanceof FinnhubMessage.Ping) {
      counters.pings++;
    } else if (message instanceof FinnhubMessage.ServerError e) {
      counters.serverErrors++;
      if (socket == ws) { // errors about subscriptions concern the live socket only
        onServerError(ws, e.message(), receivedAt);
      }
    } else if (message instanceof FinnhubMessage.Unknown u) {
      counters.unknownFrames++;
      logSampled(counters.unknownFrames, "[{}] ignored frame of unknown type \"{}\"", connectionName, redact(u.type()));
    } else if (message instanceof FinnhubMessage.Malformed m) {
      counters.malformedFrames++;
      String safe = redact(text);
      vertx.eventBus().publish(Addresses.DEAD_LETTERS, new DeadLetter("malformed:" + m.reason(), safe, receivedAt, connectionName, seq));
      logSampled(counters.malformedFrames, "[{}] malformed frame {} ({}): {}", connectionName, seq, m.reason(), truncate(safe));
    }
  }

  /**
   * Pauses the socket for one event-loop turn once a turn handled {@link #READ_TURN_CHARS}. One network read can
   * hold a megabyte of frames, all published before the Kafka writer sees the first: its pause signal would
   * come too late to bound its queue. Giving the loop back every few dozen kilobytes lets the writer count
   * what was published and pause us in time, so its queue overshoots the high watermark by a turn or two at most.
   */
  private void yieldAfterTurn(WebSocket ws, int chars) {
    charsThisTurn += chars;
    if (charsThisTurn < READ_TURN_CHARS || yielding) {
      return;
    }
    yielding = true;
    ws.pause();
    context.runOnContext(v -> {
      charsThisTurn = 0;
      yielding = false;
      if (!paused && socket == ws) {
        ws.resume();
      }
    });
  }

  private void onTrades(FinnhubMessage.Trades t, String text, long receivedAt, long seq) {
    if (t.trades().isEmpty() && t.rejected().isEmpty()) {
      counters.emptyTradeFrames++; // valid but odd: Finnhub sent "data":[]
    }
    if (!t.trades().isEmpty()) {
      counters.trades += t.trades().size();
      for (var trade : t.trades()) {
        if (book.contains(trade.symbol())) { // bounded: only the shard's symbols are tracked
          lastTradeAtMs.put(trade.symbol(), receivedAt);
        }
      }
      // BusObservers run inside this call, on this thread: the metrics count the batch, the debug tap keeps it.
      vertx.eventBus().publish(Addresses.TRADES, new TradeBatch(connectionName, seq, receivedAt, t.trades()));
    }
    if (!t.rejected().isEmpty()) {
      counters.rejectedTrades += t.rejected().size();
      for (FinnhubMessage.RejectedTrade r : t.rejected()) {
        vertx.eventBus().publish(Addresses.DEAD_LETTERS,
          new DeadLetter("invalid_trade:" + r.reason(), redact(r.raw()), receivedAt, connectionName, seq));
      }
      logSampled(counters.rejectedTrades, "[{}] {} invalid trade(s) in frame {} (first: {}); payload: {}",
        connectionName, t.rejected().size(), seq, t.rejected().get(0).reason(), truncate(redact(text)));
    }
  }

  private void onServerError(WebSocket ws, String serverMessage, long now) {
    String message = redact(serverMessage); // Finnhub may echo what it was sent: a key, in the worst case
    if (message.startsWith(TOO_MANY_SYMBOLS)) {
      counters.capErrors++;
      String blamed = book.onTooManySymbols(now);
      lastError = "Finnhub: " + message + (blamed == null ? "" : " (blamed on " + blamed + "; cap now " + book.effectiveCap() + ")");
      LOGGER.warn("[{}] {}", connectionName, lastError);
      if (blamed != null) {
        ws.writeTextMessage(new JsonObject().put("type", "unsubscribe").put("symbol", blamed).encode());
      }
    } else if (message.startsWith(INVALID_SYMBOL)) {
      counters.invalidSymbolErrors++;
      String named = message.substring(INVALID_SYMBOL.length()).strip();
      String refused = book.onInvalidSymbol(named, now);
      lastError = "Finnhub: " + message + (refused == null ? " (not one of ours)" : "; retrying later");
      LOGGER.warn("[{}] {}", connectionName, lastError);
    } else {
      lastError = "Finnhub error: " + message;
      LOGGER.warn("[{}] {}", connectionName, lastError);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private void setState(ConnectionState next) {
    if (state != next) {
      state = next;
      stateSinceMs = System.currentTimeMillis();
    }
  }

  private static long retryAfterMs(UpgradeRejectedException rejected) {
    String header = rejected.getHeaders() == null ? null : rejected.getHeaders().get("Retry-After");
    try {
      return header == null ? 0 : Math.min(3_600_000, Long.parseLong(header.strip()) * 1000);
    } catch (NumberFormatException e) {
      return 0; // an HTTP date: fall back to the backoff
    }
  }

  /** Logs the 1st..10th occurrence, then every power of two, so a storm of bad frames cannot flood the log. */
  private static void logSampled(long count, String format, Object... args) {
    if (count <= 10 || Long.bitCount(count) == 1) {
      LOGGER.warn(format, args);
    }
  }

  private static String truncate(String text) {
    return text.length() <= LOGGED_PAYLOAD_CHARS ? text : text.substring(0, LOGGED_PAYLOAD_CHARS) + "…(" + text.length() + " chars)";
  }

  private String redact(Throwable e) {
    return redact(e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  /**
   * The text with every Finnhub key replaced: whatever a frame carries (an error echoing the subscribe request, a
   * garbled frame) goes to the log and the dead-letter topic, and a key must reach neither.
   */
  private String redact(String text) {
    String out = text;
    for (Secret s : config.tokens()) {
      out = s.redact(out);
    }
    return out;
  }
}
