package dev.finnhubstream.ingest;

import java.util.Objects;

/**
 * A runtime subscription change for one Finnhub connection, the request on
 * {@link dev.finnhubstream.bus.Addresses#ingestSymbols}: from the admin endpoints, and from the re-sharding, which
 * moves the symbols of a refused key onto the others and back. The HTTP edge validates the symbol before it builds
 * one, so the connection takes the change as it comes; the answer is a {@link SymbolChangeResult}.
 *
 * @param action add the symbol to the connection, remove it, or (on the symbol's own connection) lend it out and
 *               reclaim it
 * @param symbol as Finnhub spells it, e.g. {@code AAPL} or {@code IC MARKETS:1}
 * @param lender with {@link Action#ADD} from the re-sharding, the connection the symbol is borrowed from; {@code null}
 *               for a symbol of the connection's own
 */
public record SymbolChange(Action action, String symbol, String lender) {

  public enum Action {
    ADD,
    REMOVE,
    /** The symbol's own connection stops subscribing it: another connection will hold it for a while. */
    LEND,
    /** The symbol's own connection subscribes it again: the borrower already unsubscribed it. */
    RECLAIM
  }

  public SymbolChange {
    Objects.requireNonNull(action, "action");
    if (symbol == null || symbol.isBlank()) {
      throw new IllegalArgumentException("a symbol change needs a non-blank symbol");
    }
    if (lender != null && action != Action.ADD) {
      throw new IllegalArgumentException("only an added symbol is borrowed from a lender");
    }
  }

  /** A change of the connection's own symbols (the admin endpoints). */
  public SymbolChange(Action action, String symbol) {
    this(action, symbol, null);
  }
}
