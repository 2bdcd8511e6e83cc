package dev.finnhubstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.ingest.FinnhubMessage.Malformed;
import dev.finnhubstream.ingest.FinnhubMessage.Trades;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FinnhubFrameParserTest {

  private static final long NOW = 1_700_000_000_123L;
  private final FinnhubFrameParser parser = new FinnhubFrameParser();

  private Trades trades(String frame) {
    FinnhubMessage m = parser.parse(frame, NOW, "run1-7-");
    assertThat(m).isInstanceOf(Trades.class);
    return (Trades) m;
  }

  @Test
  @DisplayName("a frame with several symbols becomes one trade per data element, in order, with ids by index")
  void severalSymbols() {
    Trades t = trades("""
      {"data":[{"c":["1","8","24","12"],"p":122.1,"s":"TSLA","t":1672348887195,"v":1},
               {"c":["1","24","12"],"p":129.58,"s":"AAPL","t":1672348887666,"v":1},
               {"p":7296.89,"s":"BINANCE:BTCUSDT","t":1575526691134,"v":0.011467}],"type":"trade"}""");
    assertThat(t.rejected()).isEmpty();
    assertThat(t.trades()).containsExactly(
      new Trade("TSLA", 1672348887195L, 122.1, 1.0, List.of("1", "8", "24", "12"), NOW, "run1-7-0"),
      new Trade("AAPL", 1672348887666L, 129.58, 1.0, List.of("1", "24", "12"), NOW, "run1-7-1"),
      new Trade("BINANCE:BTCUSDT", 1575526691134L, 7296.89, 0.011467, List.of(), NOW, "run1-7-2"));
  }

  @Test
  @DisplayName("a second data array is refused whole (its indexes would repeat ingest ids); a repeated trade field rejects that trade")
  void duplicateKeys() {
    assertThat(parser.parse("{\"data\":[{\"p\":1,\"s\":\"A\",\"t\":1,\"v\":1}],\"data\":[{\"p\":2,\"s\":\"B\",\"t\":1,\"v\":1}],"
      + "\"type\":\"trade\"}", NOW, "run1-7-")).isEqualTo(new Malformed("duplicate_key:data"));
    Trades t = trades("{\"type\":\"trade\",\"data\":[{\"p\":1,\"s\":\"A\",\"t\":1,\"v\":1,\"p\":900},{\"p\":2,\"s\":\"B\",\"t\":1,\"v\":1}]}");
    assertThat(t.trades()).extracting(Trade::symbol).containsExactly("B");
    assertThat(t.rejected()).extracting(FinnhubMessage.RejectedTrade::reason).containsExactly("duplicate_field:p");
  }

  @Test
  @DisplayName("a value of the wrong type that is an object or array is skipped whole; a t beyond long does not leak into later numbers")
  void wrongTypeContainersAndHugeIntegers() {
    Trades t = trades("{\"type\":\"trade\",\"data\":[{\"p\":{\"a\":[1,2]},\"s\":\"A\",\"t\":1,\"v\":1},"
      + "{\"p\":1,\"s\":\"B\",\"t\":99999999999999999999999999,\"v\":1},{\"p\":46.5,\"s\":\"C\",\"t\":2,\"v\":[3]},"
      + "{\"p\":7.25,\"s\":\"D\",\"t\":3,\"v\":1}],\"msg\":{\"type\":\"x\"}}");
    assertThat(t.rejected()).extracting(FinnhubMessage.RejectedTrade::reason).containsExactly("wrong_type:p", "wrong_type:t", "wrong_type:v");
    assertThat(t.trades()).containsExactly(new Trade("D", 3, 7.25, 1.0, List.of(), NOW, "run1-7-3"));
    assertThat(parser.parse("{\"data\":[],\"type\":[\"trade\"]}", NOW, "p-")).isEqualTo(new Malformed("missing_type"));
  }

  @Test
  @DisplayName("c absent, empty, null or present all parse; the record always has a list")
  void conditionsVariants() {
    Trades t = trades("""
      {"type":"trade","data":[{"p":1,"s":"A","t":1,"v":1},{"c":[],"p":1,"s":"B","t":1,"v":1},
        {"c":null,"p":1,"s":"C","t":1,"v":1},{"c":["12"],"p":1,"s":"D","t":1,"v":1},{"c":[1,"2"],"p":1,"s":"E","t":1,"v":1}]}""");
    assertThat(t.trades()).extracting(Trade::conditions)
      .containsExactly(List.of(), List.of(), List.of(), List.of("12"), List.of("1", "2"));
  }

  @Test
  @DisplayName("v = 0 (price-only update) and fractional volumes are valid; integer-looking p and v become doubles")
  void volumes() {
    Trades t = trades("{\"data\":[{\"p\":1.0851,\"s\":\"OANDA:EUR_USD\",\"t\":5,\"v\":0},{\"p\":100,\"s\":\"X\",\"t\":6,\"v\":0.0001}],\"type\":\"trade\"}");
    assertThat(t.rejected()).isEmpty();
    assertThat(t.trades()).extracting(Trade::volume).containsExactly(0.0, 0.0001);
    assertThat(t.trades().get(1).price()).isEqualTo(100.0);
  }

  @Test
  @DisplayName("a symbol with a space and a colon is kept verbatim")
  void symbolWithSpace() {
    Trades t = trades("{\"data\":[{\"p\":1.1,\"s\":\"IC MARKETS:1\",\"t\":9,\"v\":2}],\"type\":\"trade\"}");
    assertThat(t.trades()).singleElement().extracting(Trade::symbol).isEqualTo("IC MARKETS:1");
  }

  @Test
  @DisplayName("identical prints in the same millisecond stay distinct trades with distinct ids")
  void identicalPrints() {
    Trades t = trades("{\"data\":[{\"p\":5,\"s\":\"TSLA\",\"t\":9,\"v\":1},{\"p\":5,\"s\":\"TSLA\",\"t\":9,\"v\":1}],\"type\":\"trade\"}");
    assertThat(t.trades()).hasSize(2).extracting(Trade::ingestId).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("a ping has no data and is not an error")
  void ping() {
    assertThat(parser.parse("{\"type\":\"ping\"}", NOW, "r-1-")).isInstanceOf(FinnhubMessage.Ping.class);
  }

  @Test
  @DisplayName("error frames carry Finnhub's text")
  void errors() {
    assertThat(parser.parse("{\"msg\":\"Subscribing to too many symbols\",\"type\":\"error\"}", NOW, "r-1-"))
      .isEqualTo(new FinnhubMessage.ServerError("Subscribing to too many symbols"));
    assertThat(parser.parse("{\"type\":\"error\",\"msg\":\"Invalid symbol OANDA:EUR_USD\"}", NOW, "r-1-"))
      .isEqualTo(new FinnhubMessage.ServerError("Invalid symbol OANDA:EUR_USD"));
  }

  @Test
  @DisplayName("unknown types (news, anything new) are classified, not fatal")
  void unknownType() {
    assertThat(parser.parse("{\"data\":[{\"headline\":\"x\",\"datetime\":1679920200}],\"type\":\"news\"}", NOW, "r-1-"))
      .isEqualTo(new FinnhubMessage.Unknown("news"));
    assertThat(parser.parse("{\"type\":\"message\"}", NOW, "r-1-")).isEqualTo(new FinnhubMessage.Unknown("message"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "not json", "{\"data\":[{\"p\":1,\"s\":\"A\"", "[1,2]", "\"trade\"", "{\"type\":\"trade\"}",
    "{\"type\":\"trade\",\"data\":{}}", "{\"data\":[]}", "{\"type\":\"ping\"} trailing", "{\"type\":\"trade\",\"data\":[{\"p\":NaN,\"s\":\"A\",\"t\":1,\"v\":1}]}",
    "{\"type\":7}", "null"})
  @DisplayName("malformed frames become Malformed, never an exception")
  void malformed(String frame) {
    assertThat(parser.parse(frame, NOW, "r-1-")).isInstanceOf(Malformed.class);
  }

  @Test
  @DisplayName("invalid elements are rejected with a reason while valid neighbours pass")
  void invalidTrades() {
    Trades t = trades("""
      {"type":"trade","data":[
        {"p":1,"t":1,"v":1},
        {"p":"1.5","s":"A","t":1,"v":1},
        {"p":-1,"s":"A","t":1,"v":1},
        {"p":1,"s":"A","t":1,"v":-0.5},
        {"p":1,"s":"A","t":1.5,"v":1},
        {"p":1,"s":"A","t":1,"v":1,"c":"12"},
        {"p":1e400,"s":"A","t":1,"v":1},
        {"p":1,"s":"A","v":1},
        42,
        {"p":2,"s":"OK","t":3,"v":0}]}""");
    assertThat(t.trades()).singleElement().satisfies(trade -> {
      assertThat(trade.symbol()).isEqualTo("OK");
      assertThat(trade.ingestId()).isEqualTo("run1-7-9");
    });
    assertThat(t.rejected()).extracting(FinnhubMessage.RejectedTrade::reason).containsExactly(
      "missing_field:s", "wrong_type:p", "invalid_value:p", "invalid_value:v", "wrong_type:t", "wrong_type:c",
      "invalid_value:p", "missing_field:t", "not_an_object");
    assertThat(t.rejected()).extracting(FinnhubMessage.RejectedTrade::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
    // The raw text of each rejected element, for the dead-letter topic.
    assertThat(t.rejected()).extracting(FinnhubMessage.RejectedTrade::raw).containsExactly(
      "{\"p\":1,\"t\":1,\"v\":1}", "{\"p\":\"1.5\",\"s\":\"A\",\"t\":1,\"v\":1}", "{\"p\":-1,\"s\":\"A\",\"t\":1,\"v\":1}",
      "{\"p\":1,\"s\":\"A\",\"t\":1,\"v\":-0.5}", "{\"p\":1,\"s\":\"A\",\"t\":1.5,\"v\":1}",
      "{\"p\":1,\"s\":\"A\",\"t\":1,\"v\":1,\"c\":\"12\"}", "{\"p\":1e400,\"s\":\"A\",\"t\":1,\"v\":1}",
      "{\"p\":1,\"s\":\"A\",\"v\":1}", "42");
  }

  @Test
  @DisplayName("an empty data array is a valid trade frame with no trades")
  void emptyData() {
    assertThat(trades("{\"data\":[],\"type\":\"trade\"}").trades()).isEmpty();
  }

  @Test
  @DisplayName("unknown fields, in trades and at the top level, are ignored")
  void unknownFields() {
    Trades t = trades("{\"extra\":{\"a\":[1,{}]},\"data\":[{\"x\":[1],\"p\":1,\"s\":\"A\",\"t\":1,\"v\":1,\"y\":{\"z\":1}}],\"type\":\"trade\"}");
    assertThat(t.trades()).hasSize(1);
  }

  @Test
  @DisplayName("symbols and condition codes are read exactly through the text cache: repeats, collisions, escapes, long and non-ASCII texts")
  void cachedTexts() {
    String longSymbol = "X".repeat(TextCache.MAX_CHARS + 1);
    for (int round = 0; round < 2; round++) {
      // More distinct symbols than the cache holds: slots are overwritten, never confused.
      for (int i = 0; i < TextCache.SLOTS * 2; i += 97) {
        String symbol = "S" + i;
        assertThat(trades("{\"data\":[{\"p\":1,\"s\":\"" + symbol + "\",\"t\":1,\"v\":1,\"c\":[\"" + i + "\",7]}],\"type\":\"trade\"}")
          .trades()).singleElement().satisfies(trade -> {
            assertThat(trade.symbol()).isEqualTo(symbol);
            assertThat(trade.conditions()).containsExactly(symbol.substring(1), "7");
          });
      }
      Trades t = trades("{\"data\":[{\"p\":1,\"s\":\"\\u0041A\\\"PL\",\"t\":1,\"v\":1},{\"p\":1,\"s\":\"" + longSymbol
        + "\",\"t\":1,\"v\":1},{\"p\":1,\"s\":\"IC MARKETS:\u00e9\u4e2d\",\"t\":1,\"v\":1,\"c\":[\"1\",\"2\",\"3\",\"4\",\"5\"]}],\"type\":\"trade\"}");
      assertThat(t.trades()).extracting(Trade::symbol).containsExactly("AA\"PL", longSymbol, "IC MARKETS:\u00e9\u4e2d");
      assertThat(t.trades().get(2).conditions()).containsExactly("1", "2", "3", "4", "5");
    }
    // A repeated symbol is the same String: its hash is computed once, not by every map each trade meets.
    Trades twice = trades("{\"data\":[{\"p\":1,\"s\":\"AAPL\",\"t\":1,\"v\":1},{\"p\":2,\"s\":\"AAPL\",\"t\":1,\"v\":1}],\"type\":\"trade\"}");
    assertThat(twice.trades().get(0).symbol()).isSameAs(twice.trades().get(1).symbol());
  }
}
