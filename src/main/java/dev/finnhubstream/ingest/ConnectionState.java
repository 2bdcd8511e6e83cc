package dev.finnhubstream.ingest;

/** Where one Finnhub connection is in its life. */
public enum ConnectionState {
  /** Handshake in progress. */
  CONNECTING,
  /** Open: subscribing (paced) and receiving frames. */
  CONNECTED,
  /** Closed or failed; waiting for the next attempt (exponential backoff with jitter). */
  BACKOFF,
  /** Finnhub refused the key (HTTP 401); waiting the long delay before trying again. */
  KEY_REJECTED,
  /** Several instances: another instance holds this key (or none yet); this one waits, closed, until it gets the key. */
  STANDBY,
  /** Several instances: this instance holds the key but cannot prove it (stale lease); closed until it can. */
  FENCED,
  /** The key was removed ({@code -} in its place in {@code FINNHUB_TOKEN}): never opened, its symbols on other keys. */
  RETIRED,
  /** The verticle is stopping; no more attempts. */
  STOPPED
}
