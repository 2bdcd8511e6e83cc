package dev.finnhubstream.clickhouse;

import dev.finnhubstream.ToolConsole;
import dev.finnhubstream.clickhouse.ClickHouseSchema.Generation;
import dev.finnhubstream.clickhouse.ClickHouseSchema.Parameters;
import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.config.EnvironmentVariables;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Prints the ClickHouse schema of an environment, rendered from {@code conf/app.json}, for
 * {@code ci/clickhouse-schema.sh} to apply:
 * <pre>java -cp target/finnhub-stream-fat.jar dev.finnhubstream.clickhouse.SchemaTool [ENV]</pre>
 * ENV defaults to {@code APP_ENV}, then {@code local}. {@code clickhouse.schema} picks the file
 * ({@code local} or {@code modern}); the Kafka engine's broker list and topic follow the service's
 * {@code kafka} section and its overrides {@code KAFKA_BOOTSTRAP_SERVERS} and {@code KAFKA_TOPIC}.
 *
 * <p>A command-line tool: the SQL goes to stdout, a configuration problem to stderr as one line, exit 15.
 */
public final class SchemaTool {

  /** The keys of the (Terraform-owned) clickhouse section this tool reads; ConfigReport lists them for the dead-key check. */
  public static final java.util.List<String> CLICKHOUSE_KEYS_READ = java.util.List.of("database", "ohlcv_ttl_days", "schema", "table", "trades_ttl_days");

  private SchemaTool() {
  }

  public static void main(String[] args) {
    if (args.length > 1 || Arrays.asList(args).contains("--help")) {
      ToolConsole.message("usage: SchemaTool [ENV]   (prints the ClickHouse schema of ENV, default $APP_ENV or local)");
      System.exit(2);
    }
    Map<String, String> env = System.getenv();
    String environment = args.length == 1 ? args[0] : env.getOrDefault(EnvironmentVariables.APP_ENV, ConfigResolver.DEFAULT_ENVIRONMENT);
    String file = env.getOrDefault(EnvironmentVariables.APP_CONFIG, ConfigResolver.DEFAULT_FILE);
    try {
      JsonObject root;
      try {
        root = new JsonObject(Files.readString(Path.of(file)));
      } catch (IOException | DecodeException e) {
        throw new ConfigException(file, "cannot read it as JSON (" + e.getMessage() + ")", "run from the repository root, or set APP_CONFIG");
      }
      SchemaTarget target = SchemaTarget.resolve(root, environment, env);
      ToolConsole.output(ClickHouseSchema.script(target.generation(), target.parameters()));
    } catch (ConfigException e) {
      ToolConsole.message("Invalid configuration, no schema: " + e.getMessage());
      System.exit(15);
    }
  }

  /** The schema file and its parameters for one environment. */
  public record SchemaTarget(Generation generation, Parameters parameters) {

    /**
     * Reads {@code merge(common.<section>, environments.<env>.<section>)} of the sections {@code clickhouse}
     * and {@code kafka}, one level deep (Terraform's {@code merge()}, as {@link ConfigResolver} does).
     */
    public static SchemaTarget resolve(JsonObject root, String environment, Map<String, String> env) {
      JsonObject environments = root.getJsonObject("environments", new JsonObject());
      if (!(environments.getValue(environment) instanceof JsonObject)) {
        throw new ConfigException(EnvironmentVariables.APP_ENV, "unknown environment \"" + environment + "\"",
          "use one of " + environments.fieldNames());
      }
      JsonObject clickhouse = ConfigResolver.mergedSection(root, environment, "clickhouse");
      JsonObject kafka = ConfigResolver.mergedSection(root, environment, "kafka");
      String schema = string(clickhouse, "clickhouse.schema", environment);
      Generation generation = Arrays.stream(Generation.values()).filter(g -> g.configName().equals(schema)).findFirst()
        .orElseThrow(() -> new ConfigException("clickhouse.schema", "\"" + schema + "\" is not a schema",
          "use \"local\" (ClickHouse 18.16 reading Kafka itself) or \"modern\" (Managed ClickHouse fed by Data Transfer)"));
      String database = string(clickhouse, "clickhouse.database", environment);
      String brokers = env.getOrDefault(EnvironmentVariables.KAFKA_BOOTSTRAP_SERVERS, kafka.getString("bootstrap_servers", ""));
      String topic = env.getOrDefault(EnvironmentVariables.KAFKA_TOPIC, kafka.getString("topic", ""));
      if (generation == Generation.LOCAL && brokers.isBlank()) {
        throw new ConfigException("kafka.bootstrap_servers", "missing for environment \"" + environment + "\", and the local schema's Kafka engine needs it",
          "set it in environments." + environment + ".kafka, or export KAFKA_BOOTSTRAP_SERVERS");
      }
      try {
        return new SchemaTarget(generation, new Parameters(database, string(clickhouse, "clickhouse.table", environment),
          days(clickhouse, "trades_ttl_days"), days(clickhouse, "ohlcv_ttl_days"),
          // The modern schema has no Kafka engine; these only have to be well-formed.
          brokers.isBlank() ? "unused:9092" : brokers, topic, Parameters.consumerGroupFor(database)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("clickhouse", e.getMessage(), "fix the value in conf/app.json or the environment variable that overrides it");
      }
    }

    private static String string(JsonObject section, String key, String environment) {
      String name = key.substring(key.indexOf('.') + 1);
      if (!(section.getValue(name) instanceof String s) || s.isBlank()) {
        throw new ConfigException(key, "missing or not a string for environment \"" + environment + "\"", "set it in common or environments." + environment);
      }
      return s;
    }

    private static int days(JsonObject clickhouse, String name) {
      if (!(clickhouse.getValue(name) instanceof Integer n) || n < 1) {
        throw new ConfigException("clickhouse." + name, "missing or not a whole number of days >= 1", "set e.g. \"" + name + "\": 90 in common.clickhouse");
      }
      return n;
    }
  }
}
