package dev.finnhubstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finnhubstream.ingest.SymbolChangeResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The HTTP edge of the runtime symbol changes: what a request may hold, and the JSON a connection's answer becomes. */
class AdminRoutesTest {

  @Test
  @DisplayName("PUT /symbols bodies: a list of trimmed printable symbols, inner spaces allowed, no duplicates, bounded")
  void symbolsBody() {
    assertThat(AdminRoutes.parseSymbols(new JsonObject().put("symbols", new JsonArray().add("AAPL").add("IC MARKETS:1"))))
      .containsExactly("AAPL", "IC MARKETS:1");
    for (JsonObject bad : new JsonObject[] {
      new JsonObject(), new JsonObject().put("symbols", "AAPL"), new JsonObject().put("symbols", new JsonArray()),
      new JsonObject().put("symbols", new JsonArray().add(" AAPL")), new JsonObject().put("symbols", new JsonArray().add("A\nB")),
      new JsonObject().put("symbols", new JsonArray().add("A").add("A")), new JsonObject().put("symbols", new JsonArray().add(42)),
      new JsonObject().put("symbols", new JsonArray().add("X".repeat(AdminRoutes.MAX_SYMBOL_LENGTH + 1)))}) {
      assertThatThrownBy(() -> AdminRoutes.parseSymbols(bad)).as(bad.encode()).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  @DisplayName("a connection's answer becomes the documented JSON: result in lower case, 'was' on a removal only")
  void resultJson() {
    assertThat(AdminRoutes.json(new SymbolChangeResult("key-1", "IC MARKETS:1", SymbolChangeResult.Outcome.REMOVED, "SUBSCRIBED")))
      .isEqualTo(new JsonObject().put("connection", "key-1").put("symbol", "IC MARKETS:1").put("result", "removed").put("was", "SUBSCRIBED"));
    assertThat(AdminRoutes.json(new SymbolChangeResult("key-2", "NVDA", SymbolChangeResult.Outcome.ADDED, null)))
      .isEqualTo(new JsonObject().put("connection", "key-2").put("symbol", "NVDA").put("result", "added"));
    assertThat(AdminRoutes.json(new SymbolChangeResult("key-1", "AAPL", SymbolChangeResult.Outcome.ALREADY_PRESENT, null))
      .getString("result")).isEqualTo("already_present");
    assertThat(AdminRoutes.json(new SymbolChangeResult("key-1", "AAPL", SymbolChangeResult.Outcome.NOT_PRESENT, null))
      .getString("result")).isEqualTo("not_present");
  }
}
