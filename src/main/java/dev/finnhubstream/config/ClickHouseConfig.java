package dev.finnhubstream.config;

import java.util.Map;

/**
 * What the schema tool renders the ClickHouse schema from: the {@code clickhouse} section (Terraform's, besides
 * the tool's keys) and, for the local schema's Kafka engine, the service's broker list and topic with their
 * overrides. Resolved through {@link ConfigResolver#clickHouse}, the code the service resolves through.
 *
 * @param schema           {@code local} or {@code modern}
 * @param database         the database
 * @param table            the trades table
 * @param tradesTtlDays    TTL of the trades (modern schema)
 * @param ohlcvTtlDays     TTL of the bars (modern schema)
 * @param bootstrapServers the brokers, or {@code null} where the environment names none (the cloud's come from Terraform)
 * @param topic            the trades topic
 * @param gapTopic         the gap topic
 */
public record ClickHouseConfig(String schema, String database, String table, int tradesTtlDays, int ohlcvTtlDays,
                               String bootstrapServers, String topic, String gapTopic) {

  static ClickHouseConfig from(Map<String, ConfigSection> sections) {
    ConfigSection clickhouse = sections.get("clickhouse");
    ConfigSection kafka = sections.get("kafka");
    String schema = clickhouse.string(ConfigKeys.CLICKHOUSE_SCHEMA);
    String brokers = kafka.optionalString(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS);
    if ("local".equals(schema) && brokers == null) {
      throw new ConfigException(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS.path(), "missing, and the local schema's Kafka engine needs it",
        "set it in the environment's kafka section, or export " + ConfigKeys.KAFKA_BOOTSTRAP_SERVERS.variable());
    }
    return new ClickHouseConfig(schema, clickhouse.string(ConfigKeys.CLICKHOUSE_DATABASE), clickhouse.string(ConfigKeys.CLICKHOUSE_TABLE),
      (int) clickhouse.integer(ConfigKeys.CLICKHOUSE_TRADES_TTL_DAYS), (int) clickhouse.integer(ConfigKeys.CLICKHOUSE_OHLCV_TTL_DAYS),
      brokers, kafka.string(ConfigKeys.KAFKA_TOPIC), kafka.string(ConfigKeys.KAFKA_GAP_TOPIC));
  }
}
