package dev.finnhubstream.clickhouse;

import dev.finnhubstream.ToolConsole;
import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.config.ConfigResolver;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Map;

/**
 * Prints the ClickHouse schema of an environment, rendered from {@code conf/app.json}, for
 * {@code ci/clickhouse-schema.sh} to apply:
 * <pre>java -cp target/finnhub-stream-fat.jar:target/finnhub-stream-tools.jar dev.finnhubstream.clickhouse.SchemaTool [ENV]</pre>
 * ENV defaults to {@code APP_ENV}, then {@code local}. {@code clickhouse.schema} picks the file
 * ({@code local} or {@code modern}); the Kafka engine's broker list and topic follow the service's
 * {@code kafka} section and its overrides {@code KAFKA_BOOTSTRAP_SERVERS} and {@code KAFKA_TOPIC}.
 *
 * <p>A command-line tool: the SQL goes to stdout, a configuration problem to stderr as one line, exit 15.
 */
public final class SchemaTool {

  private SchemaTool() {
  }

  public static void main(String[] args) {
    if (args.length > 1 || Arrays.asList(args).contains("--help")) {
      ToolConsole.message("usage: SchemaTool [ENV]   (prints the ClickHouse schema of ENV, default $APP_ENV or local)");
      System.exit(2);
    }
    Map<String, String> env = System.getenv();
    String environment = args.length == 1 ? args[0] : ConfigResolver.environmentName(env);
    try {
      JsonObject root = ToolConsole.configFile(env);
      SchemaTarget target = SchemaTarget.resolve(root, environment, env);
      ToolConsole.output(ClickHouseSchema.script(target.generation(), target.parameters()));
    } catch (ConfigException e) {
      ToolConsole.message("Invalid configuration, no schema: " + e.getMessage());
      System.exit(15);
    }
  }
}
