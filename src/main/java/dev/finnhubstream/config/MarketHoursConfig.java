package dev.finnhubstream.config;

import java.net.URI;
import java.net.URISyntaxException;

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

  /**
   * @param finnhubUrl the WebSocket URL, already validated: without {@code market_hours.rest_url} the REST base
   *                   follows it, so pointing {@code FINNHUB_URL} at another emulator moves both
   */
  static MarketHoursConfig from(ConfigSection s, URI finnhubUrl) {
    String url = s.has(ConfigKeys.MARKET_HOURS_REST_URL) ? s.string(ConfigKeys.MARKET_HOURS_REST_URL) : restUrlOf(finnhubUrl);
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw s.invalid(ConfigKeys.MARKET_HOURS_REST_URL, "\"" + url + "\" is not a valid URL", "use https://finnhub.io/api/v1 or http://HOST:PORT/api/v1");
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw s.invalid(ConfigKeys.MARKET_HOURS_REST_URL, "\"" + url + "\" is not an http:// or https:// URL with a host",
        "use https://finnhub.io/api/v1 or http://HOST:PORT/api/v1");
    }
    if (uri.getRawQuery() != null) {
      throw s.invalid(ConfigKeys.MARKET_HOURS_REST_URL, "the URL has a query string", "remove it (the token travels in a header, from "
        + EnvironmentVariables.FINNHUB_TOKEN + ")");
    }
    String exchange = s.string(ConfigKeys.MARKET_HOURS_EXCHANGE);
    return new MarketHoursConfig(s.bool(ConfigKeys.MARKET_HOURS_ENABLED), url.endsWith("/") ? url.substring(0, url.length() - 1) : url, exchange,
      s.integer(ConfigKeys.MARKET_HOURS_POLL_MS), s.integer(ConfigKeys.MARKET_HOURS_STALE_AFTER_MS));
  }

  /**
   * Finnhub's REST base for a WebSocket URL: the real service's lives on {@code finnhub.io} itself, an emulator
   * answers REST on its WebSocket port ({@code ws://h:p} → {@code http://h:p/api/v1}).
   */
  static String restUrlOf(URI finnhubUrl) {
    if (FinnhubConfig.isRealFinnhub(finnhubUrl.getHost())) {
      return "https://finnhub.io/api/v1";
    }
    String scheme = "wss".equals(finnhubUrl.getScheme()) ? "https" : "http";
    return scheme + "://" + finnhubUrl.getRawAuthority() + "/api/v1";
  }
}
