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
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the one WebSocket connection to Finnhub: connects, subscribes every configured symbol, parses
 * each frame into trades and publishes them on {@link Addresses#TRADES}, and reconnects with backoff
 * after any close or failure. It never logs the token: the URL it logs is the configured one, which
 * cannot carry a token, and client errors pass through {@link Secret#redact}.
 */
public final class FinnhubWebSocketVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(FinnhubWebSocketVerticle.class);
  /** A connection that lasts this long resets the backoff; resetting on open would let a flapping server spin us. */
  private static final long STABLE_AFTER_MS = 30_000;
  private static final int LOGGED_PAYLOAD_CHARS = 200;

  private final FinnhubConfig config;
  private final String runId;
  private final String connectionName;
  private final Secret token;
  private final FinnhubFrameParser parser = new FinnhubFrameParser();
  private final IngestCounters counters = new IngestCounters();

  private Backoff backoff;
  private WebSocketClient client;
  private MessageConsumer<JsonObject> statusConsumer;
  private MessageConsumer<Backpressure> backpressureConsumer;
  /** Set by the Kafka side: while true the socket is not read, so TCP pushes back on Finnhub. */
  private boolean paused;
  private WebSocket socket;
  private long reconnectTimer = -1;
  private long stableTimer = -1;
  private long frameSeq;
  private volatile boolean stopping;

  /**
   * @param config         the Finnhub section
   * @param runId          unique per process start; prefixes every ingest id
   * @param connectionName a label for logs and status (e.g. {@code key-1}); never the token
   */
  public FinnhubWebSocketVerticle(FinnhubConfig config, String runId, String connectionName) {
    this.config = config;
    this.runId = runId;
    this.connectionName = connectionName;
    this.token = config.tokens().isEmpty() ? null : config.tokens().get(0);
  }

  @Override
  public Future<?> start() {
    backoff = new Backoff(config.reconnectInitialMs(), config.reconnectMaxMs(), ThreadLocalRandom.current());
    client = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxFrameSize(config.maxMessageBytes())
      .setMaxMessageSize(config.maxMessageBytes())
      .setConnectTimeout(10_000));
    statusConsumer = vertx.eventBus().consumer(Addresses.STATUS_INGEST, msg -> msg.reply(status()));
    backpressureConsumer = vertx.eventBus().consumer(Addresses.BACKPRESSURE, msg -> onBackpressure(msg.body()));
    // Start-up does not wait for Finnhub: the service must come up (and report) while Finnhub is down.
    connect();
    return Future.join(statusConsumer.completion(), backpressureConsumer.completion());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(reconnectTimer);
    vertx.cancelTimer(stableTimer);
    Future<Void> closed = socket == null ? Future.succeededFuture() : socket.close().otherwiseEmpty();
    return closed.eventually(() -> client.close());
  }

  private void connect() {
    if (stopping) {
      return;
    }
    counters.connectAttempts++;
    URI uri = config.uri();
    boolean ssl = "wss".equals(uri.getScheme());
    WebSocketConnectOptions options = new WebSocketConnectOptions()
      .setHost(uri.getHost())
      .setPort(uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80)
      .setSsl(ssl)
      .setURI(config.requestUri(token));
    LOGGER.info("[{}] connecting to {}", connectionName, config.url());
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
    counters.connectedSinceMs = System.currentTimeMillis();
    counters.lastError = null;
    LOGGER.info("[{}] connected to {}; subscribing {} symbols", connectionName, config.url(), config.symbols().size());
    ws.textMessageHandler(this::onFrame);
    if (paused) {
      ws.pause();
    }
    ws.exceptionHandler(e -> LOGGER.warn("[{}] connection error: {}", connectionName, redact(e)));
    ws.closeHandler(v -> onClosed(ws));
    stableTimer = vertx.setTimer(STABLE_AFTER_MS, id -> {
      if (socket == ws) {
        backoff.reset();
      }
    });
    for (String symbol : config.symbols()) {
      // A JSON encoder, not string concatenation: symbols contain spaces and colons.
      ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("symbol", symbol).encode());
    }
  }

  private void onBackpressure(Backpressure signal) {
    if (signal.paused() == paused) {
      return;
    }
    paused = signal.paused();
    if (paused) {
      counters.pauses++;
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

  private void onConnectFailed(Throwable cause) {
    String reason;
    if (cause instanceof UpgradeRejectedException rejected && rejected.getStatus() == 401) {
      reason = "Finnhub rejected the API key (HTTP 401): check FINNHUB_TOKEN";
      LOGGER.error("[{}] {}", connectionName, reason);
    } else if (cause instanceof UpgradeRejectedException rejected) {
      reason = "handshake answered HTTP " + rejected.getStatus() + " instead of 101";
      LOGGER.warn("[{}] {}", connectionName, reason);
    } else {
      reason = redact(cause);
      LOGGER.warn("[{}] connect failed: {}", connectionName, reason);
    }
    counters.lastError = reason;
    scheduleReconnect();
  }

  private void onClosed(WebSocket ws) {
    if (socket != ws) {
      return;
    }
    socket = null;
    vertx.cancelTimer(stableTimer);
    counters.connectedSinceMs = 0;
    if (!stopping) {
      counters.disconnects++;
      LOGGER.warn("[{}] connection closed by peer (status {}, reason {})", connectionName, ws.closeStatusCode(), ws.closeReason());
      scheduleReconnect();
    }
  }

  private void scheduleReconnect() {
    if (stopping) {
      return;
    }
    long delay = backoff.nextDelayMs();
    LOGGER.info("[{}] reconnecting in {} ms (attempt {})", connectionName, delay, backoff.attempts());
    reconnectTimer = vertx.setTimer(delay, id -> connect());
  }

  private void onFrame(String text) {
    long receivedAt = System.currentTimeMillis();
    long seq = ++frameSeq;
    counters.frames++;
    counters.bytes += text.length();
    counters.lastFrameAtMs = receivedAt;
    FinnhubMessage message = parser.parse(text, receivedAt, runId + "-" + seq + "-");
    // Java 17: no pattern switch yet, so an instanceof chain over the sealed interface.
    if (message instanceof FinnhubMessage.Trades t) {
      if (!t.trades().isEmpty()) {
        counters.trades += t.trades().size();
        vertx.eventBus().publish(Addresses.TRADES, new TradeBatch(connectionName, seq, receivedAt, t.trades()));
      }
      if (!t.rejected().isEmpty()) {
        counters.rejectedTrades += t.rejected().size();
        for (FinnhubMessage.RejectedTrade r : t.rejected()) {
          vertx.eventBus().publish(Addresses.DEAD_LETTERS,
            new DeadLetter("invalid_trade:" + r.reason(), r.raw(), receivedAt, connectionName, seq));
        }
        logSampled(counters.rejectedTrades, "[{}] {} invalid trade(s) in frame {} (first: {}); payload: {}",
          connectionName, t.rejected().size(), seq, t.rejected().get(0).reason(), truncate(text));
      }
    } else if (message instanceof FinnhubMessage.Ping) {
      counters.pings++;
    } else if (message instanceof FinnhubMessage.ServerError e) {
      counters.serverErrors++;
      counters.lastError = "server error: " + e.message();
      LOGGER.warn("[{}] Finnhub error: {}", connectionName, e.message());
    } else if (message instanceof FinnhubMessage.Unknown u) {
      counters.unknownFrames++;
      logSampled(counters.unknownFrames, "[{}] ignored frame of unknown type \"{}\"", connectionName, u.type());
    } else if (message instanceof FinnhubMessage.Malformed m) {
      counters.malformedFrames++;
      vertx.eventBus().publish(Addresses.DEAD_LETTERS, new DeadLetter("malformed:" + m.reason(), text, receivedAt, connectionName, seq));
      logSampled(counters.malformedFrames, "[{}] malformed frame {} ({}): {}", connectionName, seq, m.reason(), truncate(text));
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
    String text = e.getClass().getSimpleName() + ": " + e.getMessage();
    return token == null ? text : token.redact(text);
  }

  private JsonObject status() {
    return counters.toJson()
      .put("connection", connectionName)
      .put("url", config.url())
      .put("state", socket != null ? "CONNECTED" : stopping ? "STOPPED" : "RECONNECTING")
      .put("paused", paused)
      .put("symbols", config.symbols().size());
  }
}
