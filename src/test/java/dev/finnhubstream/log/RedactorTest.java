package dev.finnhubstream.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.config.Secret;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RedactorTest {

  @Test
  @DisplayName("every occurrence of every secret is hidden, the rest of the text kept")
  void hidesEverySecret() {
    Redactor redactor = new Redactor(List.of(new Secret("key-one"), new Secret("pw-2")));
    assertThat(redactor.redact("GET /?token=key-one failed; retried with key-one, auth pw-2"))
      .isEqualTo("GET /?token=**** failed; retried with ****, auth ****");
  }

  @Test
  @DisplayName("without secrets, or on a null text, the text is returned as it is")
  void nothingToHide() {
    assertThat(new Redactor(List.of()).redact("token=abc")).isEqualTo("token=abc");
    assertThat(new Redactor(List.of(new Secret("abc"))).redact(null)).isNull();
  }
}
