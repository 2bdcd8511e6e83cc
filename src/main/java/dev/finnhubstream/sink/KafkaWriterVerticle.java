package dev.finnhubstream.sink;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.Backpressure;
import dev.finnhubstream.bus.DeadLetter;
import dev.finnhubstream.bus.FeedGap;
import dev.finnhubstream.bus.TradeBatch;
import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.config.KafkaConfig;
import dev.finnhubstream.gaps.GapReason;
import dev.finnhubstream.gaps.PreviousRunEnd;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every trade published on {@link Addresses#TRADES} as one Kafka record (key = symbol, value =
 * {@link TradeJson}) and every {@link DeadLetter} on {@link Addresses#DEAD_LETTERS} to the dead-letter topic,
 * and every closed {@link FeedGap} on {@link Addresses#GAPS} to the gap topic ({@link GapJson}), through the same
 * delivery and disk buffer, losing nothing: see {@link KafkaDelivery} for the delivery rules and README "Delivery guarantees".
 *
 * <p>The event loop only queues: each message is handed to the delivery thread as is, which keeps this
 * loop cheaper per batch than the Finnhub side's parsing, so the event bus never builds a backlog here.
 * The queue's size drives {@link Backpressure}: above the high watermark Finnhub reading pauses, at the low
 * watermark it resumes.
 */
public final class KafkaWriterVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(KafkaWriterVerticle.class);

  private final KafkaConfig config;
  private final DeliveryStats stats = new DeliveryStats();
  private KafkaDelivery delivery;
  private MessageConsumer<TradeBatch> tradeConsumer;
  private MessageConsumer<DeadLetter> deadLetterConsumer;
  private MessageConsumer<FeedGap> gapConsumer;
  private MessageConsumer<Void> previousRunConsumer;
  private MessageConsumer<Long> sourcesStoppedConsumer;
  private DiskBuffer disk;
  /** How the previous run on this disk buffer ended, read when the buffer was opened. */
  private PreviousRunEnd previousRunEnd = PreviousRunEnd.UNKNOWN;
  private MessageConsumer<Void> statusConsumer;
  /** Whether this writer has asked Finnhub reading to pause. */
  private boolean paused;

  public KafkaWriterVerticle(KafkaConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    Future<Void> topicsReady = config.createTopics() ? KafkaTopics.ensure(vertx, config) : KafkaTopics.verify(vertx, config);
    return topicsReady
      .onFailure(e -> {
        if (e instanceof ConfigException) {
          LOGGER.error("Cannot start the Kafka writer: {}", e.getMessage());
        }
      })
      .compose(v -> vertx.executeBlocking(() -> {
        // Opening the disk buffer reads and checks what an earlier run left; the producer resolves hosts.
        disk = openDiskBuffer();
        previousRunEnd = disk.previousRun() != null ? new PreviousRunEnd(GapReason.CRASHED, disk.previousRun().checkpointAtMs())
          : disk.previousStopAtMs() != null ? new PreviousRunEnd(GapReason.SERVICE_STOPPED, disk.previousStopAtMs())
          : PreviousRunEnd.UNKNOWN;
        try {
          Producer<byte[], byte[]> producer = new KafkaProducer<>(new HashMap<>(config.producerProperties()));
          return new KafkaDelivery(config, producer, disk, stats, () -> context.runOnContext(x -> onQueueDrained()));
        } catch (RuntimeException e) {
          disk.close();
          throw e;
        }
      }))
      .compose(created -> {
        delivery = created;
        delivery.start();
        tradeConsumer = vertx.eventBus().consumer(Addresses.TRADES, msg -> onTrades(msg.body()));
        deadLetterConsumer = vertx.eventBus().consumer(Addresses.DEAD_LETTERS, msg -> onDeadLetter(msg.body()));
        gapConsumer = vertx.eventBus().consumer(Addresses.GAPS, msg -> onGap(msg.body()));
        statusConsumer = vertx.eventBus().consumer(Addresses.STATUS_SINK, msg -> msg.reply(status()));
        previousRunConsumer = vertx.eventBus().consumer(Addresses.PREVIOUS_RUN_END, msg -> msg.reply(previousRunEnd));
        sourcesStoppedConsumer = vertx.eventBus().consumer(Addresses.SOURCES_STOPPED, msg -> disk.stoppedAt(msg.body()));
        LOGGER.info("Writing trades to Kafka topic {}, dead letters to {} and feed gaps to {} at {}; disk buffer {}", config.topic(),
          config.deadLetterTopic(), config.gapTopic(), config.bootstrapServers(), config.delivery().diskBufferDir().toAbsolutePath());
        return Future.join(List.of(tradeConsumer.completion(), deadLetterConsumer.completion(), gapConsumer.completion(),
          statusConsumer.completion(), previousRunConsumer.completion(), sourcesStoppedConsumer.completion()));
      });
  }

  /** The disk buffer, or a one-line error naming the key: a directory the service cannot use stops start-up. */
  private DiskBuffer openDiskBuffer() {
    Path dir = config.delivery().diskBufferDir();
    try {
      return DiskBuffer.open(dir, config.delivery().diskBufferMaxBytes());
    } catch (IOException | RuntimeException e) {
      ConfigException error = new ConfigException("kafka.disk_buffer_dir", "cannot use " + dir.toAbsolutePath() + " ("
        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage()) + ")",
        "give the service a writable directory of its own there (a volume in a container), or point kafka.disk_buffer_dir elsewhere");
      LOGGER.error("Cannot start the Kafka writer: {}", error.getMessage());
      throw error;
    }
  }

  /**
   * Delivers everything received to Kafka, or to the disk buffer what Kafka does not take within
   * {@code close_timeout_ms}. For nothing to be lost, the Finnhub side must be stopped first (MainVerticle
   * does): messages it publishes after this point are not received.
   */
  @Override
  public Future<?> stop() {
    if (delivery == null) {
      return Future.succeededFuture();
    }
    return Future.join(tradeConsumer.unregister(), deadLetterConsumer.unregister(), gapConsumer.unregister())
      .transform(ar -> Future.fromCompletionStage(delivery.close(config.delivery().closeTimeoutMs()), context))
      .onComplete(ar -> {
        LOGGER.info("Kafka writer stopped: received {} trades, {} dead letters and {} gaps; acked {} trades, {} dead letters"
            + " and {} gaps; failed {}, dropped {}; disk buffer holds {} records",
          stats.tradesReceived.sum(), stats.deadLettersReceived.sum(), stats.gapsReceived.sum(), delivery.tradesAcked(),
          delivery.deadLettersAcked(), delivery.gapsAcked(),
          stats.failed.sum(), stats.dropped.sum(), delivery.status().diskBuffer().records());
        if (ar.failed()) {
          LOGGER.error("Kafka writer did not stop cleanly", ar.cause());
        }
      })
      .eventually(() -> Future.join(statusConsumer.unregister(), previousRunConsumer.unregister(), sourcesStoppedConsumer.unregister()));
  }

  private void onTrades(TradeBatch batch) {
    stats.tradesReceived.add(batch.trades().size());
    delivery.offer(batch);
    checkPause();
  }

  private void onDeadLetter(DeadLetter deadLetter) {
    stats.deadLetterReceived(deadLetter.reason());
    delivery.offer(OutboundRecord.deadLetter(deadLetter, config.deadLetterMaxPayloadBytes()));
    checkPause();
  }

  private void onGap(FeedGap gap) {
    stats.gapsReceived.increment();
    delivery.offer(OutboundRecord.gap(gap));
    checkPause();
  }

  private void checkPause() {
    long queued = delivery.queuedBytes();
    DeliveryStats.raise(stats.peakQueuedBytes, queued);
    if (!paused && queued >= config.delivery().queueHighWatermarkBytes()) {
      paused = true;
      stats.pauses.increment();
      delivery.notifyWhenDrained();
      vertx.eventBus().publish(Addresses.BACKPRESSURE, new Backpressure(true,
        "Kafka writer queue at " + queued + " bytes (high watermark " + config.delivery().queueHighWatermarkBytes() + ")"));
    }
  }

  private void onQueueDrained() {
    if (!paused) {
      return;
    }
    paused = false;
    vertx.eventBus().publish(Addresses.BACKPRESSURE, new Backpressure(false,
      "Kafka writer queue drained to " + delivery.queuedBytes() + " bytes (low watermark " + config.delivery().queueLowWatermarkBytes() + ")"));
  }

  private SinkStatus status() {
    KafkaConfig.Delivery bounds = config.delivery();
    return new SinkStatus(delivery.status(), config.topic(), config.deadLetterTopic(), config.bootstrapServers(),
      stats.tradesReceived.sum(), delivery.tradesAcked(), stats.failed.sum(), paused, stats.pauses.sum(),
      stats.peakQueuedBytes.get(), stats.peakInFlightBytes.get(),
      new SinkStatus.Limits(bounds.maxInFlightBytes(), bounds.queueLowWatermarkBytes(), bounds.queueHighWatermarkBytes(),
        bounds.queueMaxBytes()),
      stats.deadLetters(delivery.deadLettersAcked()), stats.ackLatency.snapshot(), stats.sendLatency.snapshot(),
      stats.ackedBySymbol(), stats.lastError);
  }
}
