package dev.finnhubstream.gaps;

import dev.finnhubstream.bus.FeedGap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Turns one Finnhub connection's subscription state into gap intervals. The connection tells it, after every change,
 * what each symbol it is responsible for is doing now ({@link #observe}): subscribed (live), or not, and why. From
 * the sequence of those views it keeps, per symbol, the open gap (since when, why), and emits a {@link FeedGap} when
 * one opens and when it closes. Only subscription state counts: a quiet market is no gap, and a subscribed symbol
 * never has one, whatever trades did.
 *
 * <ul>
 *   <li>A symbol not live at the first view has been without a subscription since the run began: its gap starts at
 *       {@code startMs} with reason {@link GapReason#STARTING} (the gap verticle moves that start back to the
 *       previous run's stop or crash, which only the disk buffer knows).</li>
 *   <li>A change of reason ends one gap and starts the next at the same millisecond: the intervals of a symbol are
 *       contiguous and never overlap. A start-up reason (starting, stopped, crashed) stays through the first
 *       connection attempts ({@link GapReason#coversStartUp()}).</li>
 *   <li>Symbols whose gaps close in one view with the same start and reason become one record.</li>
 *   <li>A symbol the connection stops being responsible for (removed at runtime; the key held by another instance;
 *       the connection stopped) has its gap closed there: from then on another owner, or the next run, accounts
 *       for it.</li>
 * </ul>
 *
 * <p>Pure logic on times given by the caller, so it is unit-tested with a hand-driven clock; one thread (the
 * connection's event loop) calls it.
 */
public final class GapTracker {

  private record Open(long fromMs, GapReason reason) {
  }

  private final String connection;
  private final long startMs;
  private final Consumer<FeedGap> events;
  private final Map<String, Open> open = new LinkedHashMap<>();
  /** Until the first view: symbols not live then have had no subscription since the run began. */
  private boolean firstView = true;

  /**
   * @param connection the connection's label ({@code key-1}), never its key
   * @param startMs    when this run began: the start of the gaps of symbols not live at the first view
   * @param events     takes every opened and closed gap, in order
   */
  public GapTracker(String connection, long startMs, Consumer<FeedGap> events) {
    this.connection = connection;
    this.startMs = startMs;
    this.events = events;
  }

  /**
   * The connection's view now: for every symbol it is responsible for, {@code null} when it is subscribed on a live
   * connection, else why not. Symbols absent from {@code view} are none of this connection's business (now).
   */
  public void observe(long nowMs, Map<String, GapReason> view) {
    Map<GapKey, List<String>> closed = new LinkedHashMap<>();
    Map<GapKey, List<String>> opened = new LinkedHashMap<>();
    for (String symbol : List.copyOf(open.keySet())) {
      if (!view.containsKey(symbol)) {
        close(symbol, closed);
      }
    }
    view.forEach((symbol, reason) -> {
      Open current = open.get(symbol);
      if (reason == null) {
        if (current != null) {
          close(symbol, closed);
        }
        return;
      }
      if (current == null) {
        GapReason why = firstView && reason == GapReason.DISCONNECTED ? GapReason.STARTING : reason;
        long from = firstView ? startMs : nowMs;
        open.put(symbol, new Open(from, why));
        opened.computeIfAbsent(new GapKey(from, why), k -> new ArrayList<>()).add(symbol);
      } else if (current.reason != reason && !(current.reason.coversStartUp() && reason == GapReason.DISCONNECTED)) {
        close(symbol, closed);
        open.put(symbol, new Open(nowMs, reason));
        opened.computeIfAbsent(new GapKey(nowMs, reason), k -> new ArrayList<>()).add(symbol);
      }
    });
    firstView = false;
    closed.forEach((key, symbols) -> events.accept(closedGap(key, symbols, nowMs)));
    opened.forEach((key, symbols) -> events.accept(new FeedGap(null, connection, symbols, key.fromMs, FeedGap.OPEN,
      key.reason.wire(), null)));
  }

  /** The connection stops (or this run ends): every open gap closes now; the next run accounts for the rest. */
  public void closeAll(long nowMs) {
    observe(nowMs, Map.of());
  }

  /** Symbol → the reason of its open gap, for tests and the status. */
  public Map<String, GapReason> openReasons() {
    Map<String, GapReason> out = new LinkedHashMap<>();
    open.forEach((s, o) -> out.put(s, o.reason));
    return out;
  }

  private record GapKey(long fromMs, GapReason reason) {
  }

  private void close(String symbol, Map<GapKey, List<String>> closed) {
    Open o = open.remove(symbol);
    closed.computeIfAbsent(new GapKey(o.fromMs, o.reason), k -> new ArrayList<>()).add(symbol);
  }

  private FeedGap closedGap(GapKey key, List<String> symbols, long toMs) {
    return new FeedGap(gapId(connection, symbols, key.fromMs, toMs, key.reason.wire()), connection, symbols, key.fromMs,
      toMs, key.reason.wire(), null);
  }

  /**
   * A name-based UUID of everything that identifies the gap: the same gap, written again (a redelivery, a retry),
   * has the same id, so the ClickHouse table collapses it; two different gaps never share one.
   */
  public static String gapId(String connection, List<String> symbols, long fromMs, long toMs, String reason) {
    String identity = connection + '\n' + String.join("\u0001", symbols) + '\n' + fromMs + '\n' + toMs + '\n' + reason;
    return UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
