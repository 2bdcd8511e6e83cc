package dev.finnhubstream.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The benchmarks' side of the local broker (fresh topics with LogAppendTime, record counts, consumers) and the
 * run's {@code conf/app.json}; shared by {@link DeliveryBenchmark}, {@link SideBySide} and
 * {@link CostAtLoadBenchmark}.
 */
final class BenchKafka implements AutoCloseable {

  private final String bootstrap;
  private final Admin admin;

  BenchKafka(String bootstrap) {
    this.bootstrap = bootstrap;
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    this.admin = Admin.create(p);
  }

  String bootstrap() {
    return bootstrap;
  }

  /** Partitions of every benchmark topic: the committed {@code kafka.partitions}. */
  static final int PARTITIONS = 3;

  /** {@link #PARTITIONS} partitions, append time as the record timestamp. */
  void createTopic(String topic) throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1)
      .configs(Map.of("message.timestamp.type", "LogAppendTime")))).all().get(60, TimeUnit.SECONDS);
  }

  void deleteTopic(String topic) {
    try {
      admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log("could not delete topic %s: %s", topic, e);
    }
  }

  /** Records in {@code topic}: the sum over its partitions of end offset − start offset. */
  long recordCount(String topic) {
    try (KafkaConsumer<String, String> consumer = consumer()) {
      List<TopicPartition> parts = partitions(consumer, topic);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      return parts.stream().mapToLong(tp -> end.get(tp) - begin.get(tp)).sum();
    }
  }

  /**
   * Records in a fresh topic (its end offsets: nothing was deleted from it), from the admin client; 0 for a topic
   * created a moment ago that the broker's metadata does not list yet. Cheap enough to poll.
   */
  long appended(String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    try {
      return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
        .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return 0;
      }
      throw e;
    }
  }

  static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    return consumer.partitionsFor(topic).stream().map(pi -> new TopicPartition(topic, pi.partition())).toList();
  }

  KafkaConsumer<String, String> consumer() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
    return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
  }

  @Override
  public void close() {
    admin.close();
  }

  /** The committed {@code kafka} section as the local environment resolves it. */
  static JsonObject committedKafkaSection(Path repo) throws IOException {
    JsonObject root = new JsonObject(Files.readString(repo.resolve("conf/app.json")));
    JsonObject merged = root.getJsonObject("common").getJsonObject("kafka").copy();
    merged.mergeIn(root.getJsonObject("environments").getJsonObject("local").getJsonObject("kafka"));
    return merged;
  }

  /** conf/app.json with the local environment pointed at this run's disk buffer, plus {@code kafkaOverrides}. */
  static Path writeConfig(Path repo, Path dir, Map<String, Object> kafkaOverrides) throws IOException {
    JsonObject root = new JsonObject(Files.readString(repo.resolve("conf/app.json")));
    JsonObject local = root.getJsonObject("environments").getJsonObject("local").getJsonObject("kafka");
    local.put("disk_buffer_dir", dir.resolve("buffer").toString());
    local.put("dead_letter_topic", "bench_dlq");
    kafkaOverrides.forEach(local::put);
    Files.createDirectories(dir);
    Path file = dir.resolve("app.json");
    Files.writeString(file, root.encodePrettily());
    return file;
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  static void log(String format, Object... args) {
    System.out.printf("[bench] " + format + "%n", args);
  }

  static <T> double median(List<T> runs, ToDoubleFunction<T> f) {
    double[] v = runs.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
