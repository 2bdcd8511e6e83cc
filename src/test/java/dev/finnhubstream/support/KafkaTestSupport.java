package dev.finnhubstream.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The real Kafka broker of the integration tests: the one {@code KAFKA_BOOTSTRAP_SERVERS} names
 * ({@code ci/test.sh} starts it natively), else a container ({@link TestServices}). A broker that should be
 * there and does not answer fails the test: a green run must mean the pipeline met a real broker.
 */
public final class KafkaTestSupport {

  private KafkaTestSupport() {
  }

  public static String bootstrap() {
    return TestServices.kafkaBootstrap();
  }

  /** A topic name no other test run uses, so runs never see each other's records. */
  public static String uniqueTopic(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A test's gap topic: its trades topic's name plus {@code _gaps} (the services and schemas of the test use both). */
  public static String gapTopicOf(String topic) {
    return topic + "_gaps";
  }

  /** Fails with a hint when the broker is down. */
  public static void requireBroker() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    try (Admin admin = Admin.create(p)) {
      admin.describeCluster().nodes().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("No Kafka broker answers at " + bootstrap() + " (" + e + "). Start one with ci/kafka.sh start,"
        + " or unset KAFKA_BOOTSTRAP_SERVERS to let Testcontainers start one, or run the tests with ci/test.sh.", e);
    }
  }

  /**
   * Creates {@code topic} (3 partitions) unless it exists. ClickHouse 18.16's Kafka engine subscribing to a topic
   * that does not exist yet only sees it at its next metadata refresh (minutes later), so tests create the topic
   * before the ClickHouse schema, as the service would on its first start.
   */
  public static void createTopic(String topic) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    try (Admin admin = Admin.create(p)) {
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
        throw new AssertionError("cannot create topic " + topic, e);
      }
    } catch (Exception e) {
      throw new AssertionError("cannot create topic " + topic, e);
    }
  }

  /**
   * Reads {@code topic} from the beginning until {@code expected} records arrived, then keeps reading for
   * {@code quiet} more so that duplicates beyond the expected count would show up too.
   */
  public static List<ConsumerRecord<String, String>> readAll(String topic, int expected, Duration timeout, Duration quiet) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      long quietUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, quietUntil)) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        if (records.size() >= expected && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.nanoTime() + quiet.toNanos();
        }
      }
    }
    return records;
  }
}
