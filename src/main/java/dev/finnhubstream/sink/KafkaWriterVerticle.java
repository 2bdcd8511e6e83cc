package dev.finnhubstream.sink;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.bus.TradeBatch;
import dev.finnhubstream.config.KafkaConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every trade published on {@link Addresses#TRADES} as one Kafka record: key = symbol (UTF-8),
 * value = {@link TradeJson}. The producer is idempotent with {@code acks=all}, so its own retries never
 * duplicate a record; {@code ingest_id} in the payload lets downstream collapse any other redelivery.
 *
 * <p>Delivery failures (after the producer's own retries, i.e. {@code delivery.timeout.ms}) are counted
 * and logged, never silent.
 */
public final class KafkaWriterVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(KafkaWriterVerticle.class);
  private static final long CLOSE_TIMEOUT_MS = 10_000;

  private final KafkaConfig config;
  private KafkaProducer<String, String> producer;
  private MessageConsumer<TradeBatch> consumer;
  private MessageConsumer<JsonObject> statusConsumer;

  private long received;
  private long acked;
  private long failed;
  private String lastError;

  public KafkaWriterVerticle(KafkaConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    Future<Void> topicReady = config.createTopics() ? ensureTopic() : Future.succeededFuture();
    return topicReady.compose(v -> {
      producer = KafkaProducer.create(vertx, config.producerProperties());
      producer.exceptionHandler(e -> LOGGER.error("Kafka producer error: {}", e.toString()));
      consumer = vertx.eventBus().consumer(Addresses.TRADES, msg -> write(msg.body()));
      statusConsumer = vertx.eventBus().consumer(Addresses.STATUS_SINK, msg -> msg.reply(status()));
      LOGGER.info("Writing trades to Kafka topic {} at {}", config.topic(), config.bootstrapServers());
      return Future.join(consumer.completion(), statusConsumer.completion());
    });
  }

  @Override
  public Future<?> stop() {
    if (producer == null) {
      return Future.succeededFuture();
    }
    // Stop taking new trades, then hand everything accepted so far to Kafka before closing.
    return consumer.unregister()
      .compose(v -> producer.flush())
      .eventually(() -> producer.close(CLOSE_TIMEOUT_MS))
      .onComplete(ar -> LOGGER.info("Kafka writer stopped: received {}, acked {}, failed {}", received, acked, failed));
  }

  private void write(TradeBatch batch) {
    List<Trade> trades = batch.trades();
    for (int i = 0; i < trades.size(); i++) {
      Trade trade = trades.get(i);
      received++;
      producer.send(KafkaProducerRecord.create(config.topic(), trade.symbol(), TradeJson.toJson(trade)))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            acked++;
          } else {
            failed++;
            lastError = ar.cause().toString();
            if (failed <= 10 || Long.bitCount(failed) == 1) {
              LOGGER.error("Kafka send failed for trade {} ({} failures so far): {}", trade.ingestId(), failed, lastError);
            }
          }
        });
    }
  }

  /** Creates the trades topic when missing (local runs; in the cloud Terraform owns topics). */
  private Future<Void> ensureTopic() {
    Map<String, String> props = new HashMap<>(config.securityProperties());
    props.put("bootstrap.servers", config.bootstrapServers());
    props.put("request.timeout.ms", "10000");
    props.put("default.api.timeout.ms", "20000");
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, props);
    return admin.listTopics()
      .compose(topics -> {
        if (topics.contains(config.topic())) {
          return Future.<Void>succeededFuture();
        }
        NewTopic topic = new NewTopic(config.topic(), config.partitions(), config.replicationFactor())
          .setConfig(Map.of("retention.ms", Long.toString(config.retentionMs())));
        LOGGER.info("Creating Kafka topic {} ({} partitions, replication {})", config.topic(), config.partitions(), config.replicationFactor());
        // Another process may create it at the same moment; that is fine.
        return admin.createTopics(List.of(topic)).recover(e -> e.getMessage() != null && e.getMessage().contains("already exists")
          ? Future.succeededFuture() : Future.failedFuture(e));
      })
      .recover(e -> Future.failedFuture(new IllegalStateException("cannot prepare Kafka topic " + config.topic() + " at "
        + config.bootstrapServers() + ": " + e.getMessage() + " (is the broker running? ci/kafka.sh start)")))
      .eventually(() -> admin.close());
  }

  private JsonObject status() {
    return new JsonObject()
      .put("topic", config.topic())
      .put("bootstrap_servers", config.bootstrapServers())
      .put("received", received)
      .put("acked", acked)
      .put("failed", failed)
      .put("in_flight", received - acked - failed)
      .put("last_error", lastError);
  }
}
