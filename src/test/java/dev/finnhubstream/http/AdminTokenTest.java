package dev.finnhubstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finnhubstream.config.Secret;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AdminTokenTest {

  @Test
  @DisplayName("accepts exactly 'Bearer <token>' (scheme in any case), nothing else; disabled without a token")
  void bearer() {
    AdminToken token = new AdminToken(new Secret("s3cret-admin-token-123"));
    assertThat(token.enabled()).isTrue();
    assertThat(token.accepts("Bearer s3cret-admin-token-123")).isTrue();
    assertThat(token.accepts("bearer s3cret-admin-token-123")).isTrue();
    assertThat(token.accepts("Bearer s3cret-admin-token-12")).isFalse();
    assertThat(token.accepts("Bearer s3cret-admin-token-1234")).isFalse();
    assertThat(token.accepts("s3cret-admin-token-123")).isFalse();
    assertThat(token.accepts("Basic s3cret-admin-token-123")).isFalse();
    assertThat(token.accepts(null)).isFalse();
    AdminToken off = new AdminToken(null);
    assertThat(off.enabled()).isFalse();
    assertThat(off.accepts("Bearer anything")).isFalse();
  }

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
}
