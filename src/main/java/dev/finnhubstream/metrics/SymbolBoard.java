package dev.finnhubstream.metrics;

import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.market.Markets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The latest trade of every symbol seen on the event bus: price, trade time, receive time, count. Written on
 * the publishers' threads (each symbol by the one connection that holds it), read by the status request.
 * Bounded: symbols beyond {@link #MAX_SYMBOLS} (Finnhub only sends what we subscribed, so this is a
 * safety net) are not tracked.
 */
final class SymbolBoard {

  static final int MAX_SYMBOLS = 2_000;

  /** The three latest values change together under the object's lock (uncontended: one writer per symbol). */
  static final class Latest {
    private double price = Double.NaN;
    private long tradeTsMs;
    private long receivedAtMs;
    final LongAdder trades = new LongAdder();

    synchronized void update(double p, long tradeTs, long receivedAt) {
      if (receivedAt >= receivedAtMs) {
        price = p;
        tradeTsMs = tradeTs;
        receivedAtMs = receivedAt;
      }
    }

    synchronized double price() {
      return price;
    }

    synchronized long tradeTsMs() {
      return tradeTsMs;
    }

    synchronized long receivedAtMs() {
      return receivedAtMs;
    }
  }

  private final Map<String, Latest> bySymbol = new ConcurrentHashMap<>();

  void onTrade(Trade trade) {
    Latest latest = bySymbol.get(trade.symbol());
    if (latest == null) {
      if (bySymbol.size() >= MAX_SYMBOLS) {
        return;
      }
      latest = bySymbol.computeIfAbsent(trade.symbol(), s -> new Latest());
    }
    latest.trades.increment();
    latest.update(trade.price(), trade.tradeTsMs(), trade.receivedAtMs());
  }

  /** Seconds since the symbol's latest trade reached us, or NaN when none has. */
  double ageSeconds(String symbol, long nowMs) {
    Latest latest = bySymbol.get(symbol);
    return latest == null ? Double.NaN : (nowMs - latest.receivedAtMs()) / 1000.0;
  }

  /**
   * One row of the status page's symbol table.
   *
   * @param subscription the connection's view: {@code subscribed}, {@code pending}, {@code refused}, {@code over_cap},
   *                     or {@code null} when no connection holds the symbol
   * @param marketOpen   see {@link Markets#isOpen}
   */
  MetricsStatus.SymbolRow row(String symbol, String connection, String subscription, Boolean marketOpen, long staleAfterMs, long nowMs) {
    Latest latest = bySymbol.get(symbol);
    Long ageMs = latest == null ? null : nowMs - latest.receivedAtMs();
    MetricsStatus.Flow flow;
    if (!"subscribed".equals(subscription)) {
      flow = MetricsStatus.Flow.NOT_SUBSCRIBED;
    } else if (Boolean.FALSE.equals(marketOpen) && (ageMs == null || ageMs > staleAfterMs)) {
      flow = MetricsStatus.Flow.MARKET_CLOSED;
    } else if (ageMs == null) {
      flow = MetricsStatus.Flow.NO_TRADES_YET;
    } else {
      flow = ageMs > staleAfterMs ? MetricsStatus.Flow.STALE : MetricsStatus.Flow.FLOWING;
    }
    return new MetricsStatus.SymbolRow(symbol, connection, subscription == null ? "none" : subscription, Markets.kindOf(symbol),
      marketOpen, flow, latest == null ? null : latest.price(), latest == null ? null : latest.tradeTsMs(),
      latest == null ? null : latest.receivedAtMs(), ageMs, latest == null ? 0 : latest.trades.sum());
  }
}
