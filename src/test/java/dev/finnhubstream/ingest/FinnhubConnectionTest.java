package dev.finnhubstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.bus.Backpressure;
import dev.finnhubstream.config.FinnhubConfig;
import dev.finnhubstream.config.Secret;
import dev.finnhubstream.log.Redactor;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.http.UpgradeRejectedException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The connection's life cycle on a hand-driven clock: no sockets, no sleeping, every timer fired by the test. The
 * jitter is pinned to the top of each backoff window (and to the middle of the ±20 % ones), so delays are exact.
 */
class FinnhubConnectionTest {

  private static final long INITIAL = 100;
  private static final long MAX = 800;
  private static final long STABLE = 5_000;
  private static final long REJECTED_RETRY = 30_000;
  private static final long WATCHDOG = 10_000;
  private static final String TOKEN = "tok-secret-1";
  private static final String TRADE_FRAME = "{\"type\":\"trade\"";

  private final ManualIo io = new ManualIo();
  private final IngestCounters counters = new IngestCounters();
  private final List<String> frames = new ArrayList<>();
  private final List<Boolean> live = new ArrayList<>();
  private final FinnhubConnection connection = connection(List.of("A", "B", "C"));

  private FinnhubConnection connection(List<String> symbols) {
    FinnhubConfig config = new FinnhubConfig("ws://127.0.0.1:1", symbols, List.of(new Secret(TOKEN)), INITIAL, MAX, STABLE,
      REJECTED_RETRY, WATCHDOG, 10, 50, 60_000, 60_000, 1024 * 1024, 0);
    SymbolBook book = new SymbolBook(symbols, 50, 60_000, 60_000, TOP_OF_WINDOW);
    return new FinnhubConnection("key-1", config, io, book, counters, new Redactor(config.tokens()), TOP_OF_WINDOW);
  }

  private void open() {
    connection.open((text, at, isLive) -> {
      frames.add(text);
      live.add(isLive);
      if (text.startsWith(TRADE_FRAME)) {
        counters.trades++; // as FrameRouter counts the trades it parsed, before the frame's handling returns
      }
    });
  }

  /** Opens the connection and completes its first handshake. */
  private FakeSocket connected() {
    open();
    return io.acceptHandshake();
  }

  @Test
  @DisplayName("opens with a handshake, then subscribes one symbol per tick (subscribes_per_second) and no more")
  void subscribesPaced() {
    open();
    assertThat(connection.state()).isEqualTo(ConnectionState.CONNECTING);
    assertThat(io.handshakes).hasSize(1);
    FakeSocket socket = io.acceptHandshake();
    assertThat(connection.state()).isEqualTo(ConnectionState.CONNECTED);

    io.advance(0);
    assertThat(socket.sent).containsExactly("{\"type\":\"subscribe\",\"symbol\":\"A\"}");
    io.advance(99);
    assertThat(socket.sent).hasSize(1);
    io.advance(1);
    io.advance(100);
    io.advance(300);
    assertThat(socket.sent).containsExactly("{\"type\":\"subscribe\",\"symbol\":\"A\"}", "{\"type\":\"subscribe\",\"symbol\":\"B\"}",
      "{\"type\":\"subscribe\",\"symbol\":\"C\"}");
    assertThat(counters.subscribeFrames).isEqualTo(3);

    connection.unsubscribe("B");
    assertThat(socket.sent).last().isEqualTo("{\"type\":\"unsubscribe\",\"symbol\":\"B\"}");
    assertThat(connection.reconnects()).isZero();
  }

