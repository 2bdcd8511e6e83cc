package dev.finnhubstream.config;

/**
 * The status endpoint.
 *
 * @param host       bind address ({@code 127.0.0.1} locally, {@code 0.0.0.0} in a container)
 * @param port       TCP port; 0 picks a free one (tests)
 * @param adminToken bearer token of the admin endpoints, from {@code ADMIN_TOKEN}; {@code null} disables them
 */
public record HttpConfig(String host, int port, Secret adminToken) {

  /** Shortest admin token accepted: anything shorter is guessable over the network. */
  static final int MIN_ADMIN_TOKEN_LENGTH = 16;

  /** Without admin endpoints. */
  public HttpConfig(String host, int port) {
    this(host, port, null);
  }

  static HttpConfig from(ConfigSection s, Secret adminToken) {
    if (adminToken != null && adminToken.reveal().length() < MIN_ADMIN_TOKEN_LENGTH) {
      throw new ConfigException(EnvironmentVariables.ADMIN_TOKEN, "shorter than " + MIN_ADMIN_TOKEN_LENGTH + " characters",
        "use a long random value, e.g. export ADMIN_TOKEN=$(openssl rand -hex 24), or unset it to disable the admin endpoints");
    }
    return new HttpConfig(s.string(ConfigKeys.HTTP_HOST), (int) s.integer(ConfigKeys.HTTP_PORT), adminToken);
  }
}
