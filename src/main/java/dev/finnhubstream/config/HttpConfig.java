package dev.finnhubstream.config;

/**
 * The status endpoint.
 *
 * @param host bind address ({@code 127.0.0.1} locally, {@code 0.0.0.0} in a container)
 * @param port TCP port; 0 picks a free one (tests)
 */
public record HttpConfig(String host, int port) {

  static final java.util.Set<String> KEYS = java.util.Set.of("host", "port");

  static HttpConfig from(ConfigSection s) {
    return new HttpConfig(s.string("host"), (int) s.integer("port", 0, 65535));
  }
}
