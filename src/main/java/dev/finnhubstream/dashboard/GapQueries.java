package dev.finnhubstream.dashboard;

/**
 * The coverage queries over {@code feed_gap_symbols} (one row per symbol and gap, deduplicated; both ClickHouse
 * schemas have it), in one place: the dashboard runs them, the schema tests run them on chdb and the local server.
 * The time window is given in milliseconds from the caller's clock, so a test can pin it.
 */
public final class GapQueries {

  private GapQueries() {
  }

  /**
   * Per symbol with a gap overlapping {@code [nowMs - windowMs, nowMs)}: {@code gap_ms}, the part of the window
   * inside its gaps (a symbol's gaps never overlap: the tracker makes them contiguous), and {@code gaps}, how many.
   * A symbol absent from the answer had a live subscription the whole window, as far as closed gaps tell.
   */
  public static String coverage(String database, long nowMs, long windowMs) {
    long from = nowMs - windowMs;
    return "SELECT symbol, toInt64(sum(greatest(0, least(to_ms, " + nowMs + ") - greatest(from_ms, " + from + ")))) AS gap_ms,"
      + " toInt64(count()) AS gaps"
      + " FROM " + database + ".feed_gap_symbols"
      + " WHERE to_ms > " + from + " AND from_ms < " + nowMs
      + " GROUP BY symbol ORDER BY symbol";
  }

  /** The latest {@code limit} gaps (per symbol) that ended within the window, newest first. */
  public static String recent(String database, long nowMs, long windowMs, int limit) {
    return "SELECT symbol, from_ms, to_ms, toInt64(to_ms - from_ms) AS duration_ms, reason, market_open, connection"
      + " FROM " + database + ".feed_gap_symbols"
      + " WHERE to_ms > " + (nowMs - windowMs)
      + " ORDER BY from_ms DESC, symbol LIMIT " + limit;
  }
}
