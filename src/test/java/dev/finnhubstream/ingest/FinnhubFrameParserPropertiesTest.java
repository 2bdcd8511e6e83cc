package dev.finnhubstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.bus.Trade;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Properties of the frame parser: whatever arrives, it answers with one classified message and never
 * throws; and a well-formed trade frame always round-trips, whatever its symbols and numbers.
 */
class FinnhubFrameParserPropertiesTest {

  private final FinnhubFrameParser parser = new FinnhubFrameParser();

  @Property(tries = 20_000)
  void anyBytesGiveAClassifiedMessage(@ForAll @Size(max = 300) byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    assertClassified(parser.parse(text, 1, "r-1-"));
  }

  @Property(tries = 20_000)
  void anyJsonLikeTextGivesAClassifiedMessage(@ForAll("jsonish") String text) {
    assertClassified(parser.parse(text, 1, "r-1-"));
  }

  @Property(tries = 5_000)
  void truncatedValidFramesAreMalformed(@ForAll("tradeFrames") String frame) {
    for (int end = 0; end < frame.length(); end += Math.max(1, frame.length() / 17)) {
      FinnhubMessage m = parser.parse(frame.substring(0, end), 1, "r-1-");
      assertThat(m).isInstanceOf(FinnhubMessage.Malformed.class);
    }
  }

  @Property(tries = 5_000)
  void wellFormedTradeFramesRoundTrip(@ForAll("trades") List<JsonObject> trades) {
    String frame = new JsonObject().put("data", new JsonArray(List.copyOf(trades))).put("type", "trade").encode();
    FinnhubMessage m = parser.parse(frame, 99, "r-5-");
    assertThat(m).isInstanceOf(FinnhubMessage.Trades.class);
    FinnhubMessage.Trades t = (FinnhubMessage.Trades) m;
    assertThat(t.rejected()).isEmpty();
    assertThat(t.trades()).hasSize(trades.size());
    for (int i = 0; i < trades.size(); i++) {
      JsonObject in = trades.get(i);
      Trade out = t.trades().get(i);
      assertThat(out.symbol()).isEqualTo(in.getString("s"));
      assertThat(out.tradeTsMs()).isEqualTo(in.getLong("t"));
      assertThat(out.price()).isEqualTo(in.getDouble("p"));
      assertThat(out.volume()).isEqualTo(in.getDouble("v"));
      assertThat(out.ingestId()).isEqualTo("r-5-" + i);
      assertThat(out.receivedAtMs()).isEqualTo(99);
    }
  }

  private static void assertClassified(FinnhubMessage m) {
    assertThat(m).isNotNull();
    if (m instanceof FinnhubMessage.Trades t) {
      t.trades().forEach(trade -> {
        assertThat(Double.isFinite(trade.price()) && trade.price() >= 0).isTrue();
        assertThat(Double.isFinite(trade.volume()) && trade.volume() >= 0).isTrue();
      });
    }
  }

  @Provide
  Arbitrary<String> jsonish() {
    Arbitrary<String> tokens = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"type\"", "\"trade\"", "\"ping\"", "\"error\"",
      "\"data\"", "\"s\"", "\"p\"", "\"t\"", "\"v\"", "\"c\"", "\"msg\"", "1", "-1", "1.5", "1e999", "NaN", "null", "true",
      "\"AAPL\"", "\"IC MARKETS:1\"", "\"\\u0000\"", " ", "\"");
    return tokens.list().ofMaxSize(40).map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<String> tradeFrames() {
    return trades().map(l -> new JsonObject().put("data", new JsonArray(List.copyOf(l))).put("type", "trade").encode());
  }

  @Provide
  Arbitrary<List<JsonObject>> trades() {
    Arbitrary<String> symbols = Arbitraries.strings().withCharRange(' ', '~').withChars('é', '€').ofMinLength(1).ofMaxLength(20);
    Arbitrary<Long> ts = Arbitraries.longs().between(1, Long.MAX_VALUE);
    Arbitrary<Double> prices = Arbitraries.doubles().between(0, 1e12);
    Arbitrary<Double> volumes = Arbitraries.oneOf(Arbitraries.just(0.0), Arbitraries.doubles().between(0, 1e9));
    Arbitrary<JsonObject> trade = Combinators.combine(symbols, ts, prices, volumes)
      .as((s, t, p, v) -> new JsonObject().put("p", p).put("s", s).put("t", t).put("v", v));
    return trade.list().ofMinSize(0).ofMaxSize(20);
  }
}