  @Test
  @DisplayName("each failure doubles the backoff window up to reconnect_max_ms; only a connection that stayed up reconnect_stable_ms resets it")
  void backoffGrowsAndResetsOnlyWhenStable() {
    FakeSocket first = connected();
    first.closeFromPeer((short) 1000, "bye");
    assertThat(connection.state()).isEqualTo(ConnectionState.BACKOFF);
    assertThat(connection.lastError()).isEqualTo("connection closed by Finnhub (status 1000, reason bye)");
    assertThat(counters.lastReconnectDelayMs).isEqualTo(INITIAL);
    io.advance(INITIAL - 1);
    assertThat(io.handshakes).as("not before the delay").hasSize(1);
    io.advance(1);
    assertThat(io.handshakes).hasSize(2);

    io.failHandshake(new IOException("connection refused"));
    assertThat(connection.lastError()).isEqualTo("connect failed: IOException: connection refused");
    assertThat(counters.lastReconnectDelayMs).isEqualTo(2 * INITIAL);
    io.advance(2 * INITIAL);
    FakeSocket shortLived = io.acceptHandshake();
    io.advance(STABLE - 1);
    shortLived.closeFromPeer((short) 1006, "gone");
    assertThat(counters.lastReconnectDelayMs).as("accepted and dropped: no reset").isEqualTo(4 * INITIAL);
    io.advance(4 * INITIAL);
    io.failHandshake(new IOException("refused"));
    assertThat(counters.lastReconnectDelayMs).isEqualTo(MAX);
    io.advance(MAX);
    io.failHandshake(new IOException("refused"));
    assertThat(counters.lastReconnectDelayMs).as("capped").isEqualTo(MAX);
    io.advance(MAX);

    FakeSocket stable = io.acceptHandshake();
    io.advance(STABLE);
    stable.closeFromPeer((short) 1001, "restart");
    assertThat(counters.lastReconnectDelayMs).isEqualTo(INITIAL);
    assertThat(connection.reconnects()).isEqualTo(2);
    assertThat(counters.connectAttempts).isEqualTo(6);
    assertThat(counters.failedConnects).isEqualTo(3);
    assertThat(counters.disconnects).isEqualTo(3);
  }

  @Test
  @DisplayName("a connection that delivered trades resets the backoff however short it lived (a flapping server costs the initial delay each time); one that delivered nothing does not")
  void deliveringConnectionResetsBackoff() {
    FakeSocket first = connected();
    for (int i = 0; i < 6; i++) { // the server drops each connection a second after it delivered
      first.receive(TRADE_FRAME + ",\"data\":[]}");
      io.advance(1_000);
      first.closeFromPeer((short) 1006, "dropped");
      assertThat(counters.lastReconnectDelayMs).as("drop %d after trades", i).isEqualTo(INITIAL);
      io.advance(INITIAL);
      first = io.acceptHandshake();
    }
    // Accepted, pinged, dropped: no trade, so the window keeps growing (from where the last drop left it).
    first.receive("{\"type\":\"ping\"}");
    first.closeFromPeer((short) 1006, "dropped");
    assertThat(counters.lastReconnectDelayMs).isEqualTo(2 * INITIAL);
    io.advance(2 * INITIAL);
    io.acceptHandshake().closeFromPeer((short) 1006, "dropped");
    assertThat(counters.lastReconnectDelayMs).as("the second connection in a row without trades").isEqualTo(4 * INITIAL);
    io.advance(4 * INITIAL);
    io.acceptHandshake().closeFromPeer((short) 1006, "dropped");
    assertThat(counters.lastReconnectDelayMs).isEqualTo(MAX);
  }

  @Test
  @DisplayName("HTTP 401 waits rejected_key_retry_ms in KEY_REJECTED, names FINNHUB_TOKEN, and leaves the backoff untouched")
  void rejectedKey() {
    open();
    io.failHandshake(rejected(401, null));
    assertThat(connection.state()).isEqualTo(ConnectionState.KEY_REJECTED);
    assertThat(connection.lastError()).isEqualTo("Finnhub rejected the API key (HTTP 401): check FINNHUB_TOKEN; retrying in 30 s");
    assertThat(counters.lastReconnectDelayMs).isEqualTo(REJECTED_RETRY);
    io.advance(REJECTED_RETRY - 1);
    assertThat(io.handshakes).hasSize(1);
    io.advance(1);
    assertThat(io.handshakes).hasSize(2);
    io.failHandshake(new IOException("refused"));
    assertThat(counters.lastReconnectDelayMs).as("first step of the backoff").isEqualTo(INITIAL);
  }

  @Test
  @DisplayName("the key counts as unusable from its first 401 through the retries in between, until a connection opens")
  void unusableSince() {
    open();
    assertThat(connection.unusableSinceMs()).isZero();
    long firstRefusal = io.nowMs;
    io.failHandshake(rejected(401, null));
    assertThat(connection.unusableSinceMs()).isEqualTo(firstRefusal);
    io.advance(REJECTED_RETRY);
    assertThat(connection.state()).isEqualTo(ConnectionState.CONNECTING);
    io.failHandshake(new IOException("refused"));
    assertThat(connection.state()).isEqualTo(ConnectionState.BACKOFF);
    assertThat(connection.unusableSinceMs()).as("a network failure says nothing about the key").isEqualTo(firstRefusal);
    io.advance(INITIAL);
    io.failHandshake(rejected(401, null));
    assertThat(connection.unusableSinceMs()).isEqualTo(firstRefusal);
    io.advance(REJECTED_RETRY);
    io.acceptHandshake();
    assertThat(connection.unusableSinceMs()).isZero();
  }

