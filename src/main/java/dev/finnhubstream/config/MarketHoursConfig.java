package dev.finnhubstream.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

/**
 * Market hours: whether US equities trade right now, from Finnhub's REST {@code /stock/market-status}, so
 * that an old last trade reads as "market closed" rather than "feed stale". Crypto and forex symbols are
 * treated as always open and need no call.
 *
 * @param enabled      poll at all; without a Finnhub token the poller stays off regardless
 * @param restUrl      Finnhub's REST base ({@code https://finnhub.io/api/v1}) or the emulator's; never holds a token
 * @param exchange     the exchange asked about ({@code US})
 * @param pollMs       one call per this many ms at most; the free plan allows 60 calls a minute, so at least 1 s
 * @param staleAfterMs a symbol whose market is open and whose last trade is older than this is shown as stale
 */
public record MarketHoursConfig(boolean enabled, String restUrl, String exchange, long pollMs, long staleAfterMs) {

  static final Set<String> KEYS = Set.of("enabled", "rest_url", "exchange", "poll_ms", "stale_after_ms");

  static MarketHoursConfig from(ConfigSection s) {
    String url = s.string("rest_url");
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw s.invalid("rest_url", "\"" + url + "\" is not a valid URL", "use https://finnhub.io/api/v1 or http://HOST:PORT/api/v1");
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw s.invalid("rest_url", "\"" + url + "\" is not an http:// or https:// URL with a host",
        "use https://finnhub.io/api/v1 or http://HOST:PORT/api/v1");
    }
    if (uri.getRawQuery() != null) {
      throw s.invalid("rest_url", "the URL has a query string", "remove it (the token travels in a header, from "
        + EnvironmentVariables.FINNHUB_TOKEN + ")");
    }
    String exchange = s.string("exchange");
    if (!exchange.matches("[A-Z0-9]{1,8}")) {
      throw s.invalid("exchange", "\"" + exchange + "\" is not an exchange code", "use a Finnhub exchange code such as US");
    }
    return new MarketHoursConfig(s.bool("enabled"), url.endsWith("/") ? url.substring(0, url.length() - 1) : url, exchange,
      s.integer("poll_ms", 1_000, 86_400_000), s.integer("stale_after_ms", 1_000, 86_400_000));
  }
}
