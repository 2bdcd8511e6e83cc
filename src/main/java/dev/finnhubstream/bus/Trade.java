package dev.finnhubstream.bus;

import java.util.List;
import java.util.Objects;

/**
 * One Finnhub trade print, as it travels on the event bus and lands in Kafka.
 *
 * <p>Finnhub trades carry no id, and identical {@code (symbol, t, p, v, c)} rows are legitimate distinct
 * prints, so the record carries our own {@code ingestId} (unique per trade, never reused across
 * restarts): downstream deduplicates on it, never on content.
 *
 * @param symbol       Finnhub {@code s}; may contain spaces and colons ({@code IC MARKETS:1})
 * @param tradeTsMs    Finnhub {@code t}, epoch milliseconds UTC
 * @param price        Finnhub {@code p}, finite
 * @param volume       Finnhub {@code v}; 0 is valid (price-only updates), fractional for crypto
 * @param conditions   Finnhub {@code c}; empty when Finnhub omitted it
 * @param receivedAtMs our clock when the frame arrived
 * @param ingestId     {@code <runId>-<frameSeq>-<index>}, the idempotency key downstream
 */
public record Trade(String symbol, long tradeTsMs, double price, double volume, List<String> conditions,
                    long receivedAtMs, String ingestId) {

  /** Schema version written with every record; bump only for non-additive changes. */
  public static final int SCHEMA_VERSION = 1;

  public Trade {
    Objects.requireNonNull(symbol, "symbol");
    Objects.requireNonNull(ingestId, "ingestId");
    conditions = conditions == null ? List.of() : List.copyOf(conditions);
  }
}
