package dev.finnhubstream.support;

import dev.finnhubstream.clickhouse.ClickHouseSchema;
import dev.finnhubstream.clickhouse.ClickHouseSchema.Generation;
import dev.finnhubstream.clickhouse.ClickHouseSchema.Parameters;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The real ClickHouse 18.16 server of the integration tests, over its HTTP interface: the one {@code CLICKHOUSE_URL}
 * names ({@code ci/test.sh} starts it natively), else a container ({@link TestServices}). Like the Kafka support,
 * a server that should be there and does not answer fails the test with a hint.
 */
public final class ClickHouseTestSupport {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ClickHouseTestSupport() {
  }

  public static String url() {
    return TestServices.clickHouseUrl();
  }

  /** A database name no other test run uses; its Kafka consumer group is derived from it. */
  public static String uniqueDatabase(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static void requireServer() {
    try {
      String version = query("SELECT version()").strip();
      if (!version.startsWith("18.16")) {
        throw new AssertionError("ClickHouse at " + url() + " is " + version + ", the local pipeline targets 18.16");
      }
    } catch (RuntimeException e) {
      throw new AssertionError("No ClickHouse answers at " + url() + " (" + e.getMessage() + "). Start one with ci/clickhouse.sh start,"
        + " or unset CLICKHOUSE_URL to let Testcontainers start one, or run the tests with ci/test.sh.", e);
    }
  }

  /**
   * Applies the local (18.16, Kafka engine) schema, exactly as rendered for ci/clickhouse-schema.sh, reading
   * {@code topic} and its gap topic ({@link KafkaTestSupport#gapTopicOf}).
   */
  public static void createLocalSchema(String database, String topic) {
    KafkaTestSupport.createTopic(topic); // before the Kafka engine subscribes (see createTopic)
    KafkaTestSupport.createTopic(KafkaTestSupport.gapTopicOf(topic));
    Parameters p = new Parameters(database, "trades", 90, 730, TestServices.kafkaBootstrapFromClickHouse(), topic,
      Parameters.consumerGroupFor(database), KafkaTestSupport.gapTopicOf(topic));
    ClickHouseSchema.statements(Generation.LOCAL, p).forEach(ClickHouseTestSupport::query);
  }

  /** Drops a test database (and with it its Kafka consumer). */
  public static void dropDatabase(String database) {
    query("DROP DATABASE IF EXISTS " + database);
  }

  /** Runs one statement and returns the body (TabSeparated unless the SQL says otherwise). */
  public static String query(String sql) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/?output_format_json_quote_64bit_integers=0"))
      .timeout(Duration.ofSeconds(60))
      .POST(HttpRequest.BodyPublishers.ofString(sql))
      .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("ClickHouse answered " + response.statusCode() + " to " + sql + ": " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new IllegalStateException("ClickHouse at " + url() + " unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One JSON object per row. */
  public static List<JsonObject> rows(String sql) {
    return Arrays.stream(query(sql + " FORMAT JSONEachRow").split("\n"))
      .filter(line -> !line.isBlank())
      .map(JsonObject::new)
      .toList();
  }

  public static long count(String sql) {
    return Long.parseLong(query(sql).strip());
  }

  /** Waits until {@code SELECT count() ...} reaches {@code atLeast}, the Kafka engine's pace. */
  public static void awaitCount(String countSql, long atLeast) {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(120)).pollInterval(java.time.Duration.ofMillis(500))
      .until(() -> count(countSql) >= atLeast);
  }

  /** A SQL string literal, for test values. */
  public static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

}
