package dev.finnhubstream.emulator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The emulator's ground truth about subscriptions over time: per symbol, every interval it was subscribed on a
 * connection, and whether two connections ever held it at the same moment (a client that moves symbols between
 * connections must unsubscribe before it subscribes elsewhere). A connection's subscriptions end when it stops
 * counting (closed or being closed). Thread-safe: written on the emulator's event loop, read by tests.
 */
public final class SubscriptionLedger {

  /**
   * One stretch of a symbol on one connection.
   *
   * @param connection the connection's label, {@code token#2/3} (the token's label, then the connection's number)
   * @param fromMs     when the subscribe arrived
   * @param toMs       when the unsubscribe arrived or the connection stopped counting; {@code -1} while it lasts
   */
  public record Interval(String connection, long fromMs, long toMs) {

    public boolean open() {
      return toMs < 0;
    }
  }

  private final Map<String, List<Interval>> bySymbol = new HashMap<>();
  private final Set<String> twice = new TreeSet<>();

  synchronized void subscribed(String symbol, String connection, long nowMs) {
    List<Interval> intervals = bySymbol.computeIfAbsent(symbol, s -> new ArrayList<>());
    if (intervals.stream().anyMatch(i -> i.open() && !i.connection().equals(connection))) {
      twice.add(symbol);
    }
    intervals.add(new Interval(connection, nowMs, -1));
  }

  synchronized void unsubscribed(String symbol, String connection, long nowMs) {
    List<Interval> intervals = bySymbol.getOrDefault(symbol, List.of());
    for (int i = 0; i < intervals.size(); i++) {
      Interval interval = intervals.get(i);
      if (interval.open() && interval.connection().equals(connection)) {
        intervals.set(i, new Interval(connection, interval.fromMs(), nowMs));
      }
    }
  }

  synchronized void connectionEnded(String connection, Set<String> symbols, long nowMs) {
    symbols.forEach(symbol -> unsubscribed(symbol, connection, nowMs));
  }

  /** Symbols that were, at some moment, subscribed on two connections at once. */
  public synchronized Set<String> subscribedTwice() {
    return Set.copyOf(twice);
  }

  /** Every symbol's intervals, each in the order the subscribes arrived. */
  public synchronized Map<String, List<Interval>> bySymbol() {
    Map<String, List<Interval>> copy = new java.util.TreeMap<>();
    bySymbol.forEach((symbol, intervals) -> copy.put(symbol, List.copyOf(intervals)));
    return copy;
  }

  /** Every interval of {@code symbol}, in the order the subscribes arrived. */
  public synchronized List<Interval> intervals(String symbol) {
    return List.copyOf(bySymbol.getOrDefault(symbol, List.of()));
  }
}