  @Test
  @DisplayName("a 429 waits its Retry-After when longer than the backoff; other statuses, and a Retry-After date, use the backoff")
  void handshakeStatuses() {
    open();
    io.failHandshake(rejected(429, "7"));
    assertThat(connection.state()).isEqualTo(ConnectionState.BACKOFF);
    assertThat(connection.lastError()).isEqualTo("handshake answered HTTP 429 instead of 101");
    assertThat(counters.lastReconnectDelayMs).isEqualTo(7_000);
    io.advance(7_000);
    io.failHandshake(rejected(503, null));
    assertThat(connection.lastError()).isEqualTo("handshake answered HTTP 503 instead of 101");
    assertThat(counters.lastReconnectDelayMs).isEqualTo(2 * INITIAL);
    io.advance(2 * INITIAL);
    io.failHandshake(rejected(429, "Wed, 21 Oct 2015 07:28:00 GMT"));
    assertThat(counters.lastReconnectDelayMs).isEqualTo(4 * INITIAL);
    assertThat(counters.failedConnects).isEqualTo(3);
  }

  @Test
  @DisplayName("frames keep the watchdog quiet; watchdog_ms of silence abandons the socket, and the next one opens only after its close")
  void watchdog() {
    FakeSocket first = connected();
    for (int i = 0; i < 6; i++) {
      io.advance(500);
      first.receive("{\"type\":\"ping\"}");
    }
    assertThat(counters.watchdogTrips).isZero();

    io.advance(WATCHDOG + 1_000);
    assertThat(counters.watchdogTrips).isEqualTo(1);
    assertThat(connection.lastError()).matches("no frame for \\d+ ms \\(watchdog at 10000 ms\\)");
    assertThat(connection.state()).isEqualTo(ConnectionState.BACKOFF);
    assertThat(first.closeRequested).isTrue();
    io.advance(10 * INITIAL);
    assertThat(io.handshakes).as("never a second socket while one is closing").hasSize(1);

    first.receive("late trade");
    assertThat(live).as("a frame of the abandoned socket is kept, not live").containsSequence(true, false);
    first.finishClose();
    assertThat(counters.disconnects).as("the abandoned socket's close is not a second disconnect").isEqualTo(1);
    assertThat(io.handshakes).hasSize(2);
    FakeSocket second = io.acceptHandshake();
    second.receive("fresh");
    assertThat(live).last().isEqualTo(true);
    assertThat(connection.reconnects()).isEqualTo(1);
  }

  @Test
  @DisplayName("backpressure pauses the socket (a new one opens paused), the watchdog ignores that silence and recounts from the resume")
  void backpressure() {
    open();
    connection.onBackpressure(new Backpressure(true, "queue full"));
    FakeSocket socket = io.acceptHandshake();
    assertThat(socket.paused).isTrue();
    assertThat(connection.paused()).isTrue();
    io.advance(10 * WATCHDOG);
    assertThat(counters.watchdogTrips).isZero();

    connection.onBackpressure(new Backpressure(false, "drained"));
    assertThat(socket.paused).isFalse();
    io.advance(WATCHDOG - 100);
    assertThat(counters.watchdogTrips).isZero();
    connection.onBackpressure(new Backpressure(false, "drained again"));
    connection.onBackpressure(new Backpressure(true, "full"));
    connection.onBackpressure(new Backpressure(true, "still full"));
    assertThat(counters.pauses).as("only changes count").isEqualTo(2);
    assertThat(socket.paused).isTrue();
    connection.onBackpressure(new Backpressure(false, "drained"));
    io.advance(WATCHDOG + 1_000);
    assertThat(counters.watchdogTrips).isEqualTo(1);
  }

