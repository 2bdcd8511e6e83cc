package dev.finnhubstream.ingest;

import java.util.Objects;

/**
 * What a Finnhub connection did with a {@link SymbolChange}, its answer on
 * {@link dev.finnhubstream.bus.Addresses#ingestSymbols}. The admin endpoints turn it into JSON.
 *
 * @param connection label of the connection, e.g. {@code key-1}
 * @param symbol     the symbol of the change
 * @param outcome    see {@link Outcome}
 * @param was        for {@link Outcome#REMOVED} only, the symbol's subscription before the removal
 *                   ({@code PENDING}, {@code SUBSCRIBED}, {@code REFUSED} or {@code OVER_CAP}); {@code null} otherwise
 */
public record SymbolChangeResult(String connection, String symbol, Outcome outcome, String was) {

  public enum Outcome {
    /** Held now, subscribed at the connection's next paced tick. */
    ADDED,
    /** Held already (on this connection, or on another one as the admin endpoint found): nothing changed. */
    ALREADY_PRESENT,
    /** No longer held; unsubscribed at once if it was subscribed. */
    REMOVED,
    /** Not held: nothing changed. */
    NOT_PRESENT,
    /** Held, but not subscribed here while another connection holds it (re-sharding). */
    LENT,
    /** Lent before, subscribed here again at the next paced tick. */
    RECLAIMED
  }

  public SymbolChangeResult {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(symbol, "symbol");
    Objects.requireNonNull(outcome, "outcome");
    if ((outcome == Outcome.REMOVED) != (was != null)) {
      throw new IllegalArgumentException("'was' goes with a removal, and only with one");
    }
  }
}
