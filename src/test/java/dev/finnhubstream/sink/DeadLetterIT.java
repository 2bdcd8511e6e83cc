package dev.finnhubstream.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.MainVerticle;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.RealBrokerTest;
import dev.finnhubstream.support.ServiceConfigs;
import dev.finnhubstream.support.StatusOf;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Malformed frames and invalid trades from a Finnhub stand-in that sends exactly the frames below: each
 * becomes one record in the dead-letter topic with its raw text (cut at the configured size), the reason and
 * the receive time in headers, counted per reason; the valid trades of the same frames still reach the
 * trades topic.
 */
class DeadLetterIT extends RealBrokerTest {

  private static final int MAX_PAYLOAD = 1024;
  private static final String VALID = "{\"type\":\"trade\",\"data\":[{\"s\":\"AAPL\",\"p\":1.5,\"t\":1700000000000,\"v\":0,\"c\":[\"1\"]},"
    + "{\"s\":\"MSFT\",\"p\":2.5,\"t\":1700000000001,\"v\":3}]}";
  private static final String NOT_JSON = "this is not json";
  private static final String WRONG_TYPE = "{\"s\":\"AAPL\",\"t\":1700000000003,\"p\":\"x\",\"v\":1}";
  private static final String NEGATIVE_PRICE = "{\"s\":\"AAPL\",\"t\":1700000000004,\"p\":-1,\"v\":1}";
  private static final String NEGATIVE_VOLUME = "{\"s\":\"AAPL\",\"t\":1700000000005,\"p\":1,\"v\":-2}";
  private static final String MISSING_PRICE = "{\"s\":\"AAPL\",\"t\":1700000000006,\"v\":1}";
  private static final String MIXED = "{\"type\":\"trade\",\"data\":[{\"s\":\"AAPL\",\"t\":1700000000002,\"p\":1.0,\"v\":0},"
    + WRONG_TYPE + "," + NEGATIVE_PRICE + "," + NEGATIVE_VOLUME + "," + MISSING_PRICE + "]}";
  private static final String NO_DATA = "{\"type\":\"trade\"}";
  /** 4 bytes per character in UTF-8: a cut at 1024 bytes must not split one. */
  private static final String HUGE = "{\"type\":\"trade\",\"data\":[\"" + "\uD83D\uDE00".repeat(5_000) + "\"";

  private HttpServer fakeFinnhub;

