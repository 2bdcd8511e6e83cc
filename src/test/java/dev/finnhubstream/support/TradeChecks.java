package dev.finnhubstream.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.emulator.EmulatedTrade;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Compares what the emulator sent with what Kafka holds, symbol by symbol, in order. */
public final class TradeChecks {

  private TradeChecks() {
  }

  /**
   * Asserts that {@code records} are exactly {@code sent}: each trade once (distinct ingest ids), keyed by its
   * symbol, with the same content in the same order per symbol (one key, one partition).
   */
  public static void assertExactly(List<ConsumerRecord<String, String>> records, List<EmulatedTrade> sent) {
    assertThat(records).as("records in Kafka").hasSize(sent.size());
    Set<String> ids = new HashSet<>();
    for (ConsumerRecord<String, String> r : records) {
      String id = new JsonObject(r.value()).getString("ingest_id");
      assertThat(ids.add(id)).as("ingest_id %s once", id).isTrue();
    }
    assertSameBySymbol(records, sent);
  }

  /** Per symbol, the records' content equals the sent trades' in order. */
  public static void assertSameBySymbol(List<ConsumerRecord<String, String>> records, List<EmulatedTrade> sent) {
    Map<String, List<List<Object>>> expected = new LinkedHashMap<>();
    for (EmulatedTrade t : sent) {
      JsonArray c = new JsonArray(t.c() == null ? List.of() : t.c());
      expected.computeIfAbsent(t.symbol(), k -> new ArrayList<>()).add(List.of(t.symbol(), t.t(), t.p(), t.v(), c));
    }
    Map<String, List<List<Object>>> actual = new LinkedHashMap<>();
    for (ConsumerRecord<String, String> r : records) {
      JsonObject v = new JsonObject(r.value());
      assertThat(r.key()).isEqualTo(v.getString("symbol"));
      actual.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(List.of(v.getString("symbol"), v.getLong("trade_ts_ms"),
        v.getDouble("price"), v.getDouble("volume"), v.getJsonArray("conditions")));
    }
    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (String symbol : expected.keySet()) {
      assertThat(actual.get(symbol)).as("trades of %s, in order", symbol).containsExactlyElementsOf(expected.get(symbol));
    }
  }

  /** The records with the first occurrence of each ingest id kept, in the order read. */
  public static List<ConsumerRecord<String, String>> firstOccurrences(List<ConsumerRecord<String, String>> records) {
    Set<String> seen = new HashSet<>();
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    for (ConsumerRecord<String, String> r : records) {
      if (seen.add(new JsonObject(r.value()).getString("ingest_id"))) {
        out.add(r);
      }
    }
    return out;
  }
}
