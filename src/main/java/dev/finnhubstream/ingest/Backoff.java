package dev.finnhubstream.ingest;

import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential, capped, with jitter, so that after a Finnhub restart a crowd of clients
 * (or our own retries) does not knock in lock-step.
 *
 * <p>The n-th delay is drawn uniformly from {@code [initial, min(max, initial * 2^n)]}: "full jitter"
 * with a floor, because a zero delay against a server that accepts and drops at once would spin.
 * {@link #reset()} is for the caller to invoke once a connection has proven stable, not merely opened.
 */
final class Backoff {

  private final long initialMs;
  private final long maxMs;
  private final RandomGenerator random;
  private int attempt;

  Backoff(long initialMs, long maxMs, RandomGenerator random) {
    if (initialMs <= 0 || maxMs < initialMs) {
      throw new IllegalArgumentException("need 0 < initialMs <= maxMs");
    }
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.random = random;
  }

  /** The delay before the next attempt; each call widens the window until it reaches the cap. */
  long nextDelayMs() {
    long ceiling = attempt >= 62 ? maxMs : Math.min(maxMs, initialMs << Math.min(attempt, 40));
    if (ceiling < initialMs) {
      ceiling = maxMs; // shift overflow
    }
    attempt++;
    return ceiling == initialMs ? initialMs : random.nextLong(initialMs, ceiling + 1);
  }

  int attempts() {
    return attempt;
  }

  void reset() {
    attempt = 0;
  }
}
