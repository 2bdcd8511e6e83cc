package dev.finnhubstream.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finnhubstream.bus.Trade;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.config.RecordConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TradeJsonTest {

  @Test
  @DisplayName("the record has exactly the contract's fields, in order, with their JSON types")
  void contractFields() {
    Trade t = new Trade("AAPL", 1672348887666L, 129.58, 1.0, List.of("1", "24"), 1672348887701L, "abc-1042-1");
    String json = TradeJson.toJson(t);
    JsonObject o = new JsonObject(json);
    assertThat(o.fieldNames()).containsExactlyInAnyOrderElementsOf(TradeJson.FIELDS);
    assertThat(json).startsWith("{\"symbol\":\"AAPL\",\"trade_ts_ms\":1672348887666,\"price\":129.58,\"volume\":1.0,");
    assertThat(o.getValue("trade_ts_ms")).isInstanceOf(Long.class);
    assertThat(o.getValue("received_at_ms")).isInstanceOf(Long.class);
    assertThat(o.getDouble("price")).isEqualTo(129.58);
    assertThat(o.getJsonArray("conditions")).isEqualTo(new JsonArray().add("1").add("24"));
    assertThat(o.getString("ingest_id")).isEqualTo("abc-1042-1");
    assertThat(o.getInteger("schema_version")).isEqualTo(1);
  }

  @Test
  @DisplayName("record.fields in conf/app.json is exactly what the writer writes, and a drift stops start-up")
  void contractMatchesConfig() throws Exception {
    AppConfig cfg = ConfigResolver.resolve(Files.readString(Path.of("conf/app.json")), "conf/app.json", Map.of());
    TradeJson.checkContract(cfg.record());
    List<RecordConfig.Field> drifted = new ArrayList<>(cfg.record().fields());
    drifted.set(2, new RecordConfig.Field("price", "string", false));
    assertThatThrownBy(() -> TradeJson.checkContract(new RecordConfig(drifted)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("price:string");
  }

  @Test
  @DisplayName("absent conditions are written as [] and tiny or zero volumes stay exact numbers")
  void emptyConditionsAndVolumes() {
    JsonObject o = new JsonObject(TradeJson.toJson(new Trade("BINANCE:BTCUSDT", 1, 7296.89, 0.000011467, null, 2, "i")));
    assertThat(o.getJsonArray("conditions")).isEmpty();
    assertThat(o.getDouble("volume")).isEqualTo(0.000011467);
    assertThat(new JsonObject(TradeJson.toJson(new Trade("X", 1, 1, 0, null, 2, "i"))).getDouble("volume")).isZero();
  }

  @Test
  @DisplayName("strings are escaped: spaces, quotes, backslashes, control and non-ASCII characters survive")
  void escaping() {
    String symbol = "IC MARKETS:1 \"q\" \\ \t\n\r\u0001\u001f é€ \uD83D\uDE00";
    JsonObject o = new JsonObject(TradeJson.toJson(new Trade(symbol, 1, 1, 1, List.of("a\"b"), 2, "i")));
    assertThat(o.getString("symbol")).isEqualTo(symbol);
    assertThat(o.getJsonArray("conditions").getString(0)).isEqualTo("a\"b");
  }

  @Test
  @DisplayName("numbers are written as Double.toString writes them, and always parse back to the same double")
  void doublesRoundTrip() {
    java.util.Random random = new java.util.Random(42);
    List<Double> values = new ArrayList<>(List.of(0.0, -0.0, 1.0, 100.0, 129.58, 0.001, 0.000011467, 1.10245, 16543.21, 9_999_999.999999,
      1e7, 123456789.5, 0.1 + 0.2, Double.MIN_VALUE, Double.MAX_VALUE, -3.25));
    for (int i = 0; i < 200_000; i++) {
      int decimals = random.nextInt(9);
      double scale = Math.pow(10, decimals);
      values.add(Math.round(random.nextDouble() * 1e6 * scale) / scale);
      values.add(random.nextDouble() * Math.pow(10, random.nextInt(14) - 4));
    }
    for (double v : values) {
      String text = TradeJson.formatDouble(v);
      assertThat(Double.parseDouble(text)).as("%s written as %s", Double.toString(v), text).isEqualTo(v);
      if (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e7) {
        assertThat(text).as("plain notation like Double.toString for %s", Double.toString(v)).isEqualTo(Double.toString(v));
      }
    }
  }
}
