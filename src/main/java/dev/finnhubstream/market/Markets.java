package dev.finnhubstream.market;

import java.util.Locale;
import java.util.Set;

/**
 * Which market a Finnhub symbol trades on, and whether it is open. A plain ticker ({@code AAPL}) is a US
 * equity: open when Finnhub's {@code /stock/market-status} says so, unknown while nobody asked. A symbol with
 * an exchange prefix ({@code BINANCE:BTCUSDT}, {@code OANDA:EUR_USD}, {@code IC MARKETS:1}) is crypto or forex,
 * treated as always open (crypto trades around the clock; forex pauses at weekends, which this deliberately
 * ignores: a weekend-silent forex feed shows as stale rather than hiding a real outage).
 */
public final class Markets {

  /** The market of a symbol, as shown in {@code /status}. */
  public enum Kind { US, CRYPTO, FOREX }

  /** Exchange prefixes of crypto venues Finnhub streams; every other prefix is taken as a forex broker. */
  private static final Set<String> CRYPTO_VENUES = Set.of("BINANCE", "BINANCEUS", "COINBASE", "KRAKEN", "BITFINEX",
    "BITSTAMP", "GEMINI", "HUOBI", "KUCOIN", "OKEX", "POLONIEX", "BITTREX", "HITBTC", "BYBIT", "BITMEX", "GATEIO", "MEXC");

  private Markets() {
  }

  public static Kind kindOf(String symbol) {
    int colon = symbol.indexOf(':');
    if (colon < 0) {
      return Kind.US;
    }
    return CRYPTO_VENUES.contains(symbol.substring(0, colon).strip().toUpperCase(Locale.ROOT)) ? Kind.CRYPTO : Kind.FOREX;
  }

  /**
   * Whether {@code symbol}'s market is open: {@code true}/{@code false}, or {@code null} when unknown (market
   * hours off, not polled yet, or the last answer too old).
   *
   * @param marketStatus the market-hours poller's status ({@code isOpen} may be null), or {@code null}
   */
  public static Boolean isOpen(String symbol, MarketStatus marketStatus) {
    if (kindOf(symbol) != Kind.US) {
      return Boolean.TRUE;
    }
    return marketStatus == null ? null : marketStatus.isOpen();
  }
}
