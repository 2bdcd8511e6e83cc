package dev.finnhubstream.emulator;

/**
 * The kinds of malformed frame the emulator substitutes for trade frames when
 * {@link EmulatorOptions#malformedFrameRatio()} is above 0, used in this order, round after round. None of them
 * carries a valid trade.
 */
public enum MalformedKind {
  /** A trade frame cut off mid-way: not parseable JSON. */
  TRUNCATED_JSON,
  /** Parseable JSON with {@code "p":"abc"} and {@code "t":"x"}. */
  WRONG_TYPES,
  /** A literal {@code NaN} as the price: not standard JSON. */
  NAN,
  /** Two trade objects, one without {@code "p"}, one without {@code "s"}. */
  MISSING_FIELDS,
  /** {@code {"data":[],"type":"trade"}}. */
  EMPTY_DATA,
  /** A trade-shaped {@code data} array under {@code "type":"whatever"}: a parser ignoring the type would ingest it. */
  UNKNOWN_TYPE
}
