package dev.finnhubstream.config;

/**
 * A configuration problem that stops start-up. Its message is one line a person can act on: the key
 * (JSON path or environment variable), what is wrong, and how to fix it.
 *
 * <p>It carries no stack trace on purpose: the launcher logs the failure cause, and for a bad setting
 * the useful part is the message, not forty lines of frames.
 */
public final class ConfigException extends RuntimeException {

  private final String key;

  public ConfigException(String key, String problem, String fix) {
    super(key + ": " + problem + ". Fix: " + fix, null, false, false);
    this.key = key;
  }

  /** The JSON path (e.g. {@code environments.local.finnhub.symbols}) or environment variable at fault. */
  public String key() {
    return key;
  }
}
