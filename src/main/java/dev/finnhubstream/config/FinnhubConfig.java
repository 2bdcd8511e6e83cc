package dev.finnhubstream.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Finnhub WebSocket source.
 *
 * @param url                 {@code wss://ws.finnhub.io} or an emulator's {@code ws://host:port}; never holds the token
 * @param symbols             symbols to subscribe, in order; may contain spaces and colons
 * @param tokens              API keys from {@code FINNHUB_TOKEN}; empty only when the URL is not the real Finnhub
 * @param reconnectInitialMs  first reconnect delay
 * @param reconnectMaxMs      cap of the exponential reconnect delay
 * @param maxMessageBytes     largest WebSocket message accepted (Finnhub documents none)
 */
public record FinnhubConfig(String url, List<String> symbols, List<Secret> tokens, long reconnectInitialMs,
                            long reconnectMaxMs, int maxMessageBytes) {

  static final Set<String> KEYS = Set.of("url", "symbols", "reconnect_initial_ms", "reconnect_max_ms", "max_message_bytes");

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
    int maxMessageBytes = (int) s.integer("max_message_bytes", 65_536, 256L * 1024 * 1024);
    boolean realFinnhub = isRealFinnhub(uri.getHost());
    if (realFinnhub && tokens.isEmpty()) {
      throw new ConfigException(EnvironmentVariables.FINNHUB_TOKEN, "not set, and finnhub.url (" + s.origin("url")
        + ") points at the real Finnhub (" + url + ")", "export FINNHUB_TOKEN=<your API key>, or set FINNHUB_URL to the emulator");
    }
    if (tokens.size() > 1) {
      // One connection per key is a hard Finnhub rule; sharding symbols across keys is not built yet.
      throw new ConfigException(EnvironmentVariables.FINNHUB_TOKEN, "holds " + tokens.size()
        + " keys, but this version opens one connection with one key", "set a single API key");
    }
    return new FinnhubConfig(url, symbols, tokens, initial, max, maxMessageBytes);
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
