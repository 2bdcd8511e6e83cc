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
    String symbol = "IC MARKETS:1 \"q\" \\ \t\u0001 é€";
    JsonObject o = new JsonObject(TradeJson.toJson(new Trade(symbol, 1, 1, 1, List.of("a\"b"), 2, "i")));
    assertThat(o.getString("symbol")).isEqualTo(symbol);
    assertThat(o.getJsonArray("conditions").getString(0)).isEqualTo("a\"b");
  }
}
