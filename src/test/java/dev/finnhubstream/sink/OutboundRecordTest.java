package dev.finnhubstream.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.bus.DeadLetter;
import dev.finnhubstream.bus.Trade;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OutboundRecordTest {

  private static Map<String, String> headers(OutboundRecord r) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  @DisplayName("a trade becomes key = symbol, value = the record JSON, and keeps its ingest id and receive time")
  void trade() {
    Trade t = new Trade("IC MARKETS:1", 1672348887666L, 1.10245, 0.0, List.of(), 1672348887701L, "run-7-3");
    OutboundRecord r = OutboundRecord.trade(t);
    assertThat(r.kind()).isEqualTo(OutboundRecord.Kind.TRADE);
    assertThat(r.keyText()).isEqualTo("IC MARKETS:1");
    assertThat(new JsonObject(new String(r.value(), StandardCharsets.UTF_8)).getString("ingest_id")).isEqualTo("run-7-3");
    assertThat(r.id()).isEqualTo("run-7-3");
    assertThat(r.receivedAtMs()).isEqualTo(1672348887701L);
    assertThat(r.heapBytes()).isGreaterThan(r.value().length);
  }

  @Test
  @DisplayName("trade keys are the symbol's UTF-8 bytes from the per-thread cache: exact for many symbols (slots collide), shared for a repeat")
  void tradeKeys() {
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 2_000; i++) {
        String symbol = "S\u00e9:" + i;
        OutboundRecord r = OutboundRecord.trade(new Trade(symbol, 1, 1, 1, List.of(), 1, "id-" + i));
        assertThat(r.key()).isEqualTo(symbol.getBytes(StandardCharsets.UTF_8));
        assertThat(r.keyText()).isSameAs(symbol);
      }
    }
    Trade t = new Trade("AAPL", 1, 1, 1, List.of(), 1, "id");
    assertThat(OutboundRecord.trade(t).key()).isSameAs(OutboundRecord.trade(t).key());
    // Read back from disk: the key text is decoded from the key.
    OutboundRecord decoded = new OutboundRecord(OutboundRecord.Kind.TRADE, "MSFT".getBytes(StandardCharsets.UTF_8), new byte[1], List.of(), 1, "id");
    assertThat(decoded.keyText()).isEqualTo("MSFT");
  }

  @Test
  @DisplayName("a dead letter keeps a short payload whole, with reason, receive time, connection and frame in headers")
  void deadLetterWhole() {
    DeadLetter d = new DeadLetter("invalid_trade:missing_field:p", "{\"s\":\"AAPL\",\"t\":1}", 1700000000123L, "key-1", 17);
    OutboundRecord r = OutboundRecord.deadLetter(d, 1024);
    assertThat(r.kind()).isEqualTo(OutboundRecord.Kind.DEAD_LETTER);
    assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{\"s\":\"AAPL\",\"t\":1}");
    assertThat(r.keyText()).isEqualTo("invalid_trade:missing_field:p");
    assertThat(headers(r)).containsExactly(
      Map.entry("reason", "invalid_trade:missing_field:p"),
      Map.entry("received_at_ms", "1700000000123"),
      Map.entry("connection", "key-1"),
      Map.entry("frame_seq", "17"),
      Map.entry("payload_bytes", "18"),
      Map.entry("truncated", "false"));
  }

  @Test
  @DisplayName("a long payload is cut at the configured byte size, never inside a UTF-8 character, and says so")
  void deadLetterTruncated() {
    // 'é' is 2 bytes, '€' 3, the emoji 4 (a surrogate pair in Java): a cut at 10 bytes falls inside one of them.
    String payload = "abc\u00e9\u20ac\uD83D\uDE00" + "x".repeat(1000);
    long full = payload.getBytes(StandardCharsets.UTF_8).length;
    for (int max = 3; max <= 14; max++) {
      OutboundRecord r = OutboundRecord.deadLetter(new DeadLetter("malformed:invalid_json", payload, 1L, "key-1", 1), max);
      String kept = new String(r.value(), StandardCharsets.UTF_8);
      assertThat(r.value().length).as("cut at %d", max).isLessThanOrEqualTo(max).isGreaterThanOrEqualTo(max - 3);
      assertThat(payload).as("cut at %d", max).startsWith(kept);
      assertThat(kept).doesNotContain("\uFFFD");
      assertThat(headers(r)).containsEntry("truncated", "true").containsEntry("payload_bytes", Long.toString(full));
    }
  }

  @Test
  @DisplayName("the UTF-8 length is computed like the encoder, lone surrogates included")
  void utf8Length() {
    for (String s : List.of("", "abc", "\u00e9", "\u20ac", "\uD83D\uDE00", "a\uD83Db", "\uDE00", "IC MARKETS:1")) {
      assertThat(OutboundRecord.utf8Length(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }
  }
}
