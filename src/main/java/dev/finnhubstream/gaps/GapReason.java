package dev.finnhubstream.gaps;

import java.util.Locale;

/**
 * Why a configured symbol had no live subscription. The wire name ({@link #wire()}) is what the gap record, the
 * ClickHouse table and {@code /status} carry.
 */
public enum GapReason {
  /** The connection is closed or reconnecting (a drop, the watchdog, a failed handshake, backoff), or connected and the symbol's subscribe not sent yet. */
  DISCONNECTED,
  /** Finnhub refused the key (HTTP 401); the connection waits {@code rejected_key_retry_ms} between tries. */
  KEY_REJECTED,
  /** The symbol does not fit under the key's symbol cap (learned or configured). */
  OVER_CAP,
  /** Finnhub answered {@code Invalid symbol} for it. */
  INVALID_SYMBOL,
  /** Several instances: this instance holds the key but cannot prove it (stale lease), so the key is closed. */
  LEASE_LOST,
  /** The first start of the service (no earlier run known in the disk buffer directory): from the process start. */
  STARTING,
  /** From a clean stop of the previous run until this run subscribed the symbol. */
  SERVICE_STOPPED,
  /** From the last checkpoint of a previous run that died (kill -9, out of memory) until this run subscribed the symbol. */
  CRASHED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Reasons that describe why the whole run had no connection yet: while the symbol is not subscribed they stay
   * the reason of its gap through the first connection attempts (which would read as {@link #DISCONNECTED}), and
   * give way only to a more specific one (a rejected key, the cap, an invalid symbol).
   */
  boolean coversStartUp() {
    return this == STARTING || this == SERVICE_STOPPED || this == CRASHED;
  }
}