  @Test
  @DisplayName("after READ_TURN_CHARS in one turn the socket pauses until the next turn, and stays paused if backpressure says so")
  void readTurns() {
    FakeSocket socket = connected();
    socket.receive("x".repeat(FinnhubConnection.READ_TURN_CHARS - 1));
    assertThat(socket.paused).isFalse();
    socket.receive("y");
    assertThat(socket.paused).isTrue();
    socket.receive("z".repeat(FinnhubConnection.READ_TURN_CHARS));
    assertThat(io.nextTurn).as("one yield and one turn end per turn").hasSize(2);
    io.runNextTurn();
    assertThat(socket.paused).isFalse();
    assertThat(frames).hasSize(3);

    socket.receive("w".repeat(FinnhubConnection.READ_TURN_CHARS));
    assertThat(socket.paused).isTrue();
    connection.onBackpressure(new Backpressure(true, "full"));
    io.runNextTurn();
    assertThat(socket.paused).isTrue();
    connection.onBackpressure(new Backpressure(false, "drained"));
    assertThat(socket.paused).isFalse();
  }

  @Test
  @DisplayName("the frame handler hears the end of a turn once, after the turn's frames, and before a close changes the state")
  void turnEnds() {
    List<String> events = new ArrayList<>();
    connection.open(new FinnhubConnection.FrameHandler() {
      @Override
      public void onFrame(String text, long receivedAtMs, boolean live) {
        events.add(text);
      }

      @Override
      public void onTurnEnd() {
        events.add("end, " + connection.state());
      }
    });
    FakeSocket socket = io.acceptHandshake();
    socket.receive("a");
    socket.receive("b");
    assertThat(events).containsExactly("a", "b");
    io.runNextTurn();
    assertThat(events).containsExactly("a", "b", "end, CONNECTED");
    io.runNextTurn();
    assertThat(events).as("nothing read, no turn end").hasSize(3);

    socket.receive("c");
    socket.closeFromPeer((short) 1006, "gone");
    assertThat(events).as("before the state says the socket is gone").containsExactly("a", "b", "end, CONNECTED", "c",
      "end, CONNECTED");
    assertThat(connection.state()).isEqualTo(ConnectionState.BACKOFF);
  }

  @Test
  @DisplayName("stop closes the socket, completes when it is gone, and no timer reconnects afterwards")
  void stop() {
    FakeSocket socket = connected();
    Future<Void> stopped = connection.stop();
    assertThat(connection.state()).isEqualTo(ConnectionState.STOPPED);
    assertThat(socket.closeRequested).isTrue();
    assertThat(stopped.isComplete()).isFalse();
    socket.finishClose();
    assertThat(stopped.succeeded()).isTrue();
    io.advance(3_600_000);
    assertThat(io.handshakes).hasSize(1);
    assertThat(connection.state()).isEqualTo(ConnectionState.STOPPED);
    assertThat(counters.disconnects).as("a stop is not a disconnect").isZero();
  }

  @Test
  @DisplayName("a handshake that completes after stop is closed at once and never used")
  void handshakeAfterStop() {
    open();
    assertThat(connection.stop().succeeded()).isTrue();
    FakeSocket late = io.acceptHandshake();
    assertThat(late.closeRequested).isTrue();
    assertThat(late.frames).as("never listened to").isNull();
    io.advance(3_600_000);
    assertThat(io.handshakes).hasSize(1);
    assertThat(connection.state()).isEqualTo(ConnectionState.STOPPED);
  }

  @Test
  @DisplayName("a client error text is redacted: the key never reaches last_error")
  void errorsAreRedacted() {
    open();
    io.failHandshake(new IOException("failed GET /?token=" + TOKEN));
    assertThat(connection.lastError()).isEqualTo("connect failed: IOException: failed GET /?token=****");
  }

