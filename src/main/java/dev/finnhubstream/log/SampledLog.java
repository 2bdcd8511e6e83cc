package dev.finnhubstream.log;

/**
 * Which occurrences of a repeated event get a log line: the 1st to the 10th, then every power of two. A storm of
 * bad frames or failed records cannot flood the log, yet its growth stays visible (the count is in each line).
 * The caller counts and logs; this only decides, so a skipped occurrence costs no formatting and no allocation.
 */
public final class SampledLog {

  private SampledLog() {
  }

  /** Whether occurrence number {@code count} (counted from 1) is logged. */
  public static boolean shouldLog(long count) {
    return count <= 10 || Long.bitCount(count) == 1;
  }
}
