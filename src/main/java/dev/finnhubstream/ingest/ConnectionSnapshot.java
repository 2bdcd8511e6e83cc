package dev.finnhubstream.ingest;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One Finnhub connection as the status endpoint shows it, the answer on
 * {@link dev.finnhubstream.bus.Addresses#statusIngest}: an immutable copy, taken on the connection's event loop,
 * so readers never see a half-updated state. It holds no token, only the connection's label.
 *
 * @param connection      label, e.g. {@code key-1}
 * @param state           see {@link ConnectionState}
 * @param sinceMs         when the current state began
 * @param paused          reading stopped by backpressure from the Kafka side
 * @param subscribed      subscribe sent and not refused (Finnhub acknowledges nothing)
 * @param pending         waiting to be subscribed on this connection
 * @param refused         refused as invalid: symbol → epoch ms of the next try
 * @param overCap         beyond the key's cap: symbol → epoch ms of the next try
 * @param effectiveCap    the cap in force: the configured one, or lower once learned from Finnhub's errors
 * @param reconnects      successful connections after the first
 * @param lastError       the latest failure, redacted
 * @param lastFrameAtMs   the latest frame of any kind (pings included); 0 if none yet
 * @param lastTradeAtMs   per symbol of the shard, receive time of its latest trade (absent if none yet)
 * @param counters        frames, trades, pings, errors... since start
 * @param sharing         what the re-sharding moved: symbols lent out by this key, or borrowed from others
 */
public record ConnectionSnapshot(String connection, ConnectionState state, long sinceMs, boolean paused,
                                 List<String> subscribed, List<String> pending, Map<String, Long> refused,
                                 Map<String, Long> overCap, int effectiveCap, long reconnects, String lastError,
                                 long lastFrameAtMs, Map<String, Long> lastTradeAtMs, Counters counters,
                                 Sharing sharing) {

  public ConnectionSnapshot {
    subscribed = List.copyOf(subscribed);
    pending = List.copyOf(pending);
    refused = sorted(refused);
    overCap = sorted(overCap);
    lastTradeAtMs = sorted(lastTradeAtMs);
  }

  /**
   * The re-sharding's view of the connection. {@code subscribed}, {@code pending}... hold the borrowed symbols too,
   * never the lent ones.
   *
   * @param unusableSinceMs since when the key has been refused (or fenced) without a connection in between; 0 = usable
   * @param lent            this key's symbols another connection holds for it, in the key's order
   * @param lentSinceMs     since when at least one symbol has been lent out; 0 = none
   * @param borrowed        symbol → the connection it is borrowed from
   */
  public record Sharing(long unusableSinceMs, List<String> lent, long lentSinceMs, Map<String, String> borrowed) {

    public static final Sharing NONE = new Sharing(0, List.of(), 0, Map.of());

    public Sharing {
      lent = List.copyOf(lent);
      borrowed = Collections.unmodifiableMap(new TreeMap<>(borrowed));
    }
  }

  /** What the connection has counted since start (see {@link IngestCounters}). */
  public record Counters(long connectAttempts, long failedConnects, long disconnects, long watchdogTrips,
                         long lastReconnectDelayMs, long frames, long bytes, long trades, long rejectedTrades, long pings,
                         long serverErrors, long capErrors, long invalidSymbolErrors, long unknownFrames, long malformedFrames,
                         long emptyTradeFrames, long subscribeFrames, long pauses) {
  }

  /** Sorted by symbol, so that the status endpoint lists them in a stable order. */
  private static Map<String, Long> sorted(Map<String, Long> map) {
    return Collections.unmodifiableMap(new TreeMap<>(map));
  }
}
