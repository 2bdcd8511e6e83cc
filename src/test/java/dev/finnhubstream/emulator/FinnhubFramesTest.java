package dev.finnhubstream.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hand-written trade frame is exactly what the JSON encoder writes for the same frame built as objects (the
 * way the emulator built it before): key order, whole numbers without a fraction, Jackson's doubles and escapes.
 */
class FinnhubFramesTest {

  private static final List<String> SYMBOLS = List.of("AAPL", "BINANCE:BTCUSDT", "IC MARKETS:1", "OANDA:EUR_USD");

  @Test
  void generatedFramesMatchTheEncoder() {
    TradeGenerator generator = new TradeGenerator(42);
    for (int i = 0; i < 20_000; i++) {
      List<EmulatedTrade> frame = generator.trades(SYMBOLS, generator.frameSize(12), 1_700_000_000_000L + i);
      assertThat(FinnhubFrames.trades(frame)).isEqualTo(encoded(frame));
    }
  }

  @Test
  void oddSymbolsConditionsAndNumbersMatchTheEncoder() {
    List<String> symbols = List.of("A\"B", "back\\slash", "tab\there", "nl\nx", "ctl\u0001\u001f", "é日本", "\u2028sep",
      "emoji\uD83D\uDE00", "</script>", "");
    double[] numbers = {0, -0.0, 1, -1, 0.5, 123.45, 1e-7, 1.5e-300, 999_999_999_999_999d, 1e15, 1e16, 1e21, -2.5e20,
      Double.MAX_VALUE, Double.MIN_VALUE, 0.1 + 0.2};
    List<EmulatedTrade> frame = new ArrayList<>();
    for (int i = 0; i < symbols.size(); i++) {
      List<String> conditions = switch (i % 3) {
        case 0 -> null;
        case 1 -> List.of();
        default -> List.of("1", symbols.get(i), "\"");
      };
      frame.add(new EmulatedTrade(symbols.get(i), i, numbers[i % numbers.length], numbers[(i + 7) % numbers.length],
        conditions));
    }
    for (double p : numbers) {
      frame.add(new EmulatedTrade("X", Long.MAX_VALUE, p, -p, List.of("12")));
    }
    assertThat(FinnhubFrames.trades(frame)).isEqualTo(encoded(frame));
    assertThat(FinnhubFrames.trades(List.of())).isEqualTo(encoded(List.of()));
  }

  /** The oracle: the frame as objects in Finnhub's key order, through Vert.x's Jackson encoder. */
  private static String encoded(List<EmulatedTrade> trades) {
    JsonArray data = new JsonArray();
    for (EmulatedTrade trade : trades) {
      JsonObject json = new JsonObject(new LinkedHashMap<>());
      if (trade.c() != null) {
        json.put("c", new JsonArray(trade.c()));
      }
      data.add(json.put("p", number(trade.p())).put("s", trade.symbol()).put("t", trade.t()).put("v", number(trade.v())));
    }
    return new JsonObject(new LinkedHashMap<>()).put("data", data).put("type", "trade").encode();
  }

  private static Object number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? (Object) (long) value : (Object) value;
  }
}