  @BeforeEach
  void setUp() {
    List<String> frames = List.of(VALID, NOT_JSON, MIXED, NO_DATA, HUGE);
    fakeFinnhub = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setMaxWebSocketFrameSize(1 << 20)
        .setMaxWebSocketMessageSize(1 << 20))
      .requestHandler(req -> req.toWebSocket().onSuccess(ws -> {
        // Once the client subscribed, as Finnhub would start streaming.
        ws.textMessageHandler(subscribe -> {
          ws.textMessageHandler(null);
          frames.forEach(ws::writeTextMessage);
        });
      }))
      .listen(0, "127.0.0.1").await();
  }


  @Test
  @DisplayName("malformed frames and invalid trades land in the dead-letter topic with the right reason, raw payload and headers")
  void deadLetters() throws Exception {
    String topic = KafkaTestSupport.uniqueTopic("it_dlq");
    String dlq = topic + "_dlq";
    long startedAt = System.currentTimeMillis();
    MainVerticle main = new MainVerticle(ServiceConfigs.local(ServiceConfigs.env(fakeFinnhub.actualPort(), "any", "AAPL", topic), Map.of(
      "dead_letter_topic", dlq,
      "dead_letter_max_payload_bytes", MAX_PAYLOAD)));
    vertx.deployVerticle(main).await();
    WebClient web = WebClient.create(vertx);
    await().atMost(Duration.ofSeconds(60)).until(() -> StatusOf.sink(web, main).getJsonObject("dead_letters").getLong("acked") == 7
      && StatusOf.sink(web, main).getLong("acked") == 3);

    List<ConsumerRecord<String, String>> letters = KafkaTestSupport.readAll(dlq, 7, Duration.ofSeconds(60), Duration.ofSeconds(3));
    assertThat(letters).hasSize(7);
    Map<String, String> payloadByReason = new HashMap<>();
    List<String> reasons = new ArrayList<>();
    for (ConsumerRecord<String, String> r : letters) {
      Map<String, String> h = headers(r);
      String reason = h.get("reason");
      reasons.add(reason);
      payloadByReason.put(reason, r.value());
      assertThat(r.key()).isEqualTo(reason);
      assertThat(Long.parseLong(h.get("received_at_ms"))).isBetween(startedAt, System.currentTimeMillis());
      assertThat(h.get("connection")).isEqualTo("key-1");
      assertThat(Long.parseLong(h.get("frame_seq"))).isPositive();
      assertThat(Long.parseLong(h.get("payload_bytes"))).isGreaterThanOrEqualTo(r.value().getBytes(StandardCharsets.UTF_8).length);
    }
    assertThat(reasons).containsExactlyInAnyOrder("malformed:invalid_json", "invalid_trade:wrong_type:p", "invalid_trade:invalid_value:p",
      "invalid_trade:invalid_value:v", "invalid_trade:missing_field:p", "malformed:trade_without_data_array", "malformed:invalid_json");
    assertThat(payloadByReason).containsEntry("invalid_trade:wrong_type:p", WRONG_TYPE)
      .containsEntry("invalid_trade:invalid_value:p", NEGATIVE_PRICE)
      .containsEntry("invalid_trade:invalid_value:v", NEGATIVE_VOLUME)
      .containsEntry("invalid_trade:missing_field:p", MISSING_PRICE)
      .containsEntry("malformed:trade_without_data_array", NO_DATA);

    List<ConsumerRecord<String, String>> invalidJson = letters.stream()
      .filter(r -> headers(r).get("reason").equals("malformed:invalid_json")).toList();
    ConsumerRecord<String, String> notJson = invalidJson.stream().filter(r -> r.value().equals(NOT_JSON)).findFirst().orElseThrow();
    assertThat(headers(notJson)).containsEntry("truncated", "false").containsEntry("payload_bytes", Integer.toString(NOT_JSON.length()));
    ConsumerRecord<String, String> huge = invalidJson.stream().filter(r -> r != notJson).findFirst().orElseThrow();
    byte[] kept = huge.value().getBytes(StandardCharsets.UTF_8);
    assertThat(kept.length).isLessThanOrEqualTo(MAX_PAYLOAD).isGreaterThan(MAX_PAYLOAD - 4);
    assertThat(HUGE).startsWith(huge.value());
    assertThat(headers(huge)).containsEntry("truncated", "true")
      .containsEntry("payload_bytes", Integer.toString(HUGE.getBytes(StandardCharsets.UTF_8).length));

    List<ConsumerRecord<String, String>> trades = KafkaTestSupport.readAll(topic, 3, Duration.ofSeconds(60), Duration.ofSeconds(3));
    assertThat(trades).extracting(r -> new JsonObject(r.value()).getLong("trade_ts_ms"))
      .containsExactlyInAnyOrder(1700000000000L, 1700000000001L, 1700000000002L);
    assertThat(trades).filteredOn(r -> new JsonObject(r.value()).getLong("trade_ts_ms") == 1700000000002L)
      .singleElement().satisfies(r -> assertThat(new JsonObject(r.value()).getDouble("volume")).as("v = 0 is valid").isZero());

    JsonObject byReason = StatusOf.sink(web, main).getJsonObject("dead_letters").getJsonObject("by_reason");
    Map<String, Long> counts = new HashMap<>();
    byReason.fieldNames().forEach(reason -> counts.put(reason, byReason.getLong(reason)));
    assertThat(counts).containsOnly(Map.entry("malformed:invalid_json", 2L), Map.entry("invalid_trade:wrong_type:p", 1L),
      Map.entry("invalid_trade:invalid_value:p", 1L), Map.entry("invalid_trade:invalid_value:v", 1L),
      Map.entry("invalid_trade:missing_field:p", 1L), Map.entry("malformed:trade_without_data_array", 1L));
  }

  private static Map<String, String> headers(ConsumerRecord<String, String> r) {
    Map<String, String> out = new HashMap<>();
    for (Header h : r.headers()) {
      out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
    }
    return out;
  }
}
