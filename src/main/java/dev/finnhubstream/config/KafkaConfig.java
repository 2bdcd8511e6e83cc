package dev.finnhubstream.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Kafka sink. Terraform reads the same section for the topic (name, partitions, replication,
 * retention); the producer settings are the service's alone.
 *
 * @param bootstrapServers  {@code host:port[,host:port]}; in the cloud from {@code KAFKA_BOOTSTRAP_SERVERS}
 * @param topic             the trades topic
 * @param partitions        topic partitions (used when this service creates the topic, and by Terraform)
 * @param replicationFactor topic replication factor
 * @param retentionMs       topic retention
 * @param createTopics      create the topic at start-up if missing (local); in the cloud Terraform owns topics
 * @param securityProtocol  PLAINTEXT locally; SASL_SSL for Yandex Managed Kafka
 * @param saslMechanism     SCRAM-SHA-512 on Managed Kafka
 * @param username          SASL user, when SASL is on
 * @param password          SASL password from {@code KAFKA_PASSWORD}, when SASL is on
 * @param lingerMs          producer {@code linger.ms}
 * @param batchSize         producer {@code batch.size} in bytes
 * @param compressionType   producer {@code compression.type}
 */
public record KafkaConfig(String bootstrapServers, String topic, int partitions, short replicationFactor,
                          long retentionMs, boolean createTopics, String securityProtocol, String saslMechanism,
                          String username, Secret password, int lingerMs, int batchSize, String compressionType) {

  /** {@code dead_letter_topic}: the topic rejected trades go to; Terraform creates it in the cloud. */
  static final Set<String> KEYS = Set.of("bootstrap_servers", "topic", "partitions", "replication_factor",
    "retention_ms", "create_topics", "security_protocol", "sasl_mechanism", "username", "linger_ms",
    "batch_size", "compression_type", "dead_letter_topic");

  static KafkaConfig from(ConfigSection s, Secret password) {
    if (!s.has("bootstrap_servers")) {
      throw new ConfigException(EnvironmentVariables.KAFKA_BOOTSTRAP_SERVERS, "no Kafka bootstrap servers for this environment",
        "export KAFKA_BOOTSTRAP_SERVERS=host:port (in the cloud Terraform sets it), or set kafka.bootstrap_servers in the environment's section");
    }
    String bootstrap = s.string("bootstrap_servers");
    for (String server : bootstrap.split(",")) {
      if (!server.strip().matches("[^\\s:]+:\\d{1,5}")) {
        throw s.invalid("bootstrap_servers", "\"" + server.strip() + "\" is not host:port", "use host:port[,host:port...]");
      }
    }
    String topic = s.string("topic");
    if (!topic.matches("[A-Za-z0-9._-]{1,249}") || topic.equals(".") || topic.equals("..")) {
      throw s.invalid("topic", "\"" + topic + "\" is not a valid Kafka topic name", "use letters, digits, '.', '_' or '-' (we use [a-z0-9_], e.g. finnhub_trades)");
    }
    int partitions = (int) s.integer("partitions", 1, 10_000);
    short replication = (short) s.integer("replication_factor", 1, 32);
    long retention = s.integer("retention_ms", -1, Long.MAX_VALUE);
    boolean create = s.bool("create_topics");
    String protocol = s.oneOf("security_protocol", List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"));
    String mechanism = s.oneOf("sasl_mechanism", List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"));
    String username = s.optionalString("username");
    boolean sasl = protocol.startsWith("SASL");
    if (sasl && username == null) {
      throw new ConfigException(EnvironmentVariables.KAFKA_USERNAME, "no SASL user, but kafka.security_protocol is " + protocol,
        "set kafka.username or export KAFKA_USERNAME");
    }
    if (sasl && password == null) {
      throw new ConfigException(EnvironmentVariables.KAFKA_PASSWORD, "not set, but kafka.security_protocol is " + protocol,
        "export KAFKA_PASSWORD (from Lockbox in the cloud), or use PLAINTEXT for a local broker");
    }
    int linger = (int) s.integer("linger_ms", 0, 60_000);
    int batch = (int) s.integer("batch_size", 1, 16 * 1024 * 1024);
    String compression = s.oneOf("compression_type", List.of("none", "gzip", "snappy", "lz4", "zstd"));
    return new KafkaConfig(bootstrap, topic, partitions, replication, retention, create, protocol, mechanism,
      username, sasl ? password : null, linger, batch, compression);
  }

  /**
   * Producer properties. Idempotence with {@code acks=all} is not configurable: together with a payload
   * id it is what makes a retried send land once.
   */
  public Map<String, String> producerProperties() {
    Map<String, String> p = new HashMap<>();
    p.put("bootstrap.servers", bootstrapServers);
    p.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    p.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    p.put("max.in.flight.requests.per.connection", "5");
    p.put("linger.ms", Integer.toString(lingerMs));
    p.put("batch.size", Integer.toString(batchSize));
    p.put("compression.type", compressionType);
    p.putAll(securityProperties());
    return p;
  }

  /** Client security settings shared by the producer and the admin client. */
  public Map<String, String> securityProperties() {
    Map<String, String> p = new HashMap<>();
    p.put("security.protocol", securityProtocol);
    if (securityProtocol.startsWith("SASL")) {
      p.put("sasl.mechanism", saslMechanism);
      String module = saslMechanism.equals("PLAIN")
        ? "org.apache.kafka.common.security.plain.PlainLoginModule"
        : "org.apache.kafka.common.security.scram.ScramLoginModule";
      p.put("sasl.jaas.config", module + " required username=\"" + username + "\" password=\"" + password.reveal() + "\";");
    }
    return p;
  }
}