  private static UpgradeRejectedException rejected(int status, String retryAfter) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (retryAfter != null) {
      headers.add("Retry-After", retryAfter);
    }
    return new UpgradeRejectedException("rejected", status, headers, null);
  }

  /** Jitter pinned: the top of a backoff window, the middle of a ±20 % one. */
  private static final RandomGenerator TOP_OF_WINDOW = new RandomGenerator() {
    @Override
    public long nextLong() {
      return 0;
    }

    @Override
    public long nextLong(long origin, long bound) {
      return bound - 1;
    }

    @Override
    public double nextDouble() {
      return 0.5;
    }
  };

  /** Vert.x by hand: a clock that moves only in {@link #advance}, timers fired in due order, handshakes the test completes. */
  private static final class ManualIo implements FinnhubConnection.Io {

    private static final class Timer {
      final long id;
      final long periodMs;
      final Handler<Long> action;
      long dueAtMs;

      Timer(long id, long dueAtMs, long periodMs, Handler<Long> action) {
        this.id = id;
        this.dueAtMs = dueAtMs;
        this.periodMs = periodMs;
        this.action = action;
      }
    }

    long nowMs = 1_700_000_000_000L;
    private long nextId;
    private final List<Timer> timers = new ArrayList<>();
    final Deque<Handler<Void>> nextTurn = new ArrayDeque<>();
    final List<Promise<FinnhubConnection.Socket>> handshakes = new ArrayList<>();

    @Override
    public long nowMs() {
      return nowMs;
    }

    @Override
    public long setTimer(long delayMs, Handler<Long> action) {
      return add(delayMs, 0, action);
    }

    @Override
    public long setPeriodic(long initialDelayMs, long periodMs, Handler<Long> action) {
      return add(initialDelayMs, periodMs, action);
    }

    private long add(long delayMs, long periodMs, Handler<Long> action) {
      Timer t = new Timer(nextId++, nowMs + delayMs, periodMs, action);
      timers.add(t);
      return t.id;
    }

    @Override
    public void cancelTimer(long id) {
      timers.removeIf(t -> t.id == id);
    }

    @Override
    public void runOnContext(Handler<Void> action) {
      nextTurn.add(action);
    }

    @Override
    public Future<FinnhubConnection.Socket> connect() {
      Promise<FinnhubConnection.Socket> handshake = Promise.promise();
      handshakes.add(handshake);
      return handshake.future();
    }

    /** Moves the clock by {@code ms}, firing every timer that falls due on the way, earliest first. */
    void advance(long ms) {
      long until = nowMs + ms;
      while (true) {
        Timer next = null;
        for (Timer t : timers) {
          if (t.dueAtMs <= until && (next == null || t.dueAtMs < next.dueAtMs)) {
            next = t;
          }
        }
        if (next == null) {
          break;
        }
        nowMs = Math.max(nowMs, next.dueAtMs);
        if (next.periodMs > 0) {
          next.dueAtMs += next.periodMs;
        } else {
          timers.remove(next);
        }
        next.action.handle(next.id);
      }
      nowMs = until;
    }

    void runNextTurn() {
      for (int n = nextTurn.size(); n > 0; n--) {
        nextTurn.poll().handle(null);
      }
    }

    FakeSocket acceptHandshake() {
      FakeSocket socket = new FakeSocket();
      pendingHandshake().complete(socket);
      return socket;
    }

    void failHandshake(Throwable cause) {
      pendingHandshake().fail(cause);
    }

    private Promise<FinnhubConnection.Socket> pendingHandshake() {
      Promise<FinnhubConnection.Socket> last = handshakes.get(handshakes.size() - 1);
      assertThat(last.future().isComplete()).as("a handshake is in progress").isFalse();
      return last;
    }
  }

  private static final class FakeSocket implements FinnhubConnection.Socket {

    Handler<String> frames;
    Handler<Void> closed;
    boolean paused;
    boolean closeRequested;
    final List<String> sent = new ArrayList<>();
    private final Promise<Void> closeDone = Promise.promise();
    private Short status;
    private String reason;

    @Override
    public void listen(Handler<String> frames, Handler<Throwable> errors, Handler<Void> closed) {
      this.frames = frames;
      this.closed = closed;
    }

    @Override
    public void pause() {
      paused = true;
    }

    @Override
    public void resume() {
      paused = false;
    }

    @Override
    public void send(String text) {
      sent.add(text);
    }

    @Override
    public Future<Void> close() {
      closeRequested = true;
      return closeDone.future();
    }

    @Override
    public Short closeStatusCode() {
      return status;
    }

    @Override
    public String closeReason() {
      return reason;
    }

    void receive(String text) {
      frames.handle(text);
    }

    void closeFromPeer(short status, String reason) {
      this.status = status;
      this.reason = reason;
      closed.handle(null);
    }

    /** The close we asked for is done: Vert.x completes the close and then calls the close handler. */
    void finishClose() {
      closeDone.complete();
      if (closed != null) {
        closed.handle(null);
      }
    }
  }
}
