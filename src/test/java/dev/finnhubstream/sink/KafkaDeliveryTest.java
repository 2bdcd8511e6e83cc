package dev.finnhubstream.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.bus.DeadLetter;
import dev.finnhubstream.bus.FeedGap;
import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.bus.TradeBatch;
import dev.finnhubstream.config.KafkaConfig;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The delivery rules, one deterministic step at a time: the test thread plays the delivery thread
 * ({@link KafkaDelivery#turn}) with a clock of its own, {@link MockProducer} plays Kafka (the test completes its
 * sends, as the producer's I/O thread would), and an {@link InMemorySpillBuffer} plays the disk buffer.
 */
class KafkaDeliveryTest {

  private static final long OUTAGE_AFTER_MS = 1_000;
  private static final String TOPIC = "trades";
  private static final String DEAD_LETTER_TOPIC = "trades-dead-letters";

  private final MockProducer<byte[], byte[]> kafka = new MockProducer<>(false, new ByteArraySerializer(), new ByteArraySerializer());
  private final DeliveryStats stats = new DeliveryStats();
  private long nowNanos = TimeUnit.SECONDS.toNanos(1_000);
  private int drained;
  private InMemorySpillBuffer disk = new InMemorySpillBuffer(1L << 30);
  private KafkaDelivery delivery;

  // --- fixtures ---

  /** Trades of equal size: {@code SYM-nnn}, ingest id {@code id-nnn}. */
  private static Trade trade(String symbol, int n) {
    return new Trade(symbol, 1_700_000_000_000L + n, 100.25, 1.0, List.of(), 1_700_000_000_100L, String.format("id-%03d", n));
  }

  private static final long RECORD_BYTES = OutboundRecord.trade(trade("AAA", 0)).heapBytes();

  private static KafkaConfig config(long maxInFlightBytes, long queueMaxBytes) {
    KafkaConfig.Delivery bounds = new KafkaConfig.Delivery(maxInFlightBytes, queueMaxBytes / 4, queueMaxBytes / 2,
      queueMaxBytes, OUTAGE_AFTER_MS, Path.of("unused"), 1L << 30, 5_000);
    return new KafkaConfig("127.0.0.1:9092", TOPIC, 1, (short) 1, 86_400_000L, false, "PLAINTEXT", null, null, null,
      5, 16_384, "none", DEAD_LETTER_TOPIC, 1, 1_024, "gaps", bounds);
  }

  private void start(KafkaConfig config) {
    delivery = new KafkaDelivery(config, kafka, disk, stats, () -> drained++, () -> nowNanos);
  }

  private void start() {
    start(config(1L << 20, 1L << 24));
  }

  /** Offers one frame's trades, {@code AAA} and {@code BBB} in turns, numbered from {@code from} to {@code to - 1}. */
  private void offer(int from, int to) {
    List<Trade> trades = new ArrayList<>();
    for (int n = from; n < to; n++) {
      trades.add(trade(n % 2 == 0 ? "AAA" : "BBB", n));
    }
    stats.tradesReceived.add(trades.size());
    delivery.offer(new TradeBatch("test", from, 1_700_000_000_100L, trades));
  }

  /** What an earlier run left in the disk buffer: {@code count} trades, {@code AAA} and {@code BBB} in turns. */
  private void bufferedFromEarlierRun(int count) {
    for (int n = 0; n < count; n++) {
      disk.append(OutboundRecord.trade(trade(n % 2 == 0 ? "AAA" : "BBB", n)));
    }
  }

  private void turn() {
    delivery.turn(nowNanos);
  }

  private void advanceMs(long ms) {
    nowNanos += TimeUnit.MILLISECONDS.toNanos(ms);
  }

  /** Kafka acknowledges the {@code n} oldest sends it has not answered yet. */
  private void ack(int n) {
    for (int i = 0; i < n; i++) {
      assertThat(kafka.completeNext()).as("a send to acknowledge").isTrue();
    }
  }

  private static String ingestId(ProducerRecord<byte[], byte[]> r) {
    return new JsonObject(new String(r.value(), StandardCharsets.UTF_8)).getString("ingest_id");
  }

  /** Ingest ids of every record handed to Kafka, in send order (a record sent twice appears twice). */
  private List<String> sent() {
    return kafka.history().stream().map(KafkaDeliveryTest::ingestId).toList();
  }

  private List<String> onDisk() {
    return disk.stored().stream().map(OutboundRecord::id).toList();
  }

  private static List<String> ids(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int n = from; n < to; n++) {
      out.add(String.format("id-%03d", n));
    }
    return out;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  // --- direct ---

  @Test
  @DisplayName("with an empty disk buffer, records go straight to Kafka in arrival order, trades and dead letters to their topics")
  void directInOrder() {
    start();
    offer(0, 5);
    delivery.offer(OutboundRecord.deadLetter(new DeadLetter("malformed:invalid_json", "{oops", 1L, "test", 9), 1_024));
    offer(5, 8);
    turn();

    assertThat(kafka.history()).extracting(ProducerRecord::topic)
      .containsExactly(TOPIC, TOPIC, TOPIC, TOPIC, TOPIC, DEAD_LETTER_TOPIC, TOPIC, TOPIC, TOPIC);
    List<String> trades = kafka.history().stream().filter(r -> r.topic().equals(TOPIC)).map(KafkaDeliveryTest::ingestId).toList();
    assertThat(trades).containsExactlyElementsOf(ids(0, 8));
    assertThat(new String(kafka.history().get(0).key(), StandardCharsets.UTF_8)).isEqualTo("AAA");

    ack(9);
    turn();
    assertThat(delivery.tradesAcked()).isEqualTo(8);
    assertThat(delivery.deadLettersAcked()).isEqualTo(1);
    assertThat(delivery.mode()).isEqualTo(KafkaDelivery.Mode.DIRECT);
    assertThat(disk.stored()).isEmpty();
    assertThat(stats.spilledToDisk.sum()).isZero();
  }

  @Test
  @DisplayName("at most max_in_flight_bytes wait in Kafka's hands; the rest waits in the queue and follows as acknowledgements free room")
  void inFlightWindowIsBounded() {
    start(config(3 * RECORD_BYTES, 1L << 24));
    offer(0, 10);
    turn();
    assertThat(sent()).containsExactlyElementsOf(ids(0, 3));
    assertThat(delivery.queuedBytes()).isPositive();

    ack(2);
    turn();
    assertThat(sent()).containsExactlyElementsOf(ids(0, 5));
    while (sent().size() < 10) {
      ack(1);
      turn();
    }
    assertThat(sent()).containsExactlyElementsOf(ids(0, 10));
    assertThat(disk.stored()).isEmpty();
  }

  // --- outage and replay ---

  @Test
  @DisplayName("no acknowledgement for outage_after_ms: outage, new records go to disk; the first acknowledgement replays them in order, then direct again")
  void outageBySilenceThenReplayInOrder() {
    start();
    offer(0, 3);
    turn();
    assertThat(sent()).containsExactlyElementsOf(ids(0, 3));

    advanceMs(OUTAGE_AFTER_MS);
    turn();
    assertThat(delivery.mode()).as("exactly outage_after_ms is not yet too long").isEqualTo(KafkaDelivery.Mode.DIRECT);
    advanceMs(1);
    turn();
    assertThat(delivery.mode()).isEqualTo(KafkaDelivery.Mode.OUTAGE);
    assertThat(stats.outages.sum()).isEqualTo(1);

    offer(3, 6);
    turn();
    assertThat(sent()).as("records the producer holds stay there; new ones do not join them").hasSize(3);
    assertThat(onDisk()).containsExactlyElementsOf(ids(3, 6));
    assertThat(stats.spilledToDisk.sum()).isEqualTo(3);

    // Kafka is back: one acknowledgement, and a record arriving at the same time goes behind the buffered ones.
    ack(1);
    offer(6, 7);
    turn();
    assertThat(sent()).containsExactlyElementsOf(ids(0, 7));
    assertThat(stats.replayedFromDisk.sum()).isEqualTo(4);
    assertThat(delivery.mode()).as("the disk buffer was read to the end").isEqualTo(KafkaDelivery.Mode.DIRECT);

    ack(6);
    turn();
    assertThat(disk.isEmpty()).as("acknowledged records leave the disk buffer").isTrue();
    offer(7, 8);
    turn();
    assertThat(sent()).containsExactlyElementsOf(ids(0, 8));
    assertThat(delivery.tradesAcked()).isEqualTo(7);
  }

  @Test
  @DisplayName("every symbol keeps its order across an outage: what Kafka held, what went to disk, and what came after")
  void perSymbolOrderAcrossAnOutage() {
    start(config(4 * RECORD_BYTES, 1L << 24));
    offer(0, 10); // 4 sent, 6 queued
    turn();
    advanceMs(OUTAGE_AFTER_MS + 1);
    turn(); // outage: the 6 queued go to disk
    offer(10, 14);
    turn();
    ack(4);
    turn(); // replay
    offer(14, 20);
    for (int i = 0; i < 20 && sent().size() < 20; i++) {
      ack(kafka.history().size() - (int) delivery.tradesAcked());
      turn();
    }

    Map<String, List<String>> bySymbol = new LinkedHashMap<>();
    for (ProducerRecord<byte[], byte[]> r : kafka.history()) {
      bySymbol.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>()).add(ingestId(r));
    }
    List<String> aaa = new ArrayList<>();
    List<String> bbb = new ArrayList<>();
    for (String id : ids(0, 20)) {
      (Integer.parseInt(id.substring(3)) % 2 == 0 ? aaa : bbb).add(id);
    }
    assertThat(bySymbol.get("AAA")).containsExactlyElementsOf(aaa);
    assertThat(bySymbol.get("BBB")).containsExactlyElementsOf(bbb);
  }

  @Test
  @DisplayName("sends refused for outage_after_ms: outage; once nothing is outstanding a probe sends the oldest buffered record, and its acknowledgement starts the replay")
  void outageByRefusalThenProbe() {
    start();
    kafka.sendException = new TimeoutException("Topic trades not present in metadata after 0 ms.");
    offer(0, 3);
    turn();
    assertThat(sent()).isEmpty();
    assertThat(delivery.mode()).isEqualTo(KafkaDelivery.Mode.DIRECT);
    assertThat(delivery.queuedBytes()).as("a refused record waits in the queue").isPositive();

    advanceMs(OUTAGE_AFTER_MS);
    turn();
    assertThat(delivery.mode()).isEqualTo(KafkaDelivery.Mode.OUTAGE);
    assertThat(onDisk()).containsExactlyElementsOf(ids(0, 3));
    assertThat(stats.lastError).contains("refused").contains("not present in metadata");

    kafka.sendException = null;
    turn();
    assertThat(sent()).as("no probe before the probe interval").isEmpty();
    advanceMs(OUTAGE_AFTER_MS);
    turn();
    assertThat(sent()).as("one probe").containsExactly("id-000");
    assertThat(delivery.mode()).isEqualTo(KafkaDelivery.Mode.OUTAGE);

    ack(1);
    turn();
    assertThat(sent()).containsExactlyElementsOf(ids(0, 3));
    assertThat(delivery.mode()).isEqualTo(KafkaDelivery.Mode.DIRECT);
  }

  @Test
  @DisplayName("a record the producer accepted and then failed goes to disk to be sent again, and counts as an outage")
  void failedAfterAcceptingIsRequeued() {
    start();
    offer(0, 2);
    turn();
    assertThat(kafka.errorNext(new NetworkException("connection lost"))).isTrue();
    turn();
    assertThat(stats.requeued.sum()).isEqualTo(1);
    assertThat(delivery.mode()).isEqualTo(KafkaDelivery.Mode.OUTAGE);
    assertThat(onDisk()).containsExactly("id-000");

    ack(1);
    turn();
    assertThat(sent()).containsExactly("id-000", "id-001", "id-000");
    assertThat(stats.failed.sum()).isZero();
  }

  @Test
  @DisplayName("past queue_max_bytes with the window full, the overflow goes to disk and comes back in order once Kafka acknowledges")
  void queueOverflowGoesToDisk() {
    start(config(2 * RECORD_BYTES, 4 * DeliveryQueue.TRADE_ESTIMATE_BYTES));
    offer(0, 10);
    turn();
    assertThat(sent()).containsExactlyElementsOf(ids(0, 2));
    assertThat(delivery.mode()).isEqualTo(KafkaDelivery.Mode.REPLAYING);
    assertThat(onDisk()).containsExactlyElementsOf(ids(2, 10));
    assertThat(delivery.queuedBytes()).isZero();

    while (sent().size() < 10) {
      ack(1);
      turn();
    }
    assertThat(sent()).containsExactlyElementsOf(ids(0, 10));
    assertThat(delivery.mode()).isEqualTo(KafkaDelivery.Mode.DIRECT);
  }

  // --- nothing silent ---

  @Test
  @DisplayName("a record Kafka rejects for good is counted as failed and not retried; the next ones go on")
  void permanentRejection() {
    start();
    kafka.sendException = new RecordTooLargeException("too large");
    offer(0, 1);
    turn();
    kafka.sendException = null;
    offer(1, 3);
    turn();
    assertThat(stats.failed.sum()).isEqualTo(1);
    assertThat(sent()).containsExactly("id-001", "id-002");
    assertThat(disk.stored()).isEmpty();
    assertThat(delivery.mode()).isEqualTo(KafkaDelivery.Mode.DIRECT);
  }

  @Test
  @DisplayName("when the disk budget is spent, records are dropped and counted, never silently lost")
  void diskFullDropsAndCounts() {
    disk = new InMemorySpillBuffer(2 * InMemorySpillBuffer.frameBytes(OutboundRecord.trade(trade("AAA", 0))));
    start();
    offer(0, 1);
    turn();
    advanceMs(OUTAGE_AFTER_MS + 1);
    turn();
    assertThat(delivery.mode()).isEqualTo(KafkaDelivery.Mode.OUTAGE);

    offer(1, 6);
    turn();
    assertThat(onDisk()).containsExactlyElementsOf(ids(1, 3));
    assertThat(stats.spilledToDisk.sum()).isEqualTo(2);
    assertThat(stats.dropped.sum()).isEqualTo(3);
    assertThat(delivery.status().diskBuffer().dropped()).isEqualTo(3);

    // A gap record that does not fit is dropped too, but is no trade missing from the trades topic.
    delivery.offer(OutboundRecord.gap(new FeedGap("g-1", "key-1", List.of("AAA"), 1_000, 2_000, "disconnected", "open")));
    turn();
    assertThat(delivery.status().diskBuffer().dropped()).isEqualTo(4);
    assertThat(delivery.status().diskBuffer().droppedTrades()).isEqualTo(3);
  }

  // --- shutdown ---

  @Test
  @DisplayName("at shutdown, what Kafka did not acknowledge by the close timeout goes to disk in order; what it acknowledged does not")
  void shutdownRescuesUnacknowledged() throws Exception {
    start();
    offer(0, 4);
    turn();
    ack(2);
    offer(4, 6); // still queued when close() comes
    var closed = delivery.close(50);
    delivery.shutdown();

    assertThat(closed).isCompleted();
    assertThat(kafka.closed()).isTrue();
    assertThat(sent()).as("the queue is handed over before the producer closes").containsExactlyElementsOf(ids(0, 6));
    assertThat(onDisk()).containsExactlyElementsOf(ids(2, 6));
    assertThat(stats.spilledToDisk.sum()).isEqualTo(4);
    assertThat(disk.closed()).isTrue();
  }

  @Test
  @DisplayName("at shutdown, records read back from disk and not acknowledged stay there once, behind the cursor of those acknowledged")
  void shutdownKeepsUnacknowledgedReplay() throws Exception {
    for (int n = 0; n < 3; n++) {
      disk.append(OutboundRecord.trade(trade("AAA", n)));
    }
    start();
    assertThat(delivery.mode()).isEqualTo(KafkaDelivery.Mode.REPLAYING);
    turn();
    assertThat(sent()).containsExactlyElementsOf(ids(0, 3));
    ack(1);
    delivery.close(50);
    delivery.shutdown();

    assertThat(onDisk()).containsExactlyElementsOf(ids(1, 3));
    assertThat(stats.spilledToDisk.sum()).isZero();
  }

  @Test
  @DisplayName("at shutdown, records from memory sent after a replay are never written ahead of replayed ones still on disk:"
    + " each symbol keeps its order on disk and on the next start")
  void shutdownAfterReplayKeepsPerSymbolOrder() throws Exception {
    bufferedFromEarlierRun(4);
    start();
    // The disk buffer is read to the end, Kafka acknowledged none of it; newer records arrive. Were they sent now,
    // a stop would write them ahead of the replayed ones, which stay on disk behind the cursor.
    turn();
    offer(4, 8);
    turn();
    assertThat(sent()).as("newer records do not overtake the replayed ones in the producer's hands")
      .containsExactlyElementsOf(ids(0, 4));
    ack(1);
    delivery.close(50);
    delivery.shutdown();

    assertThat(onDisk()).as("what the next start reads, in the original order").containsExactlyElementsOf(ids(1, 8));

    MockProducer<byte[], byte[]> nextKafka = new MockProducer<>(true, new ByteArraySerializer(), new ByteArraySerializer());
    InMemorySpillBuffer nextDisk = new InMemorySpillBuffer(1L << 30);
    disk.stored().forEach(nextDisk::append);
    KafkaDelivery next = new KafkaDelivery(config(1L << 20, 1L << 24), nextKafka, nextDisk, new DeliveryStats(), () -> { },
      () -> nowNanos);
    for (int i = 0; i < 5; i++) {
      next.turn(nowNanos);
    }
    Map<String, List<String>> bySymbol = new LinkedHashMap<>();
    for (ProducerRecord<byte[], byte[]> r : nextKafka.history()) {
      bySymbol.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>()).add(ingestId(r));
    }
    assertThat(bySymbol.get("AAA")).containsExactly("id-002", "id-004", "id-006");
    assertThat(bySymbol.get("BBB")).containsExactly("id-001", "id-003", "id-005", "id-007");
  }

  @Test
  @DisplayName("a stop right after an outage, Kafka up: delivery goes on until what was read back from disk is acknowledged,"
    + " then the queue goes to Kafka, and nothing is left on disk")
  void stopAfterReplayFinishesItFirst() throws Exception {
    bufferedFromEarlierRun(4);
    start();
    turn();
    offer(4, 8);
    turn();
    var closed = delivery.close(1_000);
    assertThat(delivery.keepsDelivering(nowNanos)).as("replayed records still in Kafka's hands").isTrue();
    ack(4);
    turn();
    assertThat(delivery.keepsDelivering(nowNanos)).as("all read back and acknowledged").isFalse();
    assertThat(sent()).as("the queue follows, to Kafka").containsExactlyElementsOf(ids(0, 8));
    ack(4);
    delivery.shutdown();

    assertThat(closed).isCompleted();
    assertThat(onDisk()).isEmpty();
    assertThat(stats.spilledToDisk.sum()).isZero();
  }

  @Test
  @DisplayName("a stop while the disk buffer is read back goes on replaying for at most three quarters of the close timeout,"
    + " never during an outage")
  void stopDuringReplayIsBounded() {
    for (int n = 0; n < 4; n++) {
      disk.append(OutboundRecord.trade(trade("AAA", n)));
    }
    start();
    assertThat(delivery.keepsDelivering(nowNanos)).as("before close").isTrue();
    delivery.close(1_000);
    assertThat(delivery.keepsDelivering(nowNanos)).as("replay unfinished").isTrue();
    assertThat(delivery.keepsDelivering(nowNanos + TimeUnit.MILLISECONDS.toNanos(749))).isTrue();
    assertThat(delivery.keepsDelivering(nowNanos + TimeUnit.MILLISECONDS.toNanos(750))).as("past 3/4 of the timeout").isFalse();

    turn();
    advanceMs(OUTAGE_AFTER_MS + 1);
    turn();
    assertThat(delivery.mode()).isEqualTo(KafkaDelivery.Mode.OUTAGE);
    assertThat(delivery.keepsDelivering(nowNanos - TimeUnit.MILLISECONDS.toNanos(OUTAGE_AFTER_MS)))
      .as("Kafka away: straight to the rescue").isFalse();
  }

  @Test
  @DisplayName("once the disk buffer is read to the end, new records wait in the queue until Kafka acknowledged what was read back, then go to Kafka")
  void directOnlyAfterReplayAcknowledged() {
    disk.append(OutboundRecord.trade(trade("AAA", 0)));
    disk.append(OutboundRecord.trade(trade("AAA", 1)));
    start();
    turn();
    assertThat(delivery.mode()).as("read to the end").isEqualTo(KafkaDelivery.Mode.DIRECT);
    offer(2, 4);
    turn();
    assertThat(sent()).containsExactlyElementsOf(ids(0, 2));
    assertThat(delivery.queuedBytes()).as("they wait in memory").isPositive();
    assertThat(onDisk()).as("not on disk").containsExactlyElementsOf(ids(0, 2));

    ack(1);
    turn();
    assertThat(sent()).as("one read back is still not acknowledged").containsExactlyElementsOf(ids(0, 2));
    ack(1);
    turn();
    assertThat(sent()).containsExactlyElementsOf(ids(0, 4));
    assertThat(delivery.queuedBytes()).isZero();
    assertThat(disk.isEmpty()).isTrue();
  }

  @Test
  @DisplayName("at shutdown during an outage, the queue goes to disk behind what is buffered, without waiting for Kafka")
  void shutdownDuringOutage() throws Exception {
    start();
    offer(0, 2);
    turn();
    advanceMs(OUTAGE_AFTER_MS + 1);
    turn();
    offer(2, 4);
    turn();
    offer(4, 5);
    delivery.close(50);
    delivery.shutdown();

    assertThat(onDisk()).as("the producer's records first, then the buffered ones, then the queue")
      .containsExactlyElementsOf(concat(ids(0, 2), ids(2, 5)));
    assertThat(sent()).containsExactlyElementsOf(ids(0, 2));
  }

  @Test
  @DisplayName("at shutdown with the disk budget spent, undelivered records are dropped and counted")
  void shutdownWithDiskFull() throws Exception {
    disk = new InMemorySpillBuffer(InMemorySpillBuffer.frameBytes(OutboundRecord.trade(trade("AAA", 0))));
    start();
    offer(0, 3);
    turn();
    delivery.close(50);
    delivery.shutdown();

    assertThat(onDisk()).containsExactly("id-000");
    assertThat(stats.spilledToDisk.sum()).isEqualTo(1);
    assertThat(stats.dropped.sum()).isEqualTo(2);
    assertThat(stats.droppedTrades.sum()).as("both were trades: missing from the trades topic").isEqualTo(2);
  }

  @Test
  @DisplayName("after a pause is asked, the writer hears once, when the queue is down to the low watermark")
  void drainedNotification() {
    KafkaConfig config = config(2 * RECORD_BYTES, 12 * RECORD_BYTES);
    long low = config.delivery().queueLowWatermarkBytes();
    start(config);
    offer(0, 10);
    delivery.notifyWhenDrained();
    turn();
    assertThat(delivery.queuedBytes()).isGreaterThan(low);
    assertThat(drained).isZero();
    while (sent().size() < 10) {
      ack(1);
      turn();
      assertThat(drained).isEqualTo(delivery.queuedBytes() <= low ? 1 : 0);
    }
    assertThat(drained).isEqualTo(1);
  }
}
