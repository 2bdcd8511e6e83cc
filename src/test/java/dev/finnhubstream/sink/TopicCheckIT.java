package dev.finnhubstream.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finnhubstream.MainVerticle;
import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.RealBrokerTest;
import dev.finnhubstream.support.ServiceConfigs;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Where the service may not create topics (the cloud: Terraform owns them), a missing trades, dead-letter or gap
 * topic stops start-up with the key to fix, instead of looking like an endless Kafka outage later.
 */
class TopicCheckIT extends RealBrokerTest {

  @Test
  @DisplayName("with create_topics false, a missing trades, dead-letter or gap topic stops start-up naming the key")
  void missingTopicsStopStartup() throws Exception {
    String topic = KafkaTestSupport.uniqueTopic("it_missing");
    Map<String, Object> noCreation = Map.of("create_topics", false, "dead_letter_topic", topic + "_dlq");
    assertThatThrownBy(() -> vertx.deployVerticle(new MainVerticle(ServiceConfigs.local(
      ServiceConfigs.env(9, "unused", "AAPL", topic), noCreation))).await())
      .isInstanceOf(ConfigException.class)
      .satisfies(e -> assertThat(((ConfigException) e).key()).isIn("kafka.topic", "kafka.dead_letter_topic", "kafka.gap_topic"))
      .hasMessageContaining("does not exist").hasMessageContaining("Fix: ");

    // With the trades and dead-letter topics only, the gap topic is the one named.
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestSupport.bootstrap());
    try (Admin admin = Admin.create(p)) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1), new NewTopic(topic + "_dlq", 1, (short) 1)))
        .all().get(60, TimeUnit.SECONDS);
    }
    assertThatThrownBy(() -> vertx.deployVerticle(new MainVerticle(ServiceConfigs.local(
      ServiceConfigs.env(9, "unused", "AAPL", topic), noCreation))).await())
      .isInstanceOf(ConfigException.class)
      .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("kafka.gap_topic"));

    // Once the three topics exist (Terraform's job in the cloud), the same configuration starts.
    try (Admin admin = Admin.create(p)) {
      admin.createTopics(List.of(new NewTopic(KafkaTestSupport.gapTopicOf(topic), 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
    }
    String started = vertx.deployVerticle(new MainVerticle(ServiceConfigs.local(ServiceConfigs.env(9, "unused", "AAPL", topic),
      Map.of("create_topics", false, "dead_letter_topic", topic + "_dlq")))).await();
    assertThat(started).isNotBlank();
  }
}
