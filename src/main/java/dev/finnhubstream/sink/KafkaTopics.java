package dev.finnhubstream.sink;

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
 * Creates the trades topic and the dead-letter topic when missing, with the partitions, replication and
 * retention of {@code conf/app.json}. Only where {@code kafka.create_topics} is true (local runs): in the
 * cloud Terraform owns the topics and the service's user may not create any.
 */
final class KafkaTopics {

  private static final Logger LOGGER = LoggerFactory.getLogger(KafkaTopics.class);

  private KafkaTopics() {
  }

  static Future<Void> ensure(Vertx vertx, KafkaConfig config) {
    Map<String, String> props = new HashMap<>(config.securityProperties());
    props.put("bootstrap.servers", config.bootstrapServers());
    props.put("request.timeout.ms", "10000");
    props.put("default.api.timeout.ms", "20000");
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, props);
    Map<String, String> retention = Map.of("retention.ms", Long.toString(config.retentionMs()));
    List<NewTopic> wanted = List.of(
      new NewTopic(config.topic(), config.partitions(), config.replicationFactor()).setConfig(retention),
      new NewTopic(config.deadLetterTopic(), config.deadLetterPartitions(), config.replicationFactor()).setConfig(retention));
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
      .recover(e -> Future.failedFuture(new IllegalStateException("cannot prepare Kafka topics " + config.topic() + " and "
        + config.deadLetterTopic() + " at " + config.bootstrapServers() + ": " + e.getMessage()
        + " (is the broker running? ci/kafka.sh start)")))
      .eventually(() -> admin.close());
  }
}
