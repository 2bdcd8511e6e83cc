package dev.finnhubstream.config;

import static dev.finnhubstream.config.ConfigKeys.*;

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
 *                              when the URL is not the real Finnhub. Keys are positions (a key's connection name and,
 *                              with several instances, its slot): a removed key is written {@value #RETIRED_KEY}, which
 *                              keeps its place ({@link #RETIRED}: no connection, its symbols go to the other keys)
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
 * @param reshardAfterMs        a key refused this long lends its symbols to the other keys; 0 = never
 */
public record FinnhubConfig(String url, List<String> symbols, List<Secret> tokens, long reconnectInitialMs,
                            long reconnectMaxMs, long reconnectStableMs, long rejectedKeyRetryMs, long watchdogMs,
                            int subscribesPerSecond, int maxSymbolsPerKey, long invalidSymbolRetryMs,
                            long overCapRetryMs, int maxMessageBytes, long reshardAfterMs) {

  /** How {@code FINNHUB_TOKEN} marks the place of a removed key, so the keys after it keep theirs. */
  public static final String RETIRED_KEY = "-";
  /** A retired key's entry in {@link #tokens()}: empty, so nothing can send or redact it. */
  public static final Secret RETIRED = new Secret("");

  public FinnhubConfig {
    symbols = List.copyOf(symbols);
    tokens = List.copyOf(tokens);
  }

  static FinnhubConfig from(ConfigSection s, List<Secret> tokens) {
    String url = s.string(FINNHUB_URL);
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw s.invalid(FINNHUB_URL, "\"" + url + "\" is not a valid URI", "use wss://ws.finnhub.io or ws://HOST:PORT");
    }
    if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme()) || uri.getHost() == null) {
      throw s.invalid(FINNHUB_URL, "\"" + url + "\" is not a ws:// or wss:// URL with a host",
        "use wss://ws.finnhub.io or ws://HOST:PORT");
    }
    if (uri.getRawQuery() != null && uri.getRawQuery().contains("token=")) {
      throw s.invalid(FINNHUB_URL, "the URL carries a token", "remove ?token=... from the URL and set "
        + EnvironmentVariables.FINNHUB_TOKEN + " instead (secrets never live in the config)");
    }
    List<String> symbols = s.stringList(FINNHUB_SYMBOLS);
    if (symbols.isEmpty()) {
      throw s.invalid(FINNHUB_SYMBOLS, "the symbol list is empty", "list at least one symbol, e.g. [\"AAPL\", \"BINANCE:BTCUSDT\"]");
    }
    Set<String> seen = new HashSet<>();
    for (String symbol : symbols) {
      if (!symbol.equals(symbol.strip())) {
        throw s.invalid(FINNHUB_SYMBOLS, "symbol \"" + symbol + "\" has leading or trailing spaces", "remove them (inner spaces, as in \"IC MARKETS:1\", are fine)");
      }
      if (!seen.add(symbol)) {
        throw s.invalid(FINNHUB_SYMBOLS, "symbol \"" + symbol + "\" is listed twice", "list each symbol once");
      }
    }
    long initial = s.integer(FINNHUB_RECONNECT_INITIAL_MS);
    long max = s.integer(FINNHUB_RECONNECT_MAX_MS);
    if (max < initial) {
      throw s.invalid(FINNHUB_RECONNECT_MAX_MS, "smaller than reconnect_initial_ms (" + initial + ")", "make it at least " + initial);
    }
    long stable = s.integer(FINNHUB_RECONNECT_STABLE_MS);
    long rejectedKeyRetry = s.integer(FINNHUB_REJECTED_KEY_RETRY_MS);
    long watchdog = s.integer(FINNHUB_WATCHDOG_MS);
    int subscribesPerSecond = (int) s.integer(FINNHUB_SUBSCRIBES_PER_SECOND);
    int cap = (int) s.integer(FINNHUB_MAX_SYMBOLS_PER_KEY);
    long invalidRetry = s.integer(FINNHUB_INVALID_SYMBOL_RETRY_MS);
    long overCapRetry = s.integer(FINNHUB_OVER_CAP_RETRY_MS);
    int maxMessageBytes = (int) s.integer(FINNHUB_MAX_MESSAGE_BYTES);
    long reshardAfter = s.integer(FINNHUB_RESHARD_AFTER_MS);
    boolean realFinnhub = isRealFinnhub(uri.getHost());
    if (realFinnhub && tokens.isEmpty()) {
      throw new ConfigException(EnvironmentVariables.FINNHUB_TOKEN, "not set, and finnhub.url (" + s.origin(FINNHUB_URL)
        + ") points at the real Finnhub (" + url + ")", "export FINNHUB_TOKEN=<your API key>, or set FINNHUB_URL to the emulator");
    }
    List<Secret> live = tokens.stream().filter(t -> !t.isEmpty()).toList();
    if (!tokens.isEmpty() && live.isEmpty()) {
      throw new ConfigException(EnvironmentVariables.FINNHUB_TOKEN, "marks every key as removed (" + RETIRED_KEY + ")",
        "give at least one API key");
    }
    if (new HashSet<>(live).size() < live.size()) {
      // Finnhub allows one connection per key: the same key twice would make the two connections drop each other.
      throw new ConfigException(EnvironmentVariables.FINNHUB_TOKEN, "lists the same API key more than once",
        "list each key once (one connection per key is a Finnhub rule)");
    }
    if (live.size() > symbols.size()) {
      throw new ConfigException(EnvironmentVariables.FINNHUB_TOKEN, "holds " + live.size() + " keys for only "
        + symbols.size() + " symbols", "give at most one key per symbol (an idle connection still counts against the key)");
    }
    return new FinnhubConfig(url, symbols, tokens, initial, max, stable, rejectedKeyRetry, watchdog,
      subscribesPerSecond, cap, invalidRetry, overCapRetry, maxMessageBytes, reshardAfter);
  }

  /** How many connections the service opens: one per key, or one without a key (emulator). */
  public int connectionCount() {
    return Math.max(1, tokens.size());
  }

  /** Whether key {@code index} was removed ({@value #RETIRED_KEY} in its place): no connection, no symbols. */
  public boolean retired(int index) {
    return !tokens.isEmpty() && tokens.get(index).isEmpty();
  }

  /** The positions of the retired keys, ascending (empty when none is). */
  public List<Integer> retiredKeys() {
    return java.util.stream.IntStream.range(0, tokens.size()).filter(this::retired).boxed().toList();
  }

  /** The first key that is not retired (the market-hours requests use it), or {@code null} without keys. */
  public Secret firstKey() {
    return tokens.stream().filter(t -> !t.isEmpty()).findFirst().orElse(null);
  }

  /**
   * The symbols of connection {@code index}: round-robin over the configured order and the keys that are not
   * retired, so shards stay balanced and a symbol keeps its key as long as the list and the keys do not change.
   */
  public List<String> shard(int index) {
    if (retired(index)) {
      return List.of();
    }
    List<Integer> live = java.util.stream.IntStream.range(0, connectionCount()).filter(i -> !retired(i)).boxed().toList();
    int n = live.size();
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    for (int i = live.indexOf(index); i < symbols.size(); i += n) {
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
