package dev.finnhubstream.ingest;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A symbol change and its result cannot be built half-formed: the connection takes them as they come. */
class SymbolChangeTest {

  @Test
  @DisplayName("a change needs an action and a non-blank symbol")
  void change() {
    assertThatThrownBy(() -> new SymbolChange(null, "AAPL")).isInstanceOf(NullPointerException.class);
    for (String bad : new String[] {null, "", "  "}) {
      assertThatThrownBy(() -> new SymbolChange(SymbolChange.Action.ADD, bad)).as("[%s]", bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  @DisplayName("a result says what the symbol was exactly when it was removed")
  void result() {
    assertThatThrownBy(() -> new SymbolChangeResult("key-1", "AAPL", SymbolChangeResult.Outcome.REMOVED, null))
      .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SymbolChangeResult("key-1", "AAPL", SymbolChangeResult.Outcome.ADDED, "PENDING"))
      .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SymbolChangeResult("key-1", "AAPL", null, null)).isInstanceOf(NullPointerException.class);
  }
}
