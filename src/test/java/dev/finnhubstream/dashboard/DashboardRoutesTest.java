package dev.finnhubstream.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DashboardRoutesTest {

  @ParameterizedTest
  @ValueSource(strings = {"AAPL", "IC MARKETS:1", "BINANCE:BTCUSDT", "OANDA:EUR_USD", "BRK.B", "^GSPC", "EURUSD=X"})
  @DisplayName("real Finnhub symbols pass the symbol check")
  void symbols(String symbol) {
    assertThat(DashboardRoutes.SYMBOL.matcher(symbol).matches()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"AAPL' OR 1=1 --", "A\\", "A\"B", "A;B", "", "A\nB", "A)B"})
  @DisplayName("anything that could end a string literal or a statement fails the symbol check")
  void unsafeSymbols(String symbol) {
    assertThat(DashboardRoutes.SYMBOL.matcher(symbol).matches()).isFalse();
  }

  @Test
  @DisplayName("minutes: a whole number from 1 to a day, the configured window when absent")
  void minutes() {
    assertThat(DashboardRoutes.minutes(null, 60)).isEqualTo(60);
    assertThat(DashboardRoutes.minutes("15", 60)).isEqualTo(15);
    assertThat(DashboardRoutes.minutes("1440", 60)).isEqualTo(1440);
    for (String bad : new String[] {"0", "1441", "-1", "1e3", "5 MINUTE", "", "99999"}) {
      assertThatThrownBy(() -> DashboardRoutes.minutes(bad, 60)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  @DisplayName("string literals escape quotes and backslashes")
  void literal() {
    assertThat(DashboardRoutes.stringLiteral("IC MARKETS:1")).isEqualTo("'IC MARKETS:1'");
    assertThat(DashboardRoutes.stringLiteral("a'b\\c")).isEqualTo("'a\\'b\\\\c'");
  }
}
