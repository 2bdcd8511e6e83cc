package dev.finnhubstream.metrics;

import dev.finnhubstream.FinnhubStreamApplication;
import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.Backpressure;
import dev.finnhubstream.bus.BusObservers;
import dev.finnhubstream.bus.DeadLetter;
import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.bus.TradeBatch;
import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.ingest.ConnectionSnapshot;
import dev.finnhubstream.ingest.FinnhubWebSocketVerticle;
import dev.finnhubstream.market.MarketStatus;
import dev.finnhubstream.ha.HaStatus;
import dev.finnhubstream.market.Markets;
import dev.finnhubstream.sink.SinkStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what flows through the service into Micrometer meters (Prometheus) and into the per-symbol,
 * per-address and throughput view of {@code /status} ({@link MetricsStatus}). It holds no reference to another
 * verticle: trades and dead letters are observed as they are published, through {@link BusObservers} (on the
 * publisher's thread, with thread-safe meters: see there why), backpressure signals are consumed, and once a
 * second it asks every Finnhub connection, the Kafka writer and the market-hours poller for their status.
 * Vert.x's own event-bus, HTTP and pool meters land in the same registry when Vert.x was created by
 * {@link VertxMetricsSetup}.
 *
 * <p>Cardinality: the {@code symbol} label only takes the configured symbols, plus {@code other}; the
 * {@code reason} label of dead letters at most {@link #MAX_REASONS} values, plus {@code other}.
 */
public final class MetricsVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(MetricsVerticle.class);
  /** Label value for symbols outside the configured list (added at runtime, or unexpected). */
  public static final String OTHER_SYMBOL = "other";
  static final int MAX_REASONS = 50;
  private static final long TICK_MS = 1_000;
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(2_000);

  private final AppConfig config;
  private final BusObservers busObservers;
  private final List<String> connections = new ArrayList<>();
  private final SymbolBoard board = new SymbolBoard();
  private final ThroughputHistory throughput = new ThroughputHistory();
  private final ProducerHealth producerHealth = new ProducerHealth();
  private final Map<String, Counter> receivedBySymbol = new HashMap<>();
  private final Map<String, Counter> deadLettersByReason = new ConcurrentHashMap<>();
  private final LongAdder tradesReceived = new LongAdder();
  private final BusObservers.Observer observer = this::observe;

  private PrometheusMeterRegistry registry;
  /** The coordinator's latest answer (several instances), read by the gauges. */
  private volatile HaStatus haStatus;
  private boolean vertxMetrics;
  private MeterSet meters;
  private IngestMeters ingestMeters;
  private SinkMeters sinkMeters;
  private EventBusStats eventBusStats;
  private Counter receivedOther;
  private Timer feedLag;
  private Counter negativeLag;
  /** The latest answers; {@code null} before the first (and the market's again when the poller does not answer). */
  private SinkStatus sinkStatus;
  private MarketStatus marketStatus;
  private Backpressure backpressure;
  private long backpressureSinceMs;
  private long tick = -1;

  /** @param busObservers where to observe trades and dead letters as they are published (see MainVerticle) */
  public MetricsVerticle(AppConfig config, BusObservers busObservers) {
    this.config = config;
    this.busObservers = busObservers;
    for (int i = 0; i < config.finnhub().connectionCount(); i++) {
      connections.add(FinnhubWebSocketVerticle.connectionName(i));
    }
  }

  @Override
  public Future<?> start() {
    registry = VertxMetricsSetup.registry();
    vertxMetrics = registry != null;
    if (!vertxMetrics) {
      LOGGER.info("Vert.x was created without metrics: /metrics shows the service's and the JVM's meters only");
      registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      new JvmMemoryMetrics().bindTo(registry);
      new JvmGcMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);
    }
    if (registry.find("process.files.open").gauge() == null) {
      new FileDescriptorMetrics().bindTo(registry);
    }
    meters = new MeterSet(registry);
    registerMeters();
    ingestMeters = new IngestMeters(meters, connections);
    sinkMeters = new SinkMeters(meters, config.finnhub().symbols());
    eventBusStats = new EventBusStats(registry);

    var bus = vertx.eventBus();
    busObservers.add(observer);
    List<MessageConsumer<?>> consumers = List.of(
      bus.<Backpressure>consumer(Addresses.BACKPRESSURE, msg -> {
        backpressure = msg.body();
        backpressureSinceMs = System.currentTimeMillis();
      }),
      bus.consumer(Addresses.STATUS_METRICS, msg -> msg.reply(status())),
      bus.consumer(Addresses.METRICS_SCRAPE, msg -> msg.reply(registry.scrape())));
    tick = vertx.setPeriodic(TICK_MS, id -> onTick());
    return Future.join(consumers.stream().map(MessageConsumer::completion).toList());
  }

  @Override
  public Future<?> stop() {
    busObservers.remove(observer);
    vertx.cancelTimer(tick);
    sinkMeters.close();
    meters.removeAll();
    return Future.succeededFuture();
  }

  private void registerMeters() {
    for (String symbol : config.finnhub().symbols()) {
      receivedBySymbol.put(symbol, meters.add(Counter.builder("finnhub.trades.received")
        .description("Trades received from Finnhub, per configured symbol").tag("symbol", symbol).register(registry)));
      meters.add(Gauge.builder("finnhub.trade.age", board, b -> b.ageSeconds(symbol, System.currentTimeMillis()))
        .description("Seconds since the symbol's latest trade reached us (NaN before the first)").baseUnit("seconds")
        .tag("symbol", symbol).register(registry));
      meters.add(Gauge.builder("finnhub.market.open", this, m -> openAsNumber(Markets.isOpen(symbol, m.marketStatus)))
        .description("1 while the symbol's market is open, 0 while closed, NaN when unknown (market hours off)")
        .tag("symbol", symbol).register(registry));
    }
    receivedOther = meters.add(Counter.builder("finnhub.trades.received")
      .description("Trades received from Finnhub, per configured symbol").tag("symbol", OTHER_SYMBOL).register(registry));
    feedLag = meters.add(Timer.builder("finnhub.feed.lag")
      .description("Receive time minus trade time (received_at_ms - trade_ts_ms): Finnhub's delay plus ours up to the socket")
      .serviceLevelObjectives(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2_500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60))
      .register(registry));
    negativeLag = meters.add(Counter.builder("finnhub.feed.lag.negative")
      .description("Trades stamped later than we received them (clock skew); counted as zero lag").register(registry));
    meters.add(Gauge.builder("finnhub.backpressure.paused", this, m -> m.backpressure != null && m.backpressure.paused() ? 1 : 0)
      .description("1 while the Kafka side asks Finnhub reading to pause").register(registry));
    meters.add(Gauge.builder("finnhub.kafka.healthy", producerHealth, h -> h.healthy() ? 1 : 0)
      .description("1 while the Kafka producer acknowledges (see /ready)").register(registry));
    // Several instances (docs/ha.md): NaN while the coordinator has not answered yet.
    meters.add(Gauge.builder("finnhub.ha.owned.keys", this, m -> m.haStatus == null ? Double.NaN : m.haStatus.ownedConnections().size())
      .description("Finnhub keys this instance holds (several instances; all of them alone)").register(registry));
    meters.add(Gauge.builder("finnhub.ha.lease.age", this, m -> m.haStatus == null || m.haStatus.leaseAgeMs() < 0 ? Double.NaN
        : m.haStatus.leaseAgeMs() / 1000.0)
      .description("Seconds since this instance last proved its group membership").baseUnit("seconds").register(registry));
    meters.add(Gauge.builder("finnhub.ha.lease.fresh", this, m -> m.haStatus == null ? Double.NaN : m.haStatus.leaseFresh() ? 1 : 0)
      .description("1 while the lease allows opening connections").register(registry));
    meters.add(FunctionCounter.builder("finnhub.ha.takeovers", this, m -> m.haStatus == null ? 0 : m.haStatus.takeovers())
      .description("Keys this instance took over from another").register(registry));
    meters.add(FunctionCounter.builder("finnhub.ha.rebalances", this, m -> m.haStatus == null ? 0 : m.haStatus.rebalances())
      .description("Group rebalances this instance went through").register(registry));
    for (String state : List.of("DISABLED", "JOINING", "STANDBY", "OWNER", "FENCED", "DIVERGED", "ERROR")) {
      meters.add(Gauge.builder("finnhub.ha.state", this, m -> m.haStatus != null && state.equals(m.haStatus.state()) ? 1 : 0)
        .description("1 for the coordinator's current state").tag("state", state).register(registry));
    }
    meters.add(Gauge.builder("finnhub.build.info", () -> 1).description("Build of the running service")
      .tag("version", FinnhubStreamApplication.version()).register(registry));
  }

  /** Runs on the publisher's thread (several Finnhub connections may publish at once): thread-safe meters only. */
  private void observe(String address, boolean publish, Object body) {
    if (body instanceof TradeBatch batch && Addresses.TRADES.equals(address)) {
      onTrades(batch);
    } else if (body instanceof DeadLetter deadLetter && Addresses.DEAD_LETTERS.equals(address)) {
      onDeadLetter(deadLetter);
    }
  }

  private void onTrades(TradeBatch batch) {
    for (Trade t : batch.trades()) {
      board.onTrade(t);
      receivedBySymbol.getOrDefault(t.symbol(), receivedOther).increment();
      long lag = t.receivedAtMs() - t.tradeTsMs();
      if (lag < 0) {
        negativeLag.increment();
      }
      feedLag.record(Math.max(0, lag), java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    tradesReceived.add(batch.trades().size());
  }

  private void onDeadLetter(DeadLetter deadLetter) {
    Counter counter = deadLettersByReason.get(deadLetter.reason());
    if (counter == null) {
      String reason = deadLettersByReason.size() < MAX_REASONS ? deadLetter.reason() : "other";
      counter = deadLettersByReason.computeIfAbsent(reason, r -> meters.add(Counter.builder("finnhub.dead.letters")
        .description("Frames and trade elements that could not become trades, by reason").tag("reason", r).register(registry)));
    }
    counter.increment();
  }

  private void onTick() {
    long now = System.currentTimeMillis();
    this.<HaStatus>ask(Addresses.STATUS_HA).onSuccess(h -> haStatus = h);
    for (String c : connections) {
      this.<ConnectionSnapshot>ask(Addresses.statusIngest(c)).onSuccess(s -> ingestMeters.update(c, s));
    }
    this.<SinkStatus>ask(Addresses.STATUS_SINK).onComplete(ar -> {
      if (ar.succeeded()) {
        sinkStatus = ar.result();
        sinkMeters.update(sinkStatus);
        producerHealth.onReply(sinkStatus, System.currentTimeMillis());
      } else {
        producerHealth.onNoReply(ar.cause().getMessage());
      }
    });
    this.<MarketStatus>ask(Addresses.STATUS_MARKET).onComplete(ar -> marketStatus = ar.succeeded() ? ar.result() : null);
    if (vertxMetrics) {
      eventBusStats.sample();
    }
    throughput.sample(tradesReceived.sum(), sinkStatus == null ? -1 : sinkStatus.acked(), now);
  }

  private <T> Future<T> ask(String address) {
    return vertx.eventBus().<T>request(address, null, ASK).map(Message::body);
  }

  private MetricsStatus status() {
    long now = System.currentTimeMillis();
    Map<String, Long> deadLetters = new HashMap<>();
    long deadLetterTotal = 0;
    for (Map.Entry<String, Counter> e : deadLettersByReason.entrySet()) {
      deadLetters.put(e.getKey(), (long) e.getValue().count());
      deadLetterTotal += (long) e.getValue().count();
    }
    return new MetricsStatus(vertxMetrics, symbolRows(now), vertxMetrics ? eventBusStats.snapshot() : null, throughput.snapshot(),
      tradesReceived.sum(), new MetricsStatus.DeadLetters(deadLetterTotal, deadLetters), producerHealth.status(),
      new MetricsStatus.Backpressure(backpressure != null && backpressure.paused(), backpressure == null ? null : backpressure.reason(),
        backpressure == null ? null : backpressureSinceMs));
  }

  /** One row per symbol: the configured ones in order, then any a connection holds beyond them (added at runtime). */
  private List<MetricsStatus.SymbolRow> symbolRows(long now) {
    Map<String, String[]> holders = new LinkedHashMap<>();
    for (String c : connections) {
      ConnectionSnapshot s = ingestMeters.snapshot(c);
      if (s == null) {
        continue;
      }
      s.subscribed().forEach(sym -> holders.put(sym, new String[] {c, "subscribed"}));
      s.pending().forEach(sym -> holders.put(sym, new String[] {c, "pending"}));
      s.refused().keySet().forEach(sym -> holders.put(sym, new String[] {c, "refused"}));
      s.overCap().keySet().forEach(sym -> holders.put(sym, new String[] {c, "over_cap"}));
    }
    List<String> order = new ArrayList<>(config.finnhub().symbols());
    holders.keySet().stream().filter(s -> !order.contains(s)).sorted().forEach(order::add);
    List<MetricsStatus.SymbolRow> rows = new ArrayList<>();
    for (String symbol : order) {
      String[] holder = holders.get(symbol);
      rows.add(board.row(symbol, holder == null ? null : holder[0], holder == null ? null : holder[1],
        Markets.isOpen(symbol, marketStatus), config.marketHours().staleAfterMs(), now));
    }
    return rows;
  }

  private static double openAsNumber(Boolean open) {
    return open == null ? Double.NaN : open ? 1 : 0;
  }
}
