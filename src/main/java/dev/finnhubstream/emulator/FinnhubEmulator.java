package dev.finnhubstream.emulator;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for {@code wss://ws.finnhub.io}: the same handshake, client frames and server frames as the
 * real trade stream (finnhub-protocol.md §2-5), with synthetic trades at a chosen rate and budget.
 *
 * <p>Threading: one instance runs on one event loop; the HTTP server it creates hands every connection to that
 * loop, so connection state, the trade budget and the generator need no locks. Only the counters and snapshots
 * read by the accessors are thread-safe.
 *
 * <p>Budget: a trade counts as sent only once the write of its frame succeeded. A failed write (connection
 * gone) returns its trades to the budget, so over reconnects exactly {@code totalTrades} trades are delivered.
 */
public final class FinnhubEmulator extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(FinnhubEmulator.class);

  /** With {@code totalTrades == 0} and {@code recordTrades}, keep at most this many trades in memory. */
  public static final int RECORD_LIMIT_WHEN_UNLIMITED = 1_000_000;
  /** Default port of the command-line emulator (the verticle itself defaults to an ephemeral port). */
  public static final int DEFAULT_CLI_PORT = 8765;

  /** Pacing period when a rate is set; the due number of trades accumulates fractions between ticks. */
  private static final long PACE_PERIOD_MS = 10;
  /** With a rate set, the longest a due trade waits for its frame to fill up. */
  private static final long MAX_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  /** At rate 0, frames written per event-loop turn before yielding to I/O and other connections. */
  private static final int FRAMES_PER_TURN = 64;
  /** Client frames are tiny; large outgoing trade frames should not be fragmented. */
  private static final int MAX_FRAME_SIZE = 1 << 20;

  private static final Set<String> CLI_OPTIONS = Set.of("--host", "--port", "--token", "--rate", "--total", "--cap",
    "--ping-ms", "--max-per-frame", "--seed", "--invalid");

  private static final String USAGE = String.join(System.lineSeparator(),
    "Usage: java -cp <classpath> dev.finnhubstream.emulator.FinnhubEmulator [options]",
    "  --host HOST           interface to bind (default " + EmulatorOptions.DEFAULT_HOST + ")",
    "  --port PORT           port, 0 = ephemeral (default " + DEFAULT_CLI_PORT + ")",
    "  --token TOKEN         accepted token, repeatable (default: any non-empty token)",
    "  --rate N              trades per second over all connections, 0 = as fast as possible (default "
      + EmulatorOptions.DEFAULT_TRADES_PER_SECOND + ")",
    "  --total N             trades over the emulator's lifetime, 0 = unlimited (default 0)",
    "  --cap N               symbols per connection, 0 = no cap (default " + EmulatorOptions.DEFAULT_SYMBOL_CAP + ")",
    "  --ping-ms N           ping interval in ms, 0 = never (default " + EmulatorOptions.DEFAULT_PING_INTERVAL_MS + ")",
    "  --max-per-frame N     most trades per frame (default " + EmulatorOptions.DEFAULT_MAX_TRADES_PER_FRAME + ")",
    "  --seed N              content seed (default " + EmulatorOptions.DEFAULT_SEED + ")",
    "  --invalid SYMBOL      answer subscribes to SYMBOL with 'Invalid symbol SYMBOL', repeatable",
    "  --help                print this text");

  private final EmulatorOptions options;
  private final TradeGenerator generator;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong tradesSent = new AtomicLong();
  private final AtomicLong framesSent = new AtomicLong();
  private final List<EmulatedTrade> recorded = new ArrayList<>();
  private final long recordLimit;

  private HttpServer server;
  private volatile int actualPort = -1;
  /** Trades not yet handed to a write; event-loop only. Meaningless when the budget is unlimited. */
  private long unreservedBudget;
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
    this.unreservedBudget = options.totalTrades();
    this.recordLimit = options.totalTrades() > 0 ? options.totalTrades() : RECORD_LIMIT_WHEN_UNLIMITED;
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
      connection.shutDown();
    }
    connections.clear();
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

  /** Trade frames whose write succeeded (pings and errors not included). */
  public long framesSent() {
    return framesSent.get();
  }

  /** The trades counted in {@link #tradesSent()}, in send order; empty unless {@code recordTrades} is on. */
  public List<EmulatedTrade> sentTrades() {
    synchronized (recorded) {
      return List.copyOf(recorded);
    }
  }

  public int openConnections() {
    return connections.size();
  }

  /** Union of the symbols subscribed on the open connections. */
  public Set<String> subscribedSymbols() {
    Set<String> union = new HashSet<>();
    for (Connection connection : connections) {
      union.addAll(connection.symbolView);
    }
    return Set.copyOf(union);
  }

  private void onRequest(HttpServerRequest request) {
    if (!request.canUpgradeToWebSocket()) {
      request.response().setStatusCode(400).end();
      return;
    }
    // The decoded query parameter; the token itself must never reach a log line, nor the URI holding it.
    String token = request.getParam("token");
    if (!isAccepted(token)) {
      LOGGER.info("Rejected WebSocket handshake from {} on {}: missing or unknown token",
        request.remoteAddress(), request.path());
      request.response().setStatusCode(401).end();
      return;
    }
    request.toWebSocket().onSuccess(this::onOpen).onFailure(err ->
      LOGGER.debug("WebSocket upgrade from {} failed", request.remoteAddress(), err));
  }

  private boolean isAccepted(String token) {
    if (token == null || token.isEmpty()) {
      return false;
    }
    return options.acceptedTokens().isEmpty() || options.acceptedTokens().contains(token);
  }

  private void onOpen(ServerWebSocket ws) {
    if (stopping) {
      ws.close();
      return;
    }
    Connection connection = new Connection(ws);
    connections.add(connection);
    LOGGER.info("WebSocket client {} connected ({} open)", ws.remoteAddress(), connections.size());
    ws.textMessageHandler(text -> onClientMessage(connection, text));
    ws.binaryMessageHandler(data -> LOGGER.debug("Ignoring a binary frame of {} bytes", data.length()));
    ws.exceptionHandler(err -> LOGGER.debug("WebSocket client {} error", ws.remoteAddress(), err));
    ws.closeHandler(v -> {
      connection.shutDown();
      if (connections.remove(connection)) {
        LOGGER.info("WebSocket client {} disconnected ({} open)", ws.remoteAddress(), connections.size());
      }
    });
    ws.drainHandler(v -> {
      if (options.tradesPerSecond() == 0) {
        schedulePump(connection);
      }
    });
    if (options.pingIntervalMs() > 0) {
      connection.pingTimerId = vertx.setPeriodic(options.pingIntervalMs(), id -> {
        if (connection.open && !ws.isClosed()) {
          ws.writeTextMessage(FinnhubFrames.PING);
        }
      });
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
        LOGGER.debug("Unsubscribed {}", s);
      }
    } else {
      // News and press-release streams are premium features the emulator does not produce.
      LOGGER.debug("Ignoring a client frame of type {}", type);
    }
  }

  private void subscribe(Connection connection, String symbol) {
    if (options.invalidSymbols().contains(symbol)) {
      connection.ws.writeTextMessage(FinnhubFrames.invalidSymbol(symbol));
      return;
    }
    if (connection.symbols.contains(symbol)) {
      return;
    }
    if (options.symbolCap() > 0 && connection.symbols.size() >= options.symbolCap()) {
      // Finnhub's text does not name the symbol; clients must blame their most recent subscribe.
      connection.ws.writeTextMessage(FinnhubFrames.TOO_MANY_SYMBOLS);
      return;
    }
    connection.symbols.add(symbol);
    connection.updateView();
    LOGGER.debug("Subscribed {} ({} on this connection)", symbol, connection.symbols.size());
    if (options.tradesPerSecond() == 0) {
      schedulePump(connection);
    }
  }

  private boolean budgetExhausted() {
    return options.totalTrades() > 0 && unreservedBudget <= 0;
  }

  /**
   * Writes one trade frame of {@code requested} trades, or fewer if the budget is short, to {@code connection},
   * reserving them from the budget until the write completes. Returns the number of trades written, 0 when
   * none could be.
   */
  private int sendFrame(Connection connection, int requested) {
    int size = options.totalTrades() > 0 ? (int) Math.min(requested, unreservedBudget) : requested;
    if (size <= 0 || connection.symbolList.isEmpty()) {
      return 0;
    }
    List<EmulatedTrade> trades = generator.trades(connection.symbolList, size, System.currentTimeMillis());
    unreservedBudget -= size;
    connection.ws.writeTextMessage(FinnhubFrames.trades(trades)).onComplete(ar -> {
      if (ar.succeeded()) {
        tradesSent.addAndGet(size);
        framesSent.incrementAndGet();
        if (options.recordTrades()) {
          record(trades);
        }
      } else {
        unreservedBudget += size;
        connection.open = false;
        if (options.totalTrades() > 0 && options.tradesPerSecond() == 0) {
          // Returned budget may let connections that ran dry continue.
          for (Connection other : connections) {
            schedulePump(other);
          }
        }
      }
    });
    return size;
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
        return; // no symbols or no budget: a subscribe or a returned budget resumes
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
    if (ready.isEmpty() || budgetExhausted()) {
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
    /** Subscription order kept, so the connection's symbols are deterministic for a given client. */
    final Set<String> symbols = new LinkedHashSet<>();
    /** Indexed copy of {@link #symbols}, for picking symbols on the hot path. */
    List<String> symbolList = List.of();
    volatile Set<String> symbolView = Set.of();
    boolean open = true;
    boolean pumpScheduled;
    long pingTimerId = -1;

    Connection(ServerWebSocket ws) {
      this.ws = ws;
    }

    void updateView() {
      symbolList = List.copyOf(symbols);
      symbolView = Set.copyOf(symbols);
    }

    /** {@code writeQueueFull()} throws once the socket is closed, which precedes the close handler. */
    boolean canWrite() {
      return open && !ws.isClosed() && !ws.writeQueueFull();
    }

    void shutDown() {
      open = false;
      if (pingTimerId >= 0) {
        vertx.cancelTimer(pingTimerId);
        pingTimerId = -1;
      }
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
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (options == null) {
      System.out.println(USAGE);
      return;
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
          default -> throw new IllegalArgumentException("Unknown option: " + name);
        };
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Not a number for " + name + ": " + value);
      }
    }
    return options.withAcceptedTokens(tokens).withInvalidSymbols(invalid);
  }
}
