package dev.finnhubstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.config.Secret;
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
}
