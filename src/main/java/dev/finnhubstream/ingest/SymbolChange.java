package dev.finnhubstream.ingest;

import java.util.Objects;

/**
 * A runtime subscription change for one Finnhub connection, the request on
 * {@link dev.finnhubstream.bus.Addresses#ingestSymbols} (the admin endpoints). The HTTP edge validates the symbol
 * before it builds one, so the connection takes the change as it comes; the answer is a {@link SymbolChangeResult}.
 *
 * @param action add the symbol to the connection, or remove it
 * @param symbol as Finnhub spells it, e.g. {@code AAPL} or {@code IC MARKETS:1}
 */
public record SymbolChange(Action action, String symbol) {

  public enum Action { ADD, REMOVE }

  public SymbolChange {
    Objects.requireNonNull(action, "action");
    if (symbol == null || symbol.isBlank()) {
      throw new IllegalArgumentException("a symbol change needs a non-blank symbol");
    }
  }
}
