package dev.finnhubstream.config;

import static dev.finnhubstream.config.ConfigKeys.*;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

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
 * @param password          SASL password from {@code KAFKA_PASSWORD}; used only with SASL, kept otherwise so answers redact it
 * @param lingerMs          producer {@code linger.ms}
 * @param batchSize         producer {@code batch.size} in bytes
 * @param compressionType   producer {@code compression.type}
 * @param deadLetterTopic   where frames and trade elements that could not become trades go, with their raw text
 * @param deadLetterPartitions      partitions of the dead-letter topic (same replication and retention as the trades topic)
 * @param deadLetterMaxPayloadBytes raw payload kept per dead letter; longer payloads are cut at a UTF-8 character boundary
 * @param gapTopic          where feed gaps go (one partition, same replication and retention as the trades topic)
 * @param delivery          how the writer bounds memory, detects an outage and buffers on disk
 */
public record KafkaConfig(String bootstrapServers, String topic, int partitions, short replicationFactor,
                          long retentionMs, boolean createTopics, String securityProtocol, String saslMechanism,
                          String username, Secret password, int lingerMs, int batchSize, String compressionType,
                          String deadLetterTopic, int deadLetterPartitions, int deadLetterMaxPayloadBytes,
                          String gapTopic, Delivery delivery) {

  /**
   * The writer's bounds. All sizes are approximate heap bytes of the records held (payload plus object overhead).
   *
   * @param maxInFlightBytes        records handed to the producer and not yet acknowledged
   * @param queueLowWatermarkBytes  below this (after a pause) the writer asks Finnhub reading to resume
   * @param queueHighWatermarkBytes above this the writer asks Finnhub reading to pause
   * @param queueMaxBytes           above this the queue goes to the disk buffer instead of waiting in memory
   * @param outageAfterMs           no acknowledgement for this long while records are outstanding = broker outage
   * @param diskBufferDir           directory of the on-disk buffer (created if missing; one service per directory)
   * @param diskBufferMaxBytes      disk budget; past it records are dropped, counted and logged
   * @param closeTimeoutMs          on shutdown, how long to wait for acknowledgements before the rest goes to disk
   */
  public record Delivery(long maxInFlightBytes, long queueLowWatermarkBytes, long queueHighWatermarkBytes,
                         long queueMaxBytes, long outageAfterMs, Path diskBufferDir, long diskBufferMaxBytes,
                         long closeTimeoutMs) {

    static Delivery from(ConfigSection s) {
      long inFlight = s.integer(KAFKA_MAX_IN_FLIGHT_BYTES);
      long low = s.integer(KAFKA_QUEUE_LOW_WATERMARK_BYTES);
      long high = s.integer(KAFKA_QUEUE_HIGH_WATERMARK_BYTES);
      long max = s.integer(KAFKA_QUEUE_MAX_BYTES);
      if (low >= high) {
        throw s.invalid(KAFKA_QUEUE_LOW_WATERMARK_BYTES, "must be below queue_high_watermark_bytes (" + high + ")",
          "lower it; the gap between the watermarks keeps the Finnhub connection from flapping between paused and resumed");
      }
      if (high >= max) {
        throw s.invalid(KAFKA_QUEUE_HIGH_WATERMARK_BYTES, "must be below queue_max_bytes (" + max + ")",
          "lower it, or raise queue_max_bytes: the gap absorbs what arrives while the pause takes effect");
      }
      long outage = s.integer(KAFKA_OUTAGE_AFTER_MS);
      String dir = s.string(KAFKA_DISK_BUFFER_DIR);
      Path path;
      try {
        path = Path.of(dir);
      } catch (InvalidPathException e) {
        throw s.invalid(KAFKA_DISK_BUFFER_DIR, "\"" + dir + "\" is not a valid path", "use a directory path, e.g. /var/lib/finnhub-stream/kafka-buffer");
      }
      long disk = s.integer(KAFKA_DISK_BUFFER_MAX_BYTES);
      long close = s.integer(KAFKA_CLOSE_TIMEOUT_MS);
      return new Delivery(inFlight, low, high, max, outage, path, disk, close);
    }
  }

  static KafkaConfig from(ConfigSection s, Secret password) {
    if (!s.has(KAFKA_BOOTSTRAP_SERVERS)) {
      throw new ConfigException(KAFKA_BOOTSTRAP_SERVERS.variable(), "no Kafka bootstrap servers for this environment",
        "export KAFKA_BOOTSTRAP_SERVERS=host:port (in the cloud Terraform sets it), or set kafka.bootstrap_servers in the environment's section");
    }
    String bootstrap = s.string(KAFKA_BOOTSTRAP_SERVERS);
    for (String server : bootstrap.split(",")) {
      if (!server.strip().matches("[^\\s:]+:\\d{1,5}")) {
        throw s.invalid(KAFKA_BOOTSTRAP_SERVERS, "\"" + server.strip() + "\" is not host:port", "use host:port[,host:port...]");
      }
    }
    String topic = s.string(KAFKA_TOPIC);
    int partitions = (int) s.integer(KAFKA_PARTITIONS);
    short replication = (short) s.integer(KAFKA_REPLICATION_FACTOR);
    long retention = s.integer(KAFKA_RETENTION_MS);
    boolean create = s.bool(KAFKA_CREATE_TOPICS);
    String protocol = s.string(KAFKA_SECURITY_PROTOCOL);
    String mechanism = s.string(KAFKA_SASL_MECHANISM);
    String username = s.optionalString(KAFKA_USERNAME);
    boolean sasl = protocol.startsWith("SASL");
    if (sasl && username == null) {
      throw new ConfigException(KAFKA_USERNAME.variable(), "no SASL user, but kafka.security_protocol is " + protocol,
        "set kafka.username or export KAFKA_USERNAME");
    }
    if (sasl && password == null) {
      throw new ConfigException(EnvironmentVariables.KAFKA_PASSWORD, "not set, but kafka.security_protocol is " + protocol,
        "export KAFKA_PASSWORD (from Lockbox in the cloud), or use PLAINTEXT for a local broker");
    }
    int linger = (int) s.integer(KAFKA_LINGER_MS);
    int batch = (int) s.integer(KAFKA_BATCH_SIZE);
    String compression = s.string(KAFKA_COMPRESSION_TYPE);
    String deadLetterTopic = s.string(KAFKA_DEAD_LETTER_TOPIC);
    if (deadLetterTopic.equals(topic)) {
      throw s.invalid(KAFKA_DEAD_LETTER_TOPIC, "is the trades topic itself", "use a separate topic, e.g. " + topic + "_dlq, so consumers of trades never see raw frames");
    }
    int deadLetterPartitions = (int) s.integer(KAFKA_DEAD_LETTER_PARTITIONS);
    int deadLetterPayload = (int) s.integer(KAFKA_DEAD_LETTER_MAX_PAYLOAD_BYTES);
    String gapTopic = s.string(KAFKA_GAP_TOPIC);
    if (gapTopic.equals(topic) || gapTopic.equals(deadLetterTopic)) {
      throw s.invalid(KAFKA_GAP_TOPIC, "is the " + (gapTopic.equals(topic) ? "trades" : "dead-letter") + " topic",
        "give gaps a topic of their own, e.g. finnhub_feed_gaps, so that each topic holds one kind of record");
    }
    return new KafkaConfig(bootstrap, topic, partitions, replication, retention, create, protocol, mechanism,
      // Kept without SASL too (unused then): the status endpoint redacts every secret it was given.
      username, password, linger, batch, compression, deadLetterTopic, deadLetterPartitions,
      deadLetterPayload, gapTopic, Delivery.from(s));
  }

  /**
   * Producer properties. Idempotence with {@code acks=all} is not configurable: together with a payload
   * id it is what makes a retried send land once. The others that are fixed follow from how the writer
   * drives the producer (see {@code sink/KafkaDelivery}):
   * <ul>
   *   <li>{@code max.block.ms=0}: {@code send} never waits for metadata or buffer space; the writer retries
   *   a refused record itself, so its thread is never stuck while the disk buffer must take over;</li>
   *   <li>{@code delivery.timeout.ms} = max: a record the producer accepted is retried until the broker takes
   *   it, so an outage never fails records out of order; the writer bounds how many it hands over;</li>
   *   <li>{@code buffer.memory} holds at least twice the writer's in-flight budget.</li>
   * </ul>
   */
  public Map<String, String> producerProperties() {
    Map<String, String> p = new HashMap<>();
    p.put("bootstrap.servers", bootstrapServers);
    p.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    p.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    p.put("max.in.flight.requests.per.connection", "5");
    p.put("linger.ms", Integer.toString(lingerMs));
    p.put("batch.size", Integer.toString(batchSize));
    p.put("compression.type", compressionType);
    p.put("max.block.ms", "0");
    p.put("delivery.timeout.ms", Integer.toString(Integer.MAX_VALUE));
    p.put("buffer.memory", Long.toString(Math.max(32L * 1024 * 1024, 2 * delivery.maxInFlightBytes())));
    p.put("client.id", clientId());
    p.putAll(securityProperties());
    return p;
  }

  /** The producer's {@code client.id}: names the service in broker logs and quotas (one per trades topic). */
  public String clientId() {
    return "finnhub-stream-" + topic;
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
