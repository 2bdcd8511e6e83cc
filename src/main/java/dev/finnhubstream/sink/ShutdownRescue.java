package dev.finnhubstream.sink;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a delivery: lets the producer deliver what it holds within the close timeout, then writes what Kafka
 * did not acknowledge to the spill buffer ahead of everything else, for the next start. Records still in flight
 * at that moment may also have reached Kafka; they are then sent twice, and downstream collapses them on
 * {@code ingest_id}: a duplicate is recoverable, a lost trade is not.
 */
final class ShutdownRescue {

  private static final Logger LOGGER = LoggerFactory.getLogger(ShutdownRescue.class);

  private final Producer<byte[], byte[]> producer;
  private final InFlightWindow window;
  private final SpillBuffer spill;
  private final DeliveryStats stats;

  ShutdownRescue(Producer<byte[], byte[]> producer, InFlightWindow window, SpillBuffer spill, DeliveryStats stats) {
    this.producer = producer;
    this.window = window;
    this.spill = spill;
    this.stats = stats;
  }

  /**
   * Closes the producer, waiting up to {@code waitMs} for acknowledgements, and rescues what the window still
   * holds: records from memory go ahead of everything in the spill buffer; records read from the spill buffer stay
   * there (its acknowledgement cursor stops before the first of them).
   *
   * @param kafkaAway Kafka is known to be unreachable (the caller then waits 0 ms; said in the log)
   */
  void run(long waitMs, boolean kafkaAway, long outstandingRecords) throws IOException {
    LOGGER.info("Closing the Kafka producer: {} records outstanding, waiting up to {} ms{}", outstandingRecords, waitMs,
      kafkaAway ? " (Kafka is unreachable: they go to the disk buffer)" : "");
    try {
      producer.close(Duration.ofMillis(waitMs));
    } catch (RuntimeException e) {
      LOGGER.warn("Closing the Kafka producer failed: {}", e.toString());
    }
    // Every callback has run now: what is not acknowledged will not be.
    List<OutboundRecord> rescue = window.closeOut(spill);
    List<OutboundRecord> droppedRecords = spill.prepend(rescue);
    droppedRecords.forEach(stats::dropped);
    int dropped = droppedRecords.size();
    if (dropped > 0) {
      LOGGER.error("Dropped {} undelivered records at shutdown: the disk buffer is full ({} bytes)", dropped, spill.maxBytes());
    }
    stats.spilledToDisk.add(rescue.size() - dropped);
    if (!rescue.isEmpty()) {
      LOGGER.warn("{} records Kafka did not acknowledge before the close timeout went to the disk buffer; they are sent"
        + " first on the next start (some may already be in Kafka: downstream dedups on ingest_id)", rescue.size() - dropped);
    }
  }
}
