package dev.finnhubstream.ingest;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.DeadLetter;
import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.bus.TradeBatch;
import dev.finnhubstream.log.Redactor;
import dev.finnhubstream.log.SampledLog;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each Finnhub frame of one connection goes: its valid trades, with those of the other frames of the same
 * event-loop turn, as one {@link TradeBatch} on {@link Addresses#TRADES}, anything unusable as {@link DeadLetter}s on {@link Addresses#DEAD_LETTERS}, Finnhub's
 * errors about subscriptions to the {@link SymbolBook} ({@code Subscribing to too many symbols} teaches the cap,
 * {@code Invalid symbol X} parks X). Runs on the connection's event loop for every frame: the per-trade hot path,
 * so a good frame costs its parse and its batch, nothing more.
 *
 * <p>Whatever a frame carries goes to the log and the dead-letter topic only through the {@link Redactor}: an error
 * echoing the subscribe request or a garbled frame may hold a key.
 */
final class FrameRouter implements FinnhubConnection.FrameHandler {

  private static final Logger LOGGER = LoggerFactory.getLogger(FrameRouter.class);
  private static final int LOGGED_PAYLOAD_CHARS = 200;
  private static final String TOO_MANY_SYMBOLS = "Subscribing to too many symbols";
  private static final String INVALID_SYMBOL = "Invalid symbol";

  private final String name;
  private final String runId;
  private final AtomicLong frameSequence;
  private final FinnhubFrameParser parser = new FinnhubFrameParser();
  private final SymbolBook book;
  private final IngestCounters counters;
  private final Redactor redactor;
  private final FinnhubConnection connection;
  private final EventBus bus;
  private final Map<String, Long> lastTradeAtMs = new HashMap<>();
  /** The valid trades of this turn's frames so far, in frame order; published by {@link #onTurnEnd}. */
  private final List<Trade> held = new ArrayList<>();
  /** Sequence number and receive time of the first frame in {@link #held}. */
  private long heldSeq;
  private long heldAtMs;

  /**
   * @param name          the connection's label, carried by every batch and dead letter
   * @param runId         unique per process start; prefixes every ingest id
   * @param frameSequence shared by all connections of the process, so ingest ids never collide between them
   * @param connection    where an over-cap symbol is unsubscribed and Finnhub's errors are reported
   */
  FrameRouter(String name, String runId, AtomicLong frameSequence, SymbolBook book, IngestCounters counters,
              Redactor redactor, FinnhubConnection connection, EventBus bus) {
    this.name = name;
    this.runId = runId;
    this.frameSequence = frameSequence;
    this.book = book;
    this.counters = counters;
    this.redactor = redactor;
    this.connection = connection;
    this.bus = bus;
  }

  /** Per symbol of the shard, receive time of its latest trade (live: the caller copies it). */
  Map<String, Long> lastTradeAtMs() {
    return lastTradeAtMs;
  }

  /** A symbol left the book: its last trade time goes with it. */
  void forget(String symbol) {
    lastTradeAtMs.remove(symbol);
  }

  @Override
  public void onFrame(String text, long receivedAt, boolean live) {
    long seq = frameSequence.incrementAndGet();
    counters.frames++;
    counters.bytes += text.length();
    FinnhubMessage message = parser.parse(text, receivedAt, runId + "-" + seq + "-");
    // Java 17: no pattern switch yet, so an instanceof chain over the sealed interface.
    if (message instanceof FinnhubMessage.Trades t) {
      onTrades(t, text, receivedAt, seq);
    } else if (message instanceof FinnhubMessage.Ping) {
      counters.pings++;
    } else if (message instanceof FinnhubMessage.ServerError e) {
      counters.serverErrors++;
      if (live) { // errors about subscriptions concern the live socket only
        onServerError(e.message(), receivedAt);
      }
    } else if (message instanceof FinnhubMessage.Unknown u) {
      counters.unknownFrames++;
      if (SampledLog.shouldLog(counters.unknownFrames)) {
        LOGGER.warn("[{}] ignored frame of unknown type \"{}\"", name, redactor.redact(u.type()));
      }
    } else if (message instanceof FinnhubMessage.Malformed m) {
      counters.malformedFrames++;
      String safe = redactor.redact(text);
      bus.publish(Addresses.DEAD_LETTERS, new DeadLetter("malformed:" + m.reason(), safe, receivedAt, name, seq));
      if (SampledLog.shouldLog(counters.malformedFrames)) {
        LOGGER.warn("[{}] malformed frame {} ({}): {}", name, seq, m.reason(), truncate(safe));
      }
    }
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
      if (held.isEmpty()) {
        heldSeq = seq;
        heldAtMs = receivedAt;
      }
      held.addAll(t.trades());
    }
    if (!t.rejected().isEmpty()) {
      counters.rejectedTrades += t.rejected().size();
      for (FinnhubMessage.RejectedTrade r : t.rejected()) {
        bus.publish(Addresses.DEAD_LETTERS, new DeadLetter("invalid_trade:" + r.reason(), redactor.redact(r.raw()), receivedAt, name, seq));
      }
      if (SampledLog.shouldLog(counters.rejectedTrades)) {
        LOGGER.warn("[{}] {} invalid trade(s) in frame {} (first: {}); payload: {}",
          name, t.rejected().size(), seq, t.rejected().get(0).reason(), truncate(redactor.redact(text)));
      }
    }
  }

  /**
   * Publishes the trades of this turn's frames as one batch. A network read holds many frames at busy times; one
   * message for all of them instead of one per frame saves the event bus's per-message work (its meters, the
   * hand-over to the writer's event loop, the writer's queue entry) for all but one. At Finnhub's usual rates a turn
   * holds one frame, published at the end of the same turn as before.
   */
  @Override
  public void onTurnEnd() {
    if (held.isEmpty()) {
      return;
    }
    TradeBatch batch = new TradeBatch(name, heldSeq, heldAtMs, held);
    held.clear();
    // BusObservers run inside this call, on this thread: the metrics count the batch, the debug tap keeps it.
    bus.publish(Addresses.TRADES, batch);
  }

  private void onServerError(String serverMessage, long now) {
    String message = redactor.redact(serverMessage); // Finnhub may echo what it was sent: a key, in the worst case
    if (message.startsWith(TOO_MANY_SYMBOLS)) {
      counters.capErrors++;
      String blamed = book.onTooManySymbols(now);
      connection.reportError("Finnhub: " + message + (blamed == null ? "" : " (blamed on " + blamed + "; cap now " + book.effectiveCap() + ")"));
      if (blamed != null) {
        connection.unsubscribe(blamed);
      }
    } else if (message.startsWith(INVALID_SYMBOL)) {
      counters.invalidSymbolErrors++;
      String named = message.substring(INVALID_SYMBOL.length()).strip();
      String refused = book.onInvalidSymbol(named, now);
      connection.reportError("Finnhub: " + message + (refused == null ? " (not one of ours)" : "; retrying later"));
    } else {
      connection.reportError("Finnhub error: " + message);
    }
  }

  private static String truncate(String text) {
    return text.length() <= LOGGED_PAYLOAD_CHARS ? text : text.substring(0, LOGGED_PAYLOAD_CHARS) + "…(" + text.length() + " chars)";
  }
}
