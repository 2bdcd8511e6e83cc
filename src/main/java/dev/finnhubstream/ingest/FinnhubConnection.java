package dev.finnhubstream.ingest;

import dev.finnhubstream.bus.Backpressure;
import dev.finnhubstream.config.FinnhubConfig;
import dev.finnhubstream.log.Redactor;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of ONE WebSocket connection to Finnhub with ONE API key (Finnhub allows one connection per key; a second
 * one drops both). It connects, subscribes its symbols one frame at a time (paced, so a cap error can be blamed on
 * the latest frame; which symbol is {@link SymbolBook}'s call), hands every text frame on, and never gives up:
 *
 * <ul>
 *   <li>any close, error, failed handshake or timeout ⇒ reconnect with exponential backoff and jitter, reset once a
 *       connection delivered trades (it worked: a server that drops every few seconds costs a short delay each time,
 *       not the cap) or stayed up {@code reconnect_stable_ms}; a connection that delivered nothing keeps the window
 *       growing (a server that accepts and drops at once is not hammered); never a second socket while one is open
 *       or closing;</li>
 *   <li>no frame at all (pings included) for {@code watchdog_ms} ⇒ close and reconnect;</li>
 *   <li>HTTP 401 ⇒ "key rejected", retried after {@code rejected_key_retry_ms}; 429/5xx/any non-101 ⇒ backoff
 *       (a 429's {@code Retry-After} is honoured);</li>
 *   <li>backpressure from the Kafka side ⇒ the socket is not read (TCP then pushes back on Finnhub), and it gives
 *       the event loop back every {@link #READ_TURN_CHARS} characters so that the pause arrives in time.</li>
 * </ul>
 *
 * <p>A plain object that {@link FinnhubWebSocketVerticle} drives, as it drives {@link SymbolBook}: every method runs
 * on that verticle's event loop, so plain fields suffice. What it needs from Vert.x (the clock, timers, the next
 * turn, the handshake, the socket) comes through {@link Io} and {@link Socket}, so unit tests drive it by hand. It
 * never sees the token; every client error text passes through the {@link Redactor}.
 */
final class FinnhubConnection {

  private static final Logger LOGGER = LoggerFactory.getLogger(FinnhubConnection.class);
  /** Frame characters read per event-loop turn (one turn is a few hundred trades; see yieldAfterTurn). */
  static final int READ_TURN_CHARS = 64 * 1024;

  /** What the connection does with its socket: Vert.x's {@code WebSocket} in production, a fake in unit tests. */
  interface Socket {

    /** Wires the socket's events to the connection: text frames, errors, and its close. */
    void listen(Handler<String> frames, Handler<Throwable> errors, Handler<Void> closed);

    void pause();

    void resume();

    void send(String text);

    /** Starts the close handshake; completes when the socket is gone. */
    Future<Void> close();

    /** The close frame's status code, or {@code null} when there was none. */
    Short closeStatusCode();

    String closeReason();
  }

  /** What the connection needs from Vert.x: its clock, its timers, its event loop's next turn, the handshake. */
  interface Io {

    long nowMs();

    long setTimer(long delayMs, Handler<Long> action);

    long setPeriodic(long initialDelayMs, long periodMs, Handler<Long> action);

    void cancelTimer(long id);

    /** Runs {@code action} on a later turn of the connection's event loop. */
    void runOnContext(Handler<Void> action);

    /** Opens a socket to Finnhub; a handshake answered with another status than 101 fails with {@link UpgradeRejectedException}. */
    Future<Socket> connect();
  }

  /** Takes every text frame of the connection, in order. */
  interface FrameHandler {

    /**
     * @param live {@code false} for a frame from a socket being given up: kept (Finnhub never replays it), but
     *             whatever it says about subscriptions concerns a connection that is gone
     */
    void onFrame(String text, long receivedAtMs, boolean live);

    /**
     * The frames of this event-loop turn are all in (one network read holds many at busy times), or the socket is
     * going: publish what was held back for them. Called after the turn's last {@link #onFrame}, and before any
     * close or state change the connection makes, so nothing published later overtakes these frames' trades.
     */
    default void onTurnEnd() {
    }
  }

  private final String name;
  private final FinnhubConfig config;
  private final Io io;
  private final SymbolBook book;
  private final IngestCounters counters;
  private final Redactor redactor;
  private final RandomGenerator random;
  private final Backoff backoff;
  private final ConnectionPermit permit;
  private FrameHandler frames;
  /** A task at the end of this event-loop turn will call {@link FrameHandler#onTurnEnd}. */
  private boolean turnEndScheduled;
  /** Told after every change of what is subscribed: the state, a subscribe sent, Finnhub refusing a symbol. */
  private Runnable subscriptionChanged = () -> { };

  private Socket socket;
  /** The previous socket while its close completes: no new connection before it is gone. */
  private Future<Void> closing = Future.succeededFuture();
  private ConnectionState state = ConnectionState.BACKOFF;
  private long stateSinceMs;
  /** Since when the key has been unusable (refused or fenced) without a connection in between; 0 = usable. */
  private long unusableSinceMs;
  private long connectedAtMs;
  /** {@code counters.trades} when the current socket opened: more trades at its close means it delivered. */
  private long tradesAtConnect;
  private long reconnectTimer = -1;
  private long stableTimer = -1;
  private long subscribeTimer = -1;
  private long watchdogTimer = -1;
  private long reconnects;
  private String lastError;
  /** Set by the Kafka side: while true the socket is not read, so TCP pushes back on Finnhub. */
  private boolean paused;
  /** Frame characters handled since the connection last gave the event loop back (see {@link #READ_TURN_CHARS}). */
  private long charsThisTurn;
  private boolean yielding;
  private boolean stopping;

  /**
   * @param name     the connection's label in logs and status, never the key
   * @param book     the symbols it subscribes; shared with the frame handler, which applies Finnhub's errors to it
   * @param counters shared with the frame handler
   * @param redactor hides the keys in client error texts
   * @param random   jitter of the reconnect delays
   */
  FinnhubConnection(String name, FinnhubConfig config, Io io, SymbolBook book, IngestCounters counters, Redactor redactor,
                    RandomGenerator random) {
    this(name, config, io, book, counters, redactor, random, ConnectionPermit.ALWAYS);
  }

  /** @param permit whether the connection may be open (several instances); {@link ConnectionPermit#ALWAYS} alone */
  FinnhubConnection(String name, FinnhubConfig config, Io io, SymbolBook book, IngestCounters counters, Redactor redactor,
                    RandomGenerator random, ConnectionPermit permit) {
    this.permit = permit;
    this.name = name;
    this.config = config;
    this.io = io;
    this.book = book;
    this.counters = counters;
    this.redactor = redactor;
    this.random = random;
    this.backoff = new Backoff(config.reconnectInitialMs(), config.reconnectMaxMs(), random);
    this.stateSinceMs = io.nowMs();
  }

  /** Who is told after every change of what is subscribed (the gap tracker); set before {@link #open}. */
  void onSubscriptionChange(Runnable listener) {
    this.subscriptionChanged = listener;
  }

  /** Starts the watchdog and the first connection attempt; from now on {@code frames} gets every text frame. */
  void open(FrameHandler frames) {
    this.frames = frames;
    long watchdogTick = Math.max(50, Math.min(1_000, config.watchdogMs() / 5));
    watchdogTimer = io.setPeriodic(watchdogTick, watchdogTick, id -> checkWatchdog());
    connect();
  }

  /** Stops for good: no more attempts; completes once the socket (or the one still closing) is gone. */
  Future<Void> stop() {
    endTurnNow();
    stopping = true;
    setState(ConnectionState.STOPPED);
    io.cancelTimer(reconnectTimer);
    io.cancelTimer(stableTimer);
    io.cancelTimer(subscribeTimer);
    io.cancelTimer(watchdogTimer);
    Socket ws = socket;
    socket = null;
    return ws == null ? closing : ws.close().otherwiseEmpty();
  }

  /**
   * Several instances: the key may not stay open here (its slot moved, or the lease went stale under the fence
   * policy). Closes the socket and stops reconnecting; completes once the socket is gone, so that the caller may let
   * another instance open the key (break before make). Frames still arriving meanwhile are kept, as on any close.
   */
  Future<Void> release(String why) {
    endTurnNow();
    io.cancelTimer(reconnectTimer);
    io.cancelTimer(stableTimer);
    io.cancelTimer(subscribeTimer);
    Socket ws = socket;
    socket = null;
    if (!stopping) {
      setState(permit.waitingState());
    }
    if (ws != null) {
      counters.disconnects++;
      LOGGER.info("[{}] closing: {}", name, why);
      closing = ws.close().otherwiseEmpty();
    }
    return closing;
  }

  /**
   * Several instances: the key may be open here now. Connects at once when the connection was waiting for the key
   * (standby or fenced); a connection in backoff or with a rejected key keeps its delay.
   */
  void acquire() {
    boolean waitingForKey = state == ConnectionState.STANDBY || state == ConnectionState.FENCED;
    if (!stopping && socket == null && waitingForKey && permit.mayOpen()) {
      io.cancelTimer(reconnectTimer);
      closing.onComplete(v -> connect());
    }
  }

  /** Sends an unsubscribe frame for {@code symbol} on the open socket; nothing when there is none. */
  void unsubscribe(String symbol) {
    if (socket != null) {
      socket.send(subscription("unsubscribe", symbol));
    }
  }

  /** Records a failure Finnhub reported on the open connection (already redacted): it becomes the last error. */
  void reportError(String error) {
    lastError = error;
    LOGGER.warn("[{}] {}", name, error);
    subscriptionChanged.run(); // the errors Finnhub reports are about symbols: the book may have changed
  }

  /** Backpressure from the Kafka side: stops or resumes reading. */
  void onBackpressure(Backpressure signal) {
    if (signal.paused() == paused) {
      return;
    }
    paused = signal.paused();
    if (paused) {
      counters.pauses++;
    } else {
      counters.lastFrameAtMs = io.nowMs(); // restart the watchdog's count
    }
    LOGGER.info("[{}] {} reading from Finnhub: {}", name, paused ? "pausing" : "resuming", signal.reason());
    if (socket != null) {
      if (paused) {
        socket.pause();
      } else {
        socket.resume();
      }
    }
  }

  ConnectionState state() {
    return state;
  }

  long stateSinceMs() {
    return stateSinceMs;
  }

  /**
   * Since when the key has been refused (401) or fenced, through the retries in between (a retry passes through
   * {@code CONNECTING} and often {@code BACKOFF}, which do not make the key usable); 0 once a connection opened
   * again, or while another instance holds the key. What the re-sharding waits on before it moves the symbols.
   */
  long unusableSinceMs() {
    return unusableSinceMs;
  }

  boolean paused() {
    return paused;
  }

  /** Successful connections after the first. */
  long reconnects() {
    return reconnects;
  }

  /** The latest failure, redacted; {@code null} if none yet. */
  String lastError() {
    return lastError;
  }

  // ---- connecting ------------------------------------------------------------------------------

  private void connect() {
    if (stopping || socket != null || state == ConnectionState.CONNECTING) {
      return; // one connection per key, always
    }
    if (!permit.mayOpen()) {
      // Several instances: not ours, or not provably ours. acquire() connects once it is.
      io.cancelTimer(reconnectTimer);
      setState(permit.waitingState());
      return;
    }
    setState(ConnectionState.CONNECTING);
    counters.connectAttempts++;
    LOGGER.info("[{}] connecting to {} ({} symbols)", name, config.url(), book.size());
    io.connect().onComplete(ar -> {
      if (ar.succeeded()) {
        onConnected(ar.result());
      } else {
        onConnectFailed(ar.cause());
      }
    });
  }

  private void onConnected(Socket ws) {
    if (stopping || !permit.mayKeepOpen()) {
      // Stopping, or the key moved to another instance during the handshake: never hold it.
      ws.close();
      if (!stopping) {
        setState(permit.waitingState());
      }
      return;
    }
    socket = ws;
    long now = io.nowMs();
    if (connectedAtMs > 0) {
      reconnects++;
    }
    connectedAtMs = now;
    tradesAtConnect = counters.trades;
    counters.lastFrameAtMs = now; // the watchdog counts from the handshake
    book.onConnected(); // before the state says CONNECTED: the old socket's subscriptions are gone with it
    setState(ConnectionState.CONNECTED);
    LOGGER.info("[{}] connected to {}; subscribing {} symbols", name, config.url(), book.size());
    ws.listen(text -> onText(ws, text), e -> {
      if (socket == ws) {
        lastError = "connection error: " + redact(e);
        LOGGER.warn("[{}] {}", name, lastError);
      }
    }, v -> onClosed(ws));
    if (paused) {
      ws.pause();
    }
    stableTimer = io.setTimer(Math.max(1, config.reconnectStableMs()), id -> {
      if (socket == ws) {
        backoff.reset();
      }
    });
    subscribeTimer = io.setPeriodic(0, Math.max(1, 1_000 / config.subscribesPerSecond()), id -> subscribeNext(ws));
  }

  /** One subscribe frame per tick: pending symbols first, then refused or over-cap ones whose retry is due. */
  private void subscribeNext(Socket ws) {
    if (socket != ws) {
      return;
    }
    long changesBefore = book.changes();
    String symbol = book.nextToSubscribe(io.nowMs());
    if (symbol != null) {
      counters.subscribeFrames++;
      ws.send(subscription("subscribe", symbol));
    }
    // Ticks run all the connection's life; only one that changed the book (a subscribe, symbols set over cap) is news.
    if (book.changes() != changesBefore) {
      subscriptionChanged.run();
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
        LOGGER.error("[{}] {}", name, lastError);
        long delay = (long) (config.rejectedKeyRetryMs() * (0.8 + 0.4 * random.nextDouble()));
        scheduleReconnect(ConnectionState.KEY_REJECTED, delay);
        return;
      }
      lastError = "handshake answered HTTP " + status + " instead of 101";
      long delay = backoff.nextDelayMs();
      if (status == 429) {
        delay = Math.max(delay, retryAfterMs(rejected));
      }
      LOGGER.warn("[{}] {}", name, lastError);
      scheduleReconnect(ConnectionState.BACKOFF, delay);
      return;
    }
    lastError = "connect failed: " + redact(cause);
    LOGGER.warn("[{}] {}", name, lastError);
    scheduleReconnect(ConnectionState.BACKOFF, backoff.nextDelayMs());
  }

  // ---- frames and the read turns ---------------------------------------------------------------

  private void onText(Socket ws, String text) {
    yieldAfterTurn(ws, text.length());
    // Frames that still arrive on a socket being closed are kept: Finnhub never replays them.
    long receivedAt = io.nowMs();
    counters.lastFrameAtMs = receivedAt;
    frames.onFrame(text, receivedAt, socket == ws);
    if (!turnEndScheduled) {
      turnEndScheduled = true;
      io.runOnContext(v -> {
        turnEndScheduled = false;
        frames.onTurnEnd();
      });
    }
  }

  /** Before the connection closes a socket or changes state: the frames already read go first. */
  private void endTurnNow() {
    if (frames != null) {
      frames.onTurnEnd();
    }
  }

  /**
   * Pauses the socket for one event-loop turn once a turn handled {@link #READ_TURN_CHARS}. One network read can
   * hold a megabyte of frames, all published before the Kafka writer sees the first: its pause signal would
   * come too late to bound its queue. Giving the loop back every few dozen kilobytes lets the writer count
   * what was published and pause us in time, so its queue overshoots the high watermark by a turn or two at most.
   */
  private void yieldAfterTurn(Socket ws, int chars) {
    charsThisTurn += chars;
    if (charsThisTurn < READ_TURN_CHARS || yielding) {
      return;
    }
    yielding = true;
    ws.pause();
    io.runOnContext(v -> {
      charsThisTurn = 0;
      yielding = false;
      if (!paused && socket == ws) {
        ws.resume();
      }
    });
  }

  // ---- losing the connection -------------------------------------------------------------------

  private void onClosed(Socket ws) {
    if (socket != ws) {
      return; // an abandoned socket finishing its close
    }
    endTurnNow();
    socket = null;
    counters.disconnects++;
    if (!stopping) {
      lastError = "connection closed by Finnhub (status " + ws.closeStatusCode() + ", reason " + ws.closeReason() + ")";
      LOGGER.warn("[{}] {}", name, lastError);
      afterDisconnect();
    }
  }

  private void checkWatchdog() {
    if (socket == null || paused) {
      return; // while paused we do not read, so silence is ours, not Finnhub's
    }
    long silentMs = io.nowMs() - counters.lastFrameAtMs;
    if (silentMs > config.watchdogMs()) {
      counters.watchdogTrips++;
      abandon("no frame for " + silentMs + " ms (watchdog at " + config.watchdogMs() + " ms)");
    }
  }

  /** Gives up on the current socket (watchdog): closes it, and reconnects only once the close completed. */
  private void abandon(String reason) {
    endTurnNow();
    Socket ws = socket;
    socket = null;
    counters.disconnects++;
    lastError = reason;
    LOGGER.warn("[{}] {}; reconnecting", name, reason);
    closing = ws.close().otherwiseEmpty();
    afterDisconnect();
  }

  private void afterDisconnect() {
    io.cancelTimer(stableTimer);
    io.cancelTimer(subscribeTimer);
    if (counters.trades > tradesAtConnect) {
      backoff.reset(); // it subscribed and delivered: the next attempt is the first of a new series
    }
    scheduleReconnect(ConnectionState.BACKOFF, backoff.nextDelayMs());
  }

  private void scheduleReconnect(ConnectionState waitState, long delayMs) {
    if (stopping) {
      return;
    }
    setState(waitState);
    counters.lastReconnectDelayMs = delayMs;
    LOGGER.info("[{}] reconnecting in {} ms", name, delayMs);
    reconnectTimer = io.setTimer(Math.max(1, delayMs), id -> closing.onComplete(v -> connect()));
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private void setState(ConnectionState next) {
    if (state != next) {
      state = next;
      stateSinceMs = io.nowMs();
      subscriptionChanged.run();
    }
    switch (next) {
      case KEY_REJECTED, FENCED -> unusableSinceMs = unusableSinceMs == 0 ? Math.max(1, stateSinceMs) : unusableSinceMs;
      case CONNECTED, STANDBY -> unusableSinceMs = 0;
      default -> {
        // connecting, backing off or stopping says nothing new about the key
      }
    }
  }

  /** A subscribe or unsubscribe frame. A JSON encoder, not string concatenation: symbols contain spaces and colons. */
  private static String subscription(String type, String symbol) {
    return new JsonObject().put("type", type).put("symbol", symbol).encode();
  }

  private static long retryAfterMs(UpgradeRejectedException rejected) {
    String header = rejected.getHeaders() == null ? null : rejected.getHeaders().get("Retry-After");
    try {
      return header == null ? 0 : Math.min(3_600_000, Long.parseLong(header.strip()) * 1000);
    } catch (NumberFormatException e) {
      return 0; // an HTTP date: fall back to the backoff
    }
  }

  private String redact(Throwable e) {
    return redactor.redact(e.getClass().getSimpleName() + ": " + e.getMessage());
  }
}
