package dev.finnhubstream.camelpeer;

import io.vertx.core.VertxOptions;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.vertx.websocket.VertxWebsocketComponent;
import org.apache.camel.main.Main;
import org.apache.camel.processor.aggregate.GroupedMessageAggregationStrategy;

/**
 * Finnhub trades from the WebSocket into Kafka, one JSON record per trade keyed by its symbol: the route a Camel
 * user would write instead of the service, the delivery benchmark's peer (docs/benchmarks.md). Configured by the
 * service's own variables: FINNHUB_URL (ws://host:port), FINNHUB_TOKEN, FINNHUB_SYMBOLS (comma-separated),
 * KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC; producer tuning by KAFKA_LINGER_MS, KAFKA_BATCH_SIZE, KAFKA_COMPRESSION.
 */
public final class FinnhubToKafka extends RouteBuilder {

  /** Consumer and producer of one endpoint share its client connection: the subscriptions go where the trades come from. */
  private static final String FINNHUB = "vertx-websocket:{{env:FINNHUB_URL}}/?token=RAW({{env:FINNHUB_TOKEN}})&consumeAsClient=true";

  public static void main(String[] args) throws Exception {
    Main main = new Main();
    main.configure().addRoutesBuilder(new FinnhubToKafka());
    main.run(args);
  }

  @Override
  public void configure() {
    // The client consumer hands each frame to Vert.x's worker pool unordered (executeBlocking(..., false)): with the
    // default 20 workers two frames of one symbol may reach Kafka in either order. One worker keeps frame order.
    getCamelContext().getComponent("vertx-websocket", VertxWebsocketComponent.class)
      .setVertxOptions(new VertxOptions().setWorkerPoolSize(1));

    from(FINNHUB).routeId("finnhub")
      .unmarshal().json()
      .filter(simple("${body[type]} == 'trade'"))
      // One record per trade, keyed by symbol; the frame's records are grouped again so that the Kafka producer
      // sends them all at once. A plain split().to(kafka) would wait for each record's acknowledgement before the
      // next (Camel's splitter is sequential) and, behind an asynchronous hop, interleave frames out of order.
      .split(simple("${body[data]}"), new GroupedMessageAggregationStrategy())
        .setHeader(KafkaConstants.KEY, simple("${body[s]}"))
        .marshal().json()
      .end()
      // The worker thread waits until an exchange is done: without this hop it would wait for Kafka's
      // acknowledgements frame by frame. SEDA's single consumer thread sends in queue order and does not wait;
      // blockWhenFull pushes back instead of dropping frames when Kafka falls behind.
      .to("seda:records?blockWhenFull=true&size=10000");

    from("seda:records").routeId("kafka")
      // Idempotent, acks=all and at most 5 requests in flight: no duplicate on a retry and the partition's order
      // kept (Camel's defaults too, spelled out). linger.ms, batch.size and lz4 as the service's (conf/app.json):
      // records of one partition are batched over a couple of milliseconds. recordMetadata off: nobody reads it.
      .to("kafka:{{env:KAFKA_TOPIC}}?brokers={{env:KAFKA_BOOTSTRAP_SERVERS}}"
        + "&requestRequiredAcks=all&enableIdempotence=true&maxInFlightRequest=5"
        + "&lingerMs={{env:KAFKA_LINGER_MS:2}}&producerBatchSize={{env:KAFKA_BATCH_SIZE:65536}}"
        + "&compressionCodec={{env:KAFKA_COMPRESSION:lz4}}&recordMetadata=false"
        + "&valueSerializer=org.apache.kafka.common.serialization.ByteArraySerializer");

    // Once, after the consumer connected: one subscribe message per symbol on the consumer's connection. (Camel 4.17
    // does not resend them after a reconnect; later versions have the consumer's connectMessage option.)
    from("timer:subscribe?repeatCount=1&delay=0").routeId("subscribe")
      .setBody(constant("{{env:FINNHUB_SYMBOLS}}"))
      .split(body().tokenize(","))
        .setBody(simple("{\"type\":\"subscribe\",\"symbol\":\"${body.trim()}\"}"))
        .to(FINNHUB);
  }
}
