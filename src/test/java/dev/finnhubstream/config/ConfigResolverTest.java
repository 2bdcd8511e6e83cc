package dev.finnhubstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigResolverTest {

  private static final String FILE = "conf/app.json";

  private static JsonObject committed() throws IOException {
    return new JsonObject(Files.readString(Path.of(FILE)));
  }

  private static Map<String, String> env(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> failsWith(JsonObject root, Map<String, String> env, String key) {
    return assertThatThrownBy(() -> ConfigResolver.resolve(root, FILE, env))
      .isInstanceOf(ConfigException.class)
      .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key))
      .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").contains("Fix: "));
  }

  private static JsonObject edited(Consumer<JsonObject> edit) throws IOException {
    JsonObject root = committed();
    edit.accept(root);
    return root;
  }

  @Test
  @DisplayName("the committed file resolves for local with no environment at all")
  void localDefaults() throws IOException {
    AppConfig cfg = ConfigResolver.resolve(committed(), FILE, Map.of());
    assertThat(cfg.environment()).isEqualTo("local");
    assertThat(cfg.finnhub().url()).isEqualTo("ws://127.0.0.1:18090");
    assertThat(cfg.finnhub().symbols()).contains("AAPL", "IC MARKETS:1");
    assertThat(cfg.kafka().bootstrapServers()).isEqualTo("127.0.0.1:19092");
    assertThat(cfg.kafka().securityProtocol()).isEqualTo("PLAINTEXT");
    assertThat(cfg.kafka().password()).isNull();
    assertThat(ConfigResolver.resolve(committed(), FILE, Map.of("KAFKA_PASSWORD", "local-pw")).kafka().password())
      .as("a password set for PLAINTEXT is unused but still known, so answers redact it").isNotNull();
    // Shallow merge per section: keys the local section does not set come from common.
    assertThat(cfg.kafka().topic()).isEqualTo("finnhub_trades");
    assertThat(cfg.kafka().replicationFactor()).isEqualTo((short) 1);
    assertThat(cfg.http()).isEqualTo(new HttpConfig("127.0.0.1", 8080));
  }

  @Test
  @DisplayName("dev and prod resolve once the values Terraform and Lockbox provide are in the environment")
  void cloudEnvironments() throws IOException {
    for (String name : List.of("dev", "prod")) {
      AppConfig cfg = ConfigResolver.resolve(committed(), FILE, env("APP_ENV", name, "FINNHUB_TOKEN", "tok",
        "KAFKA_BOOTSTRAP_SERVERS", "rc1a-x.mdb.yandexcloud.net:9091", "KAFKA_PASSWORD", "pw"));
      assertThat(cfg.finnhub().url()).isEqualTo("wss://ws.finnhub.io");
      assertThat(cfg.kafka().securityProtocol()).isEqualTo("SASL_SSL");
      assertThat(cfg.kafka().producerProperties().get("sasl.jaas.config")).contains("username=\"ingest_producer\"");
      assertThat(cfg.http().host()).isEqualTo("0.0.0.0");
    }
  }

  @Test
  @DisplayName("environment variables override the file")
  void overrides() throws IOException {
    AppConfig cfg = ConfigResolver.resolve(committed(), FILE, env("FINNHUB_URL", "ws://10.0.0.1:9000/stream",
      "FINNHUB_SYMBOLS", " AAPL , IC MARKETS:1,BINANCE:BTCUSDT", "KAFKA_BOOTSTRAP_SERVERS", "a:1,b:2",
      "KAFKA_TOPIC", "t2", "HTTP_PORT", "0", "FINNHUB_TOKEN", "secret-token", "KAFKA_DISK_BUFFER_DIR", "/srv/buffer-2"));
    assertThat(cfg.finnhub().url()).isEqualTo("ws://10.0.0.1:9000/stream");
    assertThat(cfg.finnhub().symbols()).containsExactly("AAPL", "IC MARKETS:1", "BINANCE:BTCUSDT");
    assertThat(cfg.kafka().bootstrapServers()).isEqualTo("a:1,b:2");
    assertThat(cfg.kafka().topic()).isEqualTo("t2");
    assertThat(cfg.kafka().delivery().diskBufferDir()).isEqualTo(Path.of("/srv/buffer-2"));
    assertThat(cfg.http().port()).isZero();
    assertThat(cfg.finnhub().requestUri(cfg.finnhub().tokens().get(0))).isEqualTo("/stream?token=secret-token");
  }

  @Test
  @DisplayName("FINNHUB_SYMBOLS also takes a JSON array")
  void symbolsAsJson() throws IOException {
    AppConfig cfg = ConfigResolver.resolve(committed(), FILE, env("FINNHUB_SYMBOLS", "[\"IC MARKETS:1\",\"A,B\"]"));
    assertThat(cfg.finnhub().symbols()).containsExactly("IC MARKETS:1", "A,B");
  }

  @Test
  @DisplayName("the token is URL-encoded into the request URI and never shown by the summary")
  void tokenHandling() throws IOException {
    AppConfig cfg = ConfigResolver.resolve(committed(), FILE, env("FINNHUB_TOKEN", "a b&c=d", "KAFKA_PASSWORD", "pw"));
    assertThat(cfg.finnhub().requestUri(cfg.finnhub().tokens().get(0))).isEqualTo("/?token=a+b%26c%3Dd");
    assertThat(cfg.redactedSummary().encode()).doesNotContain("a b&c=d").contains("1 set (hidden)");
    assertThat(cfg.toString()).doesNotContain("a b&c=d");
  }

  @Test
  @DisplayName("a removed key written '-' keeps its place: the keys after it keep their names, its symbols go to the others")
  void retiredKey() throws IOException {
    AppConfig cfg = ConfigResolver.resolve(committed(), FILE, env("FINNHUB_TOKEN", "k1,-,k3,-", "FINNHUB_SYMBOLS", "A,B,C,D,E"));
    FinnhubConfig f = cfg.finnhub();
    assertThat(f.connectionCount()).isEqualTo(4);
    assertThat(f.retiredKeys()).containsExactly(1, 3);
    assertThat(f.shard(0)).containsExactly("A", "C", "E");
    assertThat(f.shard(1)).isEmpty();
    assertThat(f.shard(2)).containsExactly("B", "D");
    assertThat(f.shard(3)).isEmpty();
    assertThat(f.firstKey().reveal()).isEqualTo("k1");
    assertThat(cfg.redactedSummary().encode()).contains("retired: [key-2, key-4]").doesNotContain("k3");
    // Retired at the front: the market-hours requests use the first key that is left.
    assertThat(ConfigResolver.resolve(committed(), FILE, env("FINNHUB_TOKEN", "-,k2")).finnhub().firstKey().reveal()).isEqualTo("k2");
    failsWith(committed(), env("FINNHUB_TOKEN", "-,-"), "FINNHUB_TOKEN").hasMessageContaining("every key as removed");
    failsWith(committed(), env("FINNHUB_TOKEN", "k1,,k3"), "FINNHUB_TOKEN").hasMessageContaining("write -");
  }

  @Test
  @DisplayName("an unknown environment names APP_ENV and lists the known ones")
  void unknownEnvironment() throws IOException {
    failsWith(committed(), env("APP_ENV", "staging"), "APP_ENV").hasMessageContaining("dev, local, prod");
  }

  @Test
  @DisplayName("a typo in a key is caught with its JSON path and a suggestion")
  void typo() throws IOException {
    JsonObject root = edited(r -> r.getJsonObject("environments").getJsonObject("local").getJsonObject("finnhub").put("symbolz", new JsonArray()));
    failsWith(root, Map.of(), "environments.local.finnhub.symbolz").hasMessageContaining("did you mean \"symbols\"");
  }

  @Test
  @DisplayName("a typo in another environment is caught too, and so is an unknown section")
  void typoElsewhere() throws IOException {
    JsonObject root = edited(r -> r.getJsonObject("environments").getJsonObject("prod").put("kafak", new JsonObject()));
    failsWith(root, Map.of(), "environments.prod.kafak").hasMessageContaining("did you mean \"kafka\"");
    JsonObject keyTypo = edited(r -> r.getJsonObject("environments").getJsonObject("dev").getJsonObject("kafka").put("lnger_ms", 5));
    failsWith(keyTypo, Map.of(), "environments.dev.kafka.lnger_ms").hasMessageContaining("did you mean \"linger_ms\"");
  }

  @Test
  @DisplayName("a missing key is named and the fix says where to add it")
  void missingKey() throws IOException {
    JsonObject root = edited(r -> r.getJsonObject("common").getJsonObject("kafka").remove("topic"));
    failsWith(root, Map.of(), "kafka.topic").hasMessageContaining("common.kafka or environments.local.kafka");
  }

  @Test
  @DisplayName("a mistyped value names its path and the expected type")
  void wrongType() throws IOException {
    JsonObject root = edited(r -> r.getJsonObject("common").getJsonObject("kafka").put("partitions", "3"));
    failsWith(root, Map.of(), "common.kafka.partitions").hasMessageContaining("integer");
    JsonObject root2 = edited(r -> r.getJsonObject("environments").getJsonObject("local").getJsonObject("kafka").put("create_topics", "yes"));
    failsWith(root2, Map.of(), "environments.local.kafka.create_topics").hasMessageContaining("boolean");
  }

  @Test
  @DisplayName("an empty symbol list is refused, from the file or from FINNHUB_SYMBOLS")
  void emptySymbols() throws IOException {
    JsonObject root = edited(r -> r.getJsonObject("common").getJsonObject("finnhub").put("symbols", new JsonArray()));
    failsWith(root, Map.of(), "common.finnhub.symbols").hasMessageContaining("empty");
    failsWith(committed(), env("FINNHUB_SYMBOLS", "AAPL,,MSFT"), "FINNHUB_SYMBOLS");
    failsWith(committed(), env("FINNHUB_SYMBOLS", "[]"), "FINNHUB_SYMBOLS").hasMessageContaining("empty");
  }

  @Test
  @DisplayName("the real Finnhub without FINNHUB_TOKEN stops start-up")
  void missingToken() throws IOException {
    failsWith(committed(), env("FINNHUB_URL", "wss://ws.finnhub.io"), "FINNHUB_TOKEN").hasMessageContaining("FINNHUB_URL");
    failsWith(committed(), env("APP_ENV", "prod", "KAFKA_BOOTSTRAP_SERVERS", "h:9091", "KAFKA_PASSWORD", "x"), "FINNHUB_TOKEN");
  }

  @Test
  @DisplayName("the cloud without its Kafka bootstrap or password stops start-up, naming the variable")
  void cloudSecretsMissing() throws IOException {
    failsWith(committed(), env("APP_ENV", "dev", "FINNHUB_TOKEN", "t", "KAFKA_PASSWORD", "x"), "KAFKA_BOOTSTRAP_SERVERS");
    failsWith(committed(), env("APP_ENV", "dev", "FINNHUB_TOKEN", "t", "KAFKA_BOOTSTRAP_SERVERS", "h:9091"), "KAFKA_PASSWORD");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://x:1", "ws://", "not a url", "ws://h:1/?token=abc"})
  @DisplayName("a bad Finnhub URL names FINNHUB_URL")
  void badUrl(String url) throws IOException {
    failsWith(committed(), env("FINNHUB_URL", url), "FINNHUB_URL");
  }

  @Test
  @DisplayName("bad HTTP_PORT and bootstrap servers are named")
  void badNumbers() throws IOException {
    failsWith(committed(), env("HTTP_PORT", "eighty"), "HTTP_PORT");
    failsWith(committed(), env("HTTP_PORT", "70000"), "HTTP_PORT").hasMessageContaining("0 to 65535");
    failsWith(committed(), env("KAFKA_BOOTSTRAP_SERVERS", "localhost"), "KAFKA_BOOTSTRAP_SERVERS");
  }

  @Test
  @DisplayName("a secret-looking key in the file is refused: secrets come from the environment")
  void secretInFile() throws IOException {
    JsonObject root = edited(r -> r.getJsonObject("common").getJsonObject("finnhub").put("token", "abc"));
    failsWith(root, Map.of(), "common.finnhub.token").hasMessageContaining("FINNHUB_TOKEN");
    JsonObject nested = edited(r -> r.getJsonObject("common").getJsonObject("yc").put("keys", new JsonObject().put("db_password", "x")));
    failsWith(nested, Map.of(), "common.yc.keys.db_password");
  }

  @Test
  @DisplayName("record.fields entries are validated: keys, snake_case names, known types, no duplicates")
  void recordFields() throws IOException {
    JsonObject badType = edited(r -> r.getJsonObject("common").getJsonObject("record").getJsonArray("fields").getJsonObject(0).put("type", "text"));
    failsWith(badType, Map.of(), "common.record.fields").hasMessageContaining("fields[0].type");
    JsonObject extraKey = edited(r -> r.getJsonObject("common").getJsonObject("record").getJsonArray("fields").getJsonObject(1).put("nullable", true));
    failsWith(extraKey, Map.of(), "common.record.fields").hasMessageContaining("fields[1]");
    JsonObject dup = edited(r -> r.getJsonObject("common").getJsonObject("record").getJsonArray("fields").add(
      new JsonObject().put("name", "symbol").put("type", "string").put("key", true)));
    failsWith(dup, Map.of(), "common.record.fields").hasMessageContaining("twice");
  }

  @Test
  @DisplayName("several keys: one connection each, symbols sharded round-robin; a key twice is refused")
  void severalKeys() throws IOException {
    AppConfig cfg = ConfigResolver.resolve(committed(), FILE, env("FINNHUB_TOKEN", "k1, k2,k3", "FINNHUB_SYMBOLS", "A,B,C,D,E,F,G"));
    assertThat(cfg.finnhub().connectionCount()).isEqualTo(3);
    assertThat(cfg.finnhub().shard(0)).containsExactly("A", "D", "G");
    assertThat(cfg.finnhub().shard(1)).containsExactly("B", "E");
    assertThat(cfg.finnhub().shard(2)).containsExactly("C", "F");
    failsWith(committed(), env("FINNHUB_TOKEN", "k1,k2,k1"), "FINNHUB_TOKEN").hasMessageContaining("more than once");
    failsWith(committed(), env("FINNHUB_TOKEN", "k1,,k2"), "FINNHUB_TOKEN").hasMessageContaining("empty");
    failsWith(committed(), env("FINNHUB_TOKEN", "k1,"), "FINNHUB_TOKEN").hasMessageContaining("empty"); // trailing comma
    failsWith(committed(), env("FINNHUB_TOKEN", "k1,k2,k3", "FINNHUB_SYMBOLS", "A,B"), "FINNHUB_TOKEN");
    AppConfig none = ConfigResolver.resolve(committed(), FILE, Map.of());
    assertThat(none.finnhub().connectionCount()).isEqualTo(1);
    assertThat(none.finnhub().shard(0)).isEqualTo(none.finnhub().symbols());
  }

  @Test
  @DisplayName("invalid JSON names the file")
  void invalidJson() {
    assertThatThrownBy(() -> ConfigResolver.resolve("{\"common\": ", FILE, Map.of()))
      .isInstanceOf(ConfigException.class)
      .hasMessageStartingWith(FILE + ": not a valid JSON object");
  }

  @Test
  @DisplayName("duplicate symbols and reconnect bounds in the wrong order are refused")
  void crossChecks() throws IOException {
    failsWith(committed(), env("FINNHUB_SYMBOLS", "AAPL,AAPL"), "FINNHUB_SYMBOLS").hasMessageContaining("twice");
    JsonObject root = edited(r -> r.getJsonObject("environments").getJsonObject("local").getJsonObject("finnhub").put("reconnect_max_ms", 10));
    failsWith(root, Map.of(), "environments.local.finnhub.reconnect_max_ms");
  }

  @Test
  @DisplayName("ADMIN_TOKEN turns the admin endpoints on; a short one stops start-up; the summary only says it is set")
  void adminToken() throws IOException {
    assertThat(ConfigResolver.resolve(committed(), FILE, Map.of()).http().adminToken()).isNull();
    AppConfig cfg = ConfigResolver.resolve(committed(), FILE, env("ADMIN_TOKEN", "a-long-enough-admin-token"));
    assertThat(cfg.http().adminToken().reveal()).isEqualTo("a-long-enough-admin-token");
    assertThat(cfg.redactedSummary().encode()).doesNotContain("a-long-enough-admin-token").contains("\"admin_token\":\"set (hidden)\"");
    failsWith(committed(), env("ADMIN_TOKEN", "short"), "ADMIN_TOKEN").hasMessageContaining("openssl rand").hasMessageNotContaining("short\"");
  }

  @Test
  @DisplayName("market_hours: committed defaults, FINNHUB_REST_URL overrides, bad URLs and a poll faster than 1 s stop start-up")
  void marketHours() throws IOException {
    MarketHoursConfig local = ConfigResolver.resolve(committed(), FILE, Map.of()).marketHours();
    assertThat(local).isEqualTo(new MarketHoursConfig(true, "http://127.0.0.1:18090/api/v1", "US", 60_000, 300_000));
    assertThat(ConfigResolver.resolve(committed(), FILE, env("FINNHUB_REST_URL", "http://127.0.0.1:9/api/v1/")).marketHours().restUrl())
      .isEqualTo("http://127.0.0.1:9/api/v1");
    failsWith(committed(), env("FINNHUB_REST_URL", "https://finnhub.io/api/v1?token=abc"), "FINNHUB_REST_URL").hasMessageContaining("header");
    failsWith(committed(), env("FINNHUB_REST_URL", "ftp://x"), "FINNHUB_REST_URL");
    JsonObject fast = edited(r -> r.getJsonObject("common").getJsonObject("market_hours").put("poll_ms", 500));
    failsWith(fast, Map.of(), "common.market_hours.poll_ms").hasMessageContaining("1000");
  }

  @Test
  @DisplayName("without market_hours.rest_url the REST base follows finnhub.url: an emulator moved by FINNHUB_URL takes market hours along")
  void restUrlFollowsTheFinnhubUrl() throws IOException {
    assertThat(ConfigResolver.resolve(committed(), FILE, env("FINNHUB_URL", "ws://127.0.0.1:28090")).marketHours().restUrl())
      .isEqualTo("http://127.0.0.1:28090/api/v1");
    assertThat(ConfigResolver.resolve(committed(), FILE, env("APP_ENV", "prod", "FINNHUB_TOKEN", "tok", "KAFKA_BOOTSTRAP_SERVERS", "b:9091",
      "KAFKA_PASSWORD", "pw")).marketHours().restUrl()).isEqualTo("https://finnhub.io/api/v1");
    JsonObject pinned = edited(r -> r.getJsonObject("environments").getJsonObject("local")
      .put("market_hours", new JsonObject().put("rest_url", "http://rest.example:8000/api/v1")));
    assertThat(ConfigResolver.resolve(pinned, FILE, env("FINNHUB_URL", "ws://127.0.0.1:28090")).marketHours().restUrl())
      .as("a rest_url that is set wins").isEqualTo("http://rest.example:8000/api/v1");
  }

  @Test
  @DisplayName("the Kafka writer's bounds, dead-letter topic and disk buffer resolve, and the producer is set up to never block or expire records")
  void kafkaDelivery() throws IOException {
    KafkaConfig kafka = ConfigResolver.resolve(committed(), FILE, Map.of()).kafka();
    assertThat(kafka.deadLetterTopic()).isEqualTo("finnhub_trades_dlq");
    assertThat(kafka.deadLetterMaxPayloadBytes()).isEqualTo(65536);
    KafkaConfig.Delivery d = kafka.delivery();
    assertThat(d.queueLowWatermarkBytes()).isLessThan(d.queueHighWatermarkBytes());
    assertThat(d.queueHighWatermarkBytes()).isLessThan(d.queueMaxBytes());
    assertThat(d.diskBufferDir()).isEqualTo(Path.of(".work/kafka-buffer"));
    assertThat(ConfigResolver.resolve(committed(), FILE, env("APP_ENV", "prod", "FINNHUB_TOKEN", "tok",
      "KAFKA_BOOTSTRAP_SERVERS", "rc1a-x.mdb.yandexcloud.net:9091", "KAFKA_PASSWORD", "pw")).kafka().delivery().diskBufferDir())
      .isEqualTo(Path.of("/var/lib/finnhub-stream/kafka-buffer"));
    Map<String, String> producer = kafka.producerProperties();
    assertThat(producer).containsEntry("acks", "all").containsEntry("enable.idempotence", "true")
      .containsEntry("max.block.ms", "0").containsEntry("delivery.timeout.ms", Integer.toString(Integer.MAX_VALUE))
      .containsEntry("compression.type", "lz4").containsEntry("client.id", "finnhub-stream-finnhub_trades");
    assertThat(Long.parseLong(producer.get("buffer.memory"))).isGreaterThanOrEqualTo(2 * d.maxInFlightBytes());
  }

  @Test
  @DisplayName("watermarks out of order, a dead-letter topic equal to the trades topic, and out-of-range sizes are refused")
  void kafkaDeliveryChecks() throws IOException {
    JsonObject lowAboveHigh = edited(r -> r.getJsonObject("common").getJsonObject("kafka").put("queue_low_watermark_bytes", 8_388_608));
    failsWith(lowAboveHigh, Map.of(), "common.kafka.queue_low_watermark_bytes").hasMessageContaining("queue_high_watermark_bytes");
    JsonObject highAboveMax = edited(r -> r.getJsonObject("environments").getJsonObject("local").getJsonObject("kafka")
      .put("queue_high_watermark_bytes", 16_777_216));
    failsWith(highAboveMax, Map.of(), "environments.local.kafka.queue_high_watermark_bytes").hasMessageContaining("queue_max_bytes");
    failsWith(committed(), env("KAFKA_TOPIC", "finnhub_trades_dlq"), "common.kafka.dead_letter_topic").hasMessageContaining("trades topic");
    JsonObject bigPayload = edited(r -> r.getJsonObject("common").getJsonObject("kafka").put("dead_letter_max_payload_bytes", 2_000_000));
    failsWith(bigPayload, Map.of(), "common.kafka.dead_letter_max_payload_bytes");
    JsonObject tinyDisk = edited(r -> r.getJsonObject("common").getJsonObject("kafka").put("disk_buffer_max_bytes", 1000));
    failsWith(tinyDisk, Map.of(), "common.kafka.disk_buffer_max_bytes");
    JsonObject typo = edited(r -> r.getJsonObject("common").getJsonObject("kafka").put("disk_bufer_dir", "/tmp"));
    failsWith(typo, Map.of(), "common.kafka.disk_bufer_dir").hasMessageContaining("did you mean \"disk_buffer_dir\"");
  }
}
