package dev.finnhubstream.clickhouse;

import dev.finnhubstream.config.ConfigKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ClickHouse schemas of the pipeline, one reviewed SQL file per ClickHouse generation
 * ({@code src/tools/resources/clickhouse/local.sql} for the local 18.16 server and its Kafka engine,
 * {@code modern.sql} for Managed ClickHouse fed by Data Transfer), rendered with the deployment's
 * parameters into statements that {@code ci/clickhouse-schema.sh} and the tests run one by one.
 *
 * <p>Every value substituted into the SQL is validated first (identifiers, broker lists, numbers), so no
 * configuration value can change the statements' structure.
 */
public final class ClickHouseSchema {

  /** Which ClickHouse the schema is for; {@code clickhouse.schema} in {@code conf/app.json} names it. */
  public enum Generation {
    /** ClickHouse 18.16 with its Kafka table engine reading the topic: the local stand-in. */
    LOCAL("local"),
    /** A current ClickHouse (Yandex Managed ClickHouse) that Yandex Data Transfer writes into. */
    MODERN("modern");

    private final String configName;

    Generation(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }

    String resource() {
      return "/clickhouse/" + configName + ".sql";
    }
  }

  /**
   * What a schema is rendered with.
   *
   * @param database      database of every object
   * @param tradesTable   the raw trades table (Data Transfer's target in the cloud)
   * @param tradesTtlDays raw trades kept this long (modern only; 18.16 has no TTL)
   * @param ohlcvTtlDays  1-minute bars kept this long (modern only)
   * @param kafkaBrokers  {@code host:port[,host:port]} the Kafka engine reads (local only)
   * @param kafkaTopic    the trades topic (local only)
   * @param kafkaGroup    the Kafka engine's consumer group (local only; the gap topic's is this plus {@code _gaps})
   * @param kafkaGapTopic the gap topic (local only)
   */
  public record Parameters(String database, String tradesTable, int tradesTtlDays, int ohlcvTtlDays,
                           String kafkaBrokers, String kafkaTopic, String kafkaGroup, String kafkaGapTopic) {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern BROKERS = Pattern.compile("[A-Za-z0-9.-]+:\\d{1,5}(,[A-Za-z0-9.-]+:\\d{1,5})*");
    /** Kafka's own rule for names (the consumer group); topics follow the stricter kafka.topic declaration. */
    private static final Pattern KAFKA_NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    public Parameters {
      requireMatch("database", database, IDENTIFIER);
      requireMatch("trades table", tradesTable, IDENTIFIER);
      if (tradesTtlDays < 1 || ohlcvTtlDays < 1) {
        throw new IllegalArgumentException("TTLs must be at least one day, got " + tradesTtlDays + " and " + ohlcvTtlDays);
      }
      requireMatch("Kafka brokers", kafkaBrokers, BROKERS);
      requireMatch("Kafka topic", kafkaTopic, ConfigKeys.KAFKA_TOPIC.pattern());
      requireMatch("Kafka consumer group", kafkaGroup, KAFKA_NAME);
      requireMatch("Kafka gap topic", kafkaGapTopic, ConfigKeys.KAFKA_GAP_TOPIC.pattern());
    }

    /** The consumer group the local Kafka engine uses for a database: one group per database. */
    public static String consumerGroupFor(String database) {
      return "clickhouse_" + database;
    }

    Map<String, String> placeholders() {
      return Map.of(
        "database", database,
        "trades_table", tradesTable,
        "trades_ttl_days", Integer.toString(tradesTtlDays),
        "ohlcv_ttl_days", Integer.toString(ohlcvTtlDays),
        "kafka_brokers", kafkaBrokers,
        "kafka_topic", kafkaTopic,
        "kafka_group", kafkaGroup,
        "kafka_gap_topic", kafkaGapTopic);
    }

    private static void requireMatch(String what, String value, Pattern pattern) {
      if (value == null || !pattern.matcher(value).matches()) {
        throw new IllegalArgumentException(what + " \"" + value + "\" does not match " + pattern.pattern());
      }
    }
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)}");

  private ClickHouseSchema() {
  }

  /** The schema's statements in the order they must run, without comments or trailing semicolons. */
  public static List<String> statements(Generation generation, Parameters parameters) {
    return split(render(template(generation), parameters.placeholders()));
  }

  /** The schema as one script, for {@code clickhouse-client --multiquery}. */
  public static String script(Generation generation, Parameters parameters) {
    return String.join(";\n\n", statements(generation, parameters)) + ";\n";
  }

  static String template(Generation generation) {
    try (InputStream in = ClickHouseSchema.class.getResourceAsStream(generation.resource())) {
      Objects.requireNonNull(in, generation.resource());
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fills every {@code ${name}} of {@code template} from {@code values}; a placeholder without a value is an error naming it. */
  public static String render(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException("schema placeholder ${" + m.group(1) + "} has no value");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * Splits a script into statements. The schema files follow two rules that make this exact: comments
   * take whole lines ({@code -- ...}), and a statement ends with {@code ;} at the end of a line.
   */
  static List<String> split(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || (trimmed.isEmpty() && current.isEmpty())) {
        continue;
      }
      if (trimmed.endsWith(";")) {
        current.append(line, 0, line.lastIndexOf(';'));
        statements.add(current.toString().strip());
        current.setLength(0);
      } else {
        current.append(line).append('\n');
      }
    }
    if (!current.toString().isBlank()) {
      throw new IllegalStateException("schema ends with an unterminated statement: " + current.toString().strip());
    }
    return statements;
  }
}
