package dev.finnhubstream.sink;

import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.config.KafkaConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trades topic, the dead-letter topic and the gap topic. Where {@code kafka.create_topics} is true (local runs) they are
 * created when missing, with the partitions, replication and retention of {@code conf/app.json}. Elsewhere
 * Terraform owns them and the service only checks they exist: a missing topic would otherwise look like an
 * endless outage (the producer waits for its metadata) and fill the disk buffer.
 */
final class KafkaTopics {

  private static final Logger LOGGER = LoggerFactory.getLogger(KafkaTopics.class);

  private KafkaTopics() {
  }

  private static KafkaAdminClient admin(Vertx vertx, KafkaConfig config) {
    Map<String, String> props = new HashMap<>(config.securityProperties());
    props.put("bootstrap.servers", config.bootstrapServers());
    props.put("client.id", config.clientId() + "-admin");
    props.put("request.timeout.ms", "10000");
    props.put("default.api.timeout.ms", "20000");
    return KafkaAdminClient.create(vertx, props);
  }

  /**
   * Fails start-up, naming the key, when Kafka answers and a topic is missing. When Kafka does not answer,
   * start-up goes on: trades then wait in the disk buffer, which is what it is for.
   */
  static Future<Void> verify(Vertx vertx, KafkaConfig config) {
    KafkaAdminClient admin = admin(vertx, config);
    return admin.listTopics()
      .transform(ar -> {
        if (ar.failed()) {
          LOGGER.warn("Cannot list Kafka topics at {} ({}); starting anyway, trades wait in the disk buffer until Kafka answers",
            config.bootstrapServers(), ar.cause().toString());
          return Future.<Void>succeededFuture();
        }
        for (Map.Entry<String, String> topic : Map.of("kafka.topic", config.topic(), "kafka.dead_letter_topic", config.deadLetterTopic(),
          "kafka.gap_topic", config.gapTopic()).entrySet()) {
          if (!ar.result().contains(topic.getValue())) {
            return Future.<Void>failedFuture(new ConfigException(topic.getKey(), "topic " + topic.getValue() + " does not exist at "
              + config.bootstrapServers() + " (or this user may not describe it)",
              "create it (Terraform owns topics in the cloud), or set kafka.create_topics to true where the service may create topics"));
          }
        }
        return Future.<Void>succeededFuture();
      })
      .eventually(() -> admin.close());
  }

  static Future<Void> ensure(Vertx vertx, KafkaConfig config) {
    KafkaAdminClient admin = admin(vertx, config);
    Map<String, String> retention = Map.of("retention.ms", Long.toString(config.retentionMs()));
    List<NewTopic> wanted = List.of(
      new NewTopic(config.topic(), config.partitions(), config.replicationFactor()).setConfig(retention),
      new NewTopic(config.deadLetterTopic(), config.deadLetterPartitions(), config.replicationFactor()).setConfig(retention),
      // One partition: a handful of records an hour, in order.
      new NewTopic(config.gapTopic(), 1, config.replicationFactor()).setConfig(retention));
    return admin.listTopics()
      .compose(existing -> {
        List<NewTopic> missing = new ArrayList<>();
        for (NewTopic topic : wanted) {
          if (!existing.contains(topic.getName())) {
            missing.add(topic);
            LOGGER.info("Creating Kafka topic {} ({} partitions, replication {})", topic.getName(), topic.getNumPartitions(),
              topic.getReplicationFactor());
          }
        }
        if (missing.isEmpty()) {
          return Future.<Void>succeededFuture();
        }
        // Another process may create them at the same moment; that is fine.
        return admin.createTopics(missing).recover(e -> e.getMessage() != null && e.getMessage().contains("already exists")
          ? Future.succeededFuture() : Future.failedFuture(e));
      })
      .recover(e -> Future.failedFuture(new IllegalStateException("cannot prepare Kafka topics " + config.topic() + ", "
        + config.deadLetterTopic() + " and " + config.gapTopic() + " at " + config.bootstrapServers() + ": " + e.getMessage()
        + " (is the broker running? ci/kafka.sh start)")))
      .eventually(() -> admin.close());
  }
}
