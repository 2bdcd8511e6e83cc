package dev.finnhubstream.ingest;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.Backpressure;
import dev.finnhubstream.config.FinnhubConfig;
import dev.finnhubstream.config.Secret;
import dev.finnhubstream.gaps.GapReason;
import dev.finnhubstream.gaps.GapTracker;
import dev.finnhubstream.log.Redactor;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Finnhub API key's ingest, on one event loop: it opens the {@link FinnhubConnection} of the key's shard of the
 * symbols, routes every frame through a {@link FrameRouter} (trades on {@link Addresses#TRADES}, anything unusable
 * on {@link Addresses#DEAD_LETTERS}), and answers the status, backpressure and runtime-symbol messages addressed to
 * the connection. The connection, the router and the {@link SymbolBook} are plain objects it drives: everything
 * for one connection runs on this verticle's context.
 *
 * <p>The token is never logged: it goes into the handshake's request URI only; the URL logged is the configured
 * one, which cannot carry a token, and every text from a client error or a frame passes through the
 * {@link Redactor} of the keys.
 */
public final class FinnhubWebSocketVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(FinnhubWebSocketVerticle.class);

  private final FinnhubConfig config;
  private final String connectionName;
  private final Secret token;
  private final List<String> shard;
  private final String runId;
  /** A removed key keeps its place (name, slot) and answers status, but never connects. */
  private final boolean retired;
  private final AtomicLong frameSequence;
  private final ConnectionPermit permit;
  private final IngestCounters counters = new IngestCounters();

  private SymbolBook book;
  private FinnhubConnection connection;
  private FrameRouter frames;
  private GapTracker gaps;
  private WebSocketClient client;
  private MessageConsumer<Void> statusConsumer;
  private MessageConsumer<SymbolChange> symbolsConsumer;
  private MessageConsumer<Backpressure> backpressureConsumer;
  private MessageConsumer<SlotCommand> controlConsumer;
  private long permitTimer = -1;
  /** Symbols held for another key (re-sharding): symbol → that key's connection. */
  private final Map<String, String> borrowedFrom = new LinkedHashMap<>();
  /** Since when at least one of this key's symbols has been lent out; 0 = none. */
  private long lentSinceMs;

  /**
   * @param config        the Finnhub section
   * @param keyIndex      which key of {@code config.tokens()} this connection uses (0 when there is none)
   * @param runId         unique per process start; prefixes every ingest id
   * @param frameSequence shared by all connections of the process, so ingest ids never collide between them
   */
  public FinnhubWebSocketVerticle(FinnhubConfig config, int keyIndex, String runId, AtomicLong frameSequence) {
    this(config, keyIndex, runId, frameSequence, ConnectionPermit.ALWAYS);
  }

  /** @param permit whether this instance may hold the key now (several instances); {@link ConnectionPermit#ALWAYS} alone */
  public FinnhubWebSocketVerticle(FinnhubConfig config, int keyIndex, String runId, AtomicLong frameSequence, ConnectionPermit permit) {
    this.retired = config.retired(keyIndex);
    this.permit = permit;
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
    Redactor redactor = new Redactor(config.tokens());
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
    connection = new FinnhubConnection(connectionName, config, new VertxIo(), book, counters, redactor, random, permit);
    frames = new FrameRouter(connectionName, runId, frameSequence, book, counters, redactor, connection, vertx.eventBus());
    gaps = new GapTracker(connectionName, System.currentTimeMillis(), gap -> vertx.eventBus().publish(Addresses.GAP_EVENTS, gap));
    connection.onSubscriptionChange(() -> gaps.observe(System.currentTimeMillis(), subscriptionView()));
    statusConsumer = vertx.eventBus().consumer(Addresses.statusIngest(connectionName), msg -> msg.reply(snapshot()));
    backpressureConsumer = vertx.eventBus().consumer(Addresses.BACKPRESSURE, msg -> connection.onBackpressure(msg.body()));
    symbolsConsumer = vertx.eventBus().consumer(Addresses.ingestSymbols(connectionName), msg -> msg.reply(changeSymbol(msg.body())));
    controlConsumer = vertx.eventBus().consumer(Addresses.ingestControl(connectionName), msg -> {
      SlotCommand command = msg.body();
      if (retired) {
        msg.reply(true); // a retired key's slot holds nothing to open or close
      } else if (command.hold()) {
        if (!command.lent().isEmpty()) {
          LOGGER.info("[{}] key taken over with {} symbols lent out by its previous owner: not subscribed until taken back",
            connectionName, command.lent().size());
          command.lent().forEach(this::lend);
        }
        connection.acquire();
        msg.reply(true);
      } else {
        // What it borrowed is not its to keep: the key's next owner starts without it, and the lender's owner may
        // reclaim it (docs/ha.md); the socket is closed, so no unsubscribe is due.
        connection.release(command.reason()).onComplete(ar -> {
          dropBorrowed();
          msg.reply(true);
        });
      }
    });
    if (retired) {
      LOGGER.info("[{}] retired ({} in FINNHUB_TOKEN): no connection; its symbols are on the other keys", connectionName,
        FinnhubConfig.RETIRED_KEY);
    } else if (permit != ConnectionPermit.ALWAYS) {
      // The lease ages on its own: under the fence policy a stale one closes the connection, a fresh one reopens it.
      permitTimer = vertx.setPeriodic(100, id -> {
        if (!permit.mayKeepOpen()) {
          connection.release("this instance cannot prove it still holds the key (lease stale)");
        } else if (permit.mayOpen()) {
          connection.acquire();
        }
      });
    }
    // Start-up does not wait for Finnhub: the service must come up (and report) while Finnhub is down.
    if (!retired) {
      connection.open(frames);
    }
    return Future.join(statusConsumer.completion(), backpressureConsumer.completion(), symbolsConsumer.completion(),
      controlConsumer.completion());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(permitTimer);
    // Frames read while the socket closed wait for their turn's end: published before the verticle says it stopped.
    return connection.stop().andThen(closed -> frames.onTurnEnd()).eventually(() -> client.close());
  }

  /** The connection's state, as an immutable copy. */
  public ConnectionSnapshot snapshot() {
    return new ConnectionSnapshot(connectionName, retired ? ConnectionState.RETIRED : connection.state(), connection.stateSinceMs(), connection.paused(),
      book.inState(SymbolBook.Status.SUBSCRIBED), book.inState(SymbolBook.Status.PENDING), book.retries(SymbolBook.Status.REFUSED),
      book.retries(SymbolBook.Status.OVER_CAP), book.effectiveCap(), connection.reconnects(), connection.lastError(),
      counters.lastFrameAtMs, frames.lastTradeAtMs(), counters.snapshot(),
      new ConnectionSnapshot.Sharing(connection.unusableSinceMs(), book.inState(SymbolBook.Status.LENT), lentSinceMs, borrowedFrom));
  }

  /**
   * What each symbol of the shard is doing now, for the gap tracker: {@code null} when subscribed on the open
   * connection, else why not. Empty while the key is another instance's (standby) or the connection stopped: then
   * this connection accounts for no symbol.
   */
  private Map<String, GapReason> subscriptionView() {
    Map<String, GapReason> view = new LinkedHashMap<>();
    ConnectionState state = connection.state();
    if (state == ConnectionState.STANDBY || state == ConnectionState.STOPPED) {
      return view;
    }
    GapReason down = switch (state) {
      case KEY_REJECTED -> GapReason.KEY_REJECTED;
      case FENCED -> GapReason.LEASE_LOST;
      case CONNECTED -> null;
      default -> GapReason.DISCONNECTED;
    };
    book.inState(SymbolBook.Status.SUBSCRIBED).forEach(s -> view.put(s, down));
    book.inState(SymbolBook.Status.PENDING).forEach(s -> view.put(s, down == null ? GapReason.DISCONNECTED : down));
    book.inState(SymbolBook.Status.OVER_CAP).forEach(s -> view.put(s, down == null ? GapReason.OVER_CAP : down));
    book.inState(SymbolBook.Status.REFUSED).forEach(s -> view.put(s, down == null ? GapReason.INVALID_SYMBOL : down));
    return view;
  }

  /**
   * A runtime subscription change: held in memory only (the configuration stays the source at start-up). An added
   * symbol is subscribed at the next paced tick; a removed or lent one that was subscribed gets an unsubscribe frame
   * at once, before the answer, so whoever waits for the answer knows it is no longer subscribed here.
   */
  private SymbolChangeResult changeSymbol(SymbolChange change) {
    SymbolChangeResult result = switch (change.action()) {
      case ADD -> add(change.symbol(), change.lender());
      case REMOVE -> remove(change.symbol());
      case LEND -> lend(change.symbol());
      case RECLAIM -> reclaim(change.symbol());
    };
    gaps.observe(System.currentTimeMillis(), subscriptionView());
    return result;
  }

  private SymbolChangeResult add(String symbol, String lender) {
    boolean added = book.add(symbol);
    if (added && lender != null) {
      borrowedFrom.put(symbol, lender);
    } else if (lender == null) {
      // The re-sharding logs its moves itself, one line per move rather than one per symbol.
      LOGGER.info("[{}] symbol {} {} at runtime", connectionName, symbol, added ? "added" : "already held; not added");
    }
    return new SymbolChangeResult(connectionName, symbol,
      added ? SymbolChangeResult.Outcome.ADDED : SymbolChangeResult.Outcome.ALREADY_PRESENT, null);
  }

  private SymbolChangeResult lend(String symbol) {
    SymbolBook.Status was = book.lend(symbol);
    if (was == null) {
      return new SymbolChangeResult(connectionName, symbol, SymbolChangeResult.Outcome.NOT_PRESENT, null);
    }
    if (was == SymbolBook.Status.SUBSCRIBED) {
      connection.unsubscribe(symbol);
    }
    if (lentSinceMs == 0) {
      lentSinceMs = System.currentTimeMillis();
    }
    return new SymbolChangeResult(connectionName, symbol, SymbolChangeResult.Outcome.LENT, null);
  }

  private SymbolChangeResult reclaim(String symbol) {
    boolean reclaimed = book.reclaim(symbol);
    if (book.inState(SymbolBook.Status.LENT).isEmpty()) {
      lentSinceMs = 0;
    }
    return new SymbolChangeResult(connectionName, symbol,
      reclaimed ? SymbolChangeResult.Outcome.RECLAIMED : SymbolChangeResult.Outcome.NOT_PRESENT, null);
  }

  private void dropBorrowed() {
    if (!borrowedFrom.isEmpty()) {
      LOGGER.info("[{}] key given up: lets go of {} borrowed symbols", connectionName, borrowedFrom.size());
      List.copyOf(borrowedFrom.keySet()).forEach(this::remove);
    }
  }

  private SymbolChangeResult remove(String symbol) {
    SymbolBook.Status was = book.remove(symbol);
    if (was == null) {
      return new SymbolChangeResult(connectionName, symbol, SymbolChangeResult.Outcome.NOT_PRESENT, null);
    }
    frames.forget(symbol);
    if (was == SymbolBook.Status.SUBSCRIBED) {
      connection.unsubscribe(symbol);
    }
    if (was == SymbolBook.Status.LENT && book.inState(SymbolBook.Status.LENT).isEmpty()) {
      lentSinceMs = 0;
    }
    if (borrowedFrom.remove(symbol) == null) {
      LOGGER.info("[{}] symbol {} removed at runtime (was {})", connectionName, symbol, was);
    }
    return new SymbolChangeResult(connectionName, symbol, SymbolChangeResult.Outcome.REMOVED, was.name());
  }

  /** The connection's view of Vert.x: this verticle's event loop and timers, and the key's handshake. */
  private final class VertxIo implements FinnhubConnection.Io {

    @Override
    public long nowMs() {
      return System.currentTimeMillis();
    }

    @Override
    public long setTimer(long delayMs, Handler<Long> action) {
      return vertx.setTimer(delayMs, action);
    }

    @Override
    public long setPeriodic(long initialDelayMs, long periodMs, Handler<Long> action) {
      return vertx.setPeriodic(initialDelayMs, periodMs, action);
    }

    @Override
    public void cancelTimer(long id) {
      vertx.cancelTimer(id);
    }

    @Override
    public void runOnContext(Handler<Void> action) {
      context.runOnContext(action);
    }

    @Override
    public Future<FinnhubConnection.Socket> connect() {
      URI uri = config.uri();
      boolean ssl = "wss".equals(uri.getScheme());
      WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(uri.getHost())
        .setPort(uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80)
        .setSsl(ssl)
        .setURI(config.requestUri(token))
        .setTimeout(15_000);
      return client.connect(options).map(VertxSocket::new);
    }
  }

  /** Finnhub's WebSocket as the connection uses it. */
  private record VertxSocket(WebSocket ws) implements FinnhubConnection.Socket {

    @Override
    public void listen(Handler<String> frames, Handler<Throwable> errors, Handler<Void> closed) {
      ws.textMessageHandler(frames);
      ws.exceptionHandler(errors);
      ws.closeHandler(closed);
    }

    @Override
    public void pause() {
      ws.pause();
    }

    @Override
    public void resume() {
      ws.resume();
    }

    @Override
    public void send(String text) {
      ws.writeTextMessage(text);
    }

    @Override
    public Future<Void> close() {
      return ws.close();
    }

    @Override
    public Short closeStatusCode() {
      return ws.closeStatusCode();
    }

    @Override
    public String closeReason() {
      return ws.closeReason();
    }
  }
}
