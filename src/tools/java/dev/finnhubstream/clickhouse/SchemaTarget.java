package dev.finnhubstream.clickhouse;

import dev.finnhubstream.clickhouse.ClickHouseSchema.Generation;
import dev.finnhubstream.clickhouse.ClickHouseSchema.Parameters;
import dev.finnhubstream.config.ClickHouseConfig;
import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.config.EnvironmentVariables;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** The schema file and its parameters for one environment of {@code conf/app.json}. */
public record SchemaTarget(Generation generation, Parameters parameters) {

  /**
   * Resolves {@code environment} through {@link ConfigResolver#clickHouse}, with {@code env}'s overrides
   * ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_TOPIC}) as the service applies them.
   */
  public static SchemaTarget resolve(JsonObject root, String environment, Map<String, String> env) {
    Map<String, String> withEnvironment = new HashMap<>(env);
    withEnvironment.put(EnvironmentVariables.APP_ENV, environment);
    ClickHouseConfig c = ConfigResolver.clickHouse(root, ConfigResolver.DEFAULT_FILE, withEnvironment);
    Generation generation = Arrays.stream(Generation.values()).filter(g -> g.configName().equals(c.schema())).findFirst()
      .orElseThrow(() -> new IllegalStateException("bug: clickhouse.schema is declared with a value no Generation has: " + c.schema()));
    try {
      return new SchemaTarget(generation, new Parameters(c.database(), c.table(), c.tradesTtlDays(), c.ohlcvTtlDays(),
        // The modern schema has no Kafka engine; the broker list only has to be well-formed.
        c.bootstrapServers() == null ? "unused:9092" : c.bootstrapServers(), c.topic(), Parameters.consumerGroupFor(c.database()), c.gapTopic()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("clickhouse", e.getMessage(), "fix the value in conf/app.json or the environment variable that overrides it");
    }
  }
}
