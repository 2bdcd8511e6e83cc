package dev.finnhubstream.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Finnhub WebSocket source and how the connection layer behaves.
 *
 * @param url                   {@code wss://ws.finnhub.io} or an emulator's {@code ws://host:port}; never holds a token
 * @param symbols               symbols to subscribe, in order; may contain spaces and colons
 * @param tokens                API keys from {@code FINNHUB_TOKEN} (comma-separated), one connection each; empty only
 *                              when the URL is not the real Finnhub
 * @param reconnectInitialMs    first reconnect delay
 * @param reconnectMaxMs        cap of the exponential reconnect delay
 * @param reconnectStableMs     a connection that lasts this long resets the backoff (resetting on open would let a
 *                              server that accepts and drops at once drive a tight loop)
 * @param rejectedKeyRetryMs    delay before retrying after HTTP 401 (the key was refused; retrying fast cannot help)
 * @param watchdogMs            no frame at all (pings included) for this long: close and reconnect
 * @param subscribesPerSecond   pace of subscribe frames, so a cap error can be blamed on the latest one
 * @param maxSymbolsPerKey      the plan's symbol cap per connection (free plan: 50); the effective cap may be learned lower
 * @param invalidSymbolRetryMs  delay before re-subscribing a symbol refused as invalid (valid ones are refused for a while at times)
 * @param overCapRetryMs        delay before trying again a symbol that did not fit under the cap
 * @param maxMessageBytes       largest WebSocket message accepted (Finnhub documents none)
 */
public record FinnhubConfig(String url, List<String> symbols, List<Secret> tokens, long reconnectInitialMs,
                            long reconnectMaxMs, long reconnectStableMs, long rejectedKeyRetryMs, long watchdogMs,
                            int subscribesPerSecond, int maxSymbolsPerKey, long invalidSymbolRetryMs,
                            long overCapRetryMs, int maxMessageBytes) {

  static final Set<String> KEYS = Set.of("url", "symbols", "reconnect_initial_ms", "reconnect_max_ms",
    "reconnect_stable_ms", "rejected_key_retry_ms", "watchdog_ms", "subscribes_per_second", "max_symbols_per_key",
    "invalid_symbol_retry_ms", "over_cap_retry_ms", "max_message_bytes");

  public FinnhubConfig {
    symbols = List.copyOf(symbols);
    tokens = List.copyOf(tokens);
  }

  static FinnhubConfig from(ConfigSection s, List<Secret> tokens) {
    String url = s.string("url");
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw s.invalid("url", "\"" + url + "\" is not a valid URI", "use wss://ws.finnhub.io or ws://HOST:PORT");
    }
    if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme()) || uri.getHost() == null) {
      throw s.invalid("url", "\"" + url + "\" is not a ws:// or wss:// URL with a host",
        "use wss://ws.finnhub.io or ws://HOST:PORT");
    }
    if (uri.getRawQuery() != null && uri.getRawQuery().contains("token=")) {
      throw s.invalid("url", "the URL carries a token", "remove ?token=... from the URL and set "
        + EnvironmentVariables.FINNHUB_TOKEN + " instead (secrets never live in the config)");
    }
    List<String> symbols = s.stringList("symbols");
    if (symbols.isEmpty()) {
      throw s.invalid("symbols", "the symbol list is empty", "list at least one symbol, e.g. [\"AAPL\", \"BINANCE:BTCUSDT\"]");
    }
    Set<String> seen = new HashSet<>();
    for (String symbol : symbols) {
      if (!symbol.equals(symbol.strip())) {
        throw s.invalid("symbols", "symbol \"" + symbol + "\" has leading or trailing spaces", "remove them (inner spaces, as in \"IC MARKETS:1\", are fine)");
      }
      if (!seen.add(symbol)) {
        throw s.invalid("symbols", "symbol \"" + symbol + "\" is listed twice", "list each symbol once");
      }
    }
    long initial = s.integer("reconnect_initial_ms", 10, 600_000);
    long max = s.integer("reconnect_max_ms", 10, 3_600_000);
    if (max < initial) {
      throw s.invalid("reconnect_max_ms", "smaller than reconnect_initial_ms (" + initial + ")", "make it at least " + initial);
    }
    long stable = s.integer("reconnect_stable_ms", 0, 3_600_000);
    long rejectedKeyRetry = s.integer("rejected_key_retry_ms", 1_000, 86_400_000);
    long watchdog = s.integer("watchdog_ms", 100, 3_600_000);
    int subscribesPerSecond = (int) s.integer("subscribes_per_second", 1, 1_000);
    int cap = (int) s.integer("max_symbols_per_key", 1, 100_000);
    long invalidRetry = s.integer("invalid_symbol_retry_ms", 100, 86_400_000);
    long overCapRetry = s.integer("over_cap_retry_ms", 100, 86_400_000);
    int maxMessageBytes = (int) s.integer("max_message_bytes", 65_536, 256L * 1024 * 1024);
    boolean realFinnhub = isRealFinnhub(uri.getHost());
    if (realFinnhub && tokens.isEmpty()) {
      throw new ConfigException(EnvironmentVariables.FINNHUB_TOKEN, "not set, and finnhub.url (" + s.origin("url")
        + ") points at the real Finnhub (" + url + ")", "export FINNHUB_TOKEN=<your API key>, or set FINNHUB_URL to the emulator");
    }
    if (new HashSet<>(tokens).size() < tokens.size()) {
      // Finnhub allows one connection per key: the same key twice would make the two connections drop each other.
      throw new ConfigException(EnvironmentVariables.FINNHUB_TOKEN, "lists the same API key more than once",
        "list each key once (one connection per key is a Finnhub rule)");
    }
    if (tokens.size() > symbols.size()) {
      throw new ConfigException(EnvironmentVariables.FINNHUB_TOKEN, "holds " + tokens.size() + " keys for only "
        + symbols.size() + " symbols", "give at most one key per symbol (an idle connection still counts against the key)");
    }
    return new FinnhubConfig(url, symbols, tokens, initial, max, stable, rejectedKeyRetry, watchdog,
      subscribesPerSecond, cap, invalidRetry, overCapRetry, maxMessageBytes);
  }

  /** How many connections the service opens: one per key, or one without a key (emulator). */
  public int connectionCount() {
    return Math.max(1, tokens.size());
  }

  /**
   * The symbols of connection {@code index}: round-robin over the configured order, so shards stay
   * balanced and a symbol keeps its key as long as the list and the key count do not change.
   */
  public List<String> shard(int index) {
    int n = connectionCount();
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    for (int i = index; i < symbols.size(); i += n) {
      out.add(symbols.get(i));
    }
    return out;
  }

  static boolean isRealFinnhub(String host) {
    return host.equalsIgnoreCase("finnhub.io") || host.toLowerCase().endsWith(".finnhub.io");
  }

  /** The URL's host, port and TLS flag, with the defaults of its scheme. */
  public URI uri() {
    return URI.create(url);
  }

  /**
   * The request URI (path and query) with the token appended: pass it to the WebSocket client only,
   * never to a log line or an error message.
   */
  public String requestUri(Secret token) {
    URI u = uri();
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    String query = u.getRawQuery();
    if (token == null) {
      return query == null ? path : path + "?" + query;
    }
    return path + "?" + (query == null ? "" : query + "&") + "token=" + URLEncoder.encode(token.reveal(), StandardCharsets.UTF_8);
  }
}
