package dev.finnhubstream.gaps;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.FeedGap;
import dev.finnhubstream.market.MarketStatus;
import dev.finnhubstream.market.Markets;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes the gaps the connections' {@link GapTracker}s report ({@link Addresses#GAP_EVENTS}) and hands the closed
 * ones to the Kafka writer ({@link Addresses#GAPS}):
 *
 * <ul>
 *   <li>a gap "since this run started" ({@link GapReason#STARTING}) really began when the previous run ended: the
 *       Kafka writer read that from the disk buffer at its start ({@link PreviousRunEnd}: the crashed run's last
 *       checkpoint, or the clean stop's time), so such a gap is moved back there and takes its reason;</li>
 *   <li>whether a market of the gap's symbols was open ({@link Markets} with the market-hours poller's answer, read
 *       every {@link #MARKET_POLL_MS}) at the gap's start or at its end;</li>
 *   <li>the gap id, from the completed fields.</li>
 * </ul>
 *
 * <p>It keeps the open gaps and counts the closed ones for {@code /status}. Deployed after the Kafka writer and
 * before the connections, stopped after them and before the writer: the gaps the connections close when they stop
 * pass through it on their way to the writer, and it tells the writer when they stopped, the start of the next
 * run's {@link GapReason#SERVICE_STOPPED} gaps.
 */
public final class GapVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(GapVerticle.class);
  static final int RECENT = 20;
  static final long MARKET_POLL_MS = 10_000;
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(5_000);

  /** A symbol's open gap as completed here: the market state at its start is kept for the closed record. */
  private record OpenSymbol(long fromMs, String reason, String marketAtStart) {
  }

  private final Map<String, Map<String, OpenSymbol>> open = new LinkedHashMap<>();
  private final Map<String, Long> closedByReason = new HashMap<>();
  private final Map<String, Long> closedMsByReason = new HashMap<>();
  private final ArrayDeque<FeedGap> recent = new ArrayDeque<>();
  private PreviousRunEnd previousRun = PreviousRunEnd.UNKNOWN;
  private MarketStatus market;
  private MessageConsumer<FeedGap> events;
  private MessageConsumer<Void> status;
  private long marketTimer = -1;

  @Override
  public Future<?> start() {
    Future<PreviousRunEnd> previous = vertx.eventBus().<PreviousRunEnd>request(Addresses.PREVIOUS_RUN_END, null, ASK)
      .map(Message::body)
      .recover(e -> {
        LOGGER.warn("The Kafka writer did not say how the previous run ended ({}); gaps before this run's start are not recorded", e.toString());
        return Future.succeededFuture(PreviousRunEnd.UNKNOWN);
      });
    // The first market answer before the first gap, so that a gap open at start-up knows its market.
    return previous.compose(p -> pollMarket().map(p)).compose(p -> {
      previousRun = p;
      if (p.reason() != null) {
        LOGGER.info("The previous run ended {} at {}: symbols count as without subscription since then until subscribed again",
          p.reason().wire(), p.atMs());
      }
      marketTimer = vertx.setPeriodic(MARKET_POLL_MS, id -> pollMarket());
      events = vertx.eventBus().consumer(Addresses.GAP_EVENTS, msg -> onEvent(msg.body()));
      status = vertx.eventBus().consumer(Addresses.STATUS_GAPS, msg -> msg.reply(status()));
      return Future.join(events.completion(), status.completion());
    });
  }

  /** Runs once every connection is closed (see MainVerticle): the service stopped streaming now. */
  @Override
  public Future<?> stop() {
    vertx.eventBus().publish(Addresses.SOURCES_STOPPED, System.currentTimeMillis());
    vertx.cancelTimer(marketTimer);
    return Future.join(events.unregister(), status.unregister());
  }

  /** Completes either way: without an answer the market stays unknown. */
  private Future<Void> pollMarket() {
    return vertx.eventBus().<MarketStatus>request(Addresses.STATUS_MARKET, null, ASK)
      .onSuccess(msg -> market = msg.body())
      .<Void>mapEmpty()
      .otherwiseEmpty();
  }

  private void onEvent(FeedGap event) {
    FeedGap gap = backdated(event);
    Map<String, OpenSymbol> ofConnection = open.computeIfAbsent(gap.connection(), c -> new LinkedHashMap<>());
    if (gap.open()) {
      gap.symbols().forEach(s -> ofConnection.put(s, new OpenSymbol(gap.fromMs(), gap.reason(), marketState(List.of(s)))));
      return;
    }
    String marketAtStart = null;
    for (String s : gap.symbols()) {
      OpenSymbol o = ofConnection.remove(s);
      marketAtStart = combine(marketAtStart, o == null ? "unknown" : o.marketAtStart);
    }
    String marketOpen = combine(marketAtStart, marketState(gap.symbols()));
    FeedGap complete = new FeedGap(GapTracker.gapId(gap.connection(), gap.symbols(), gap.fromMs(), gap.toMs(), gap.reason()),
      gap.connection(), gap.symbols(), gap.fromMs(), gap.toMs(), gap.reason(), marketOpen);
    closedByReason.merge(complete.reason(), 1L, Long::sum);
    closedMsByReason.merge(complete.reason(), complete.toMs() - complete.fromMs(), Long::sum);
    recent.addFirst(complete);
    while (recent.size() > RECENT) {
      recent.removeLast();
    }
    LOGGER.info("[{}] feed gap of {} ms ({}, market {}): {}", complete.connection(), complete.toMs() - complete.fromMs(),
      complete.reason(), marketOpen, complete.symbols());
    vertx.eventBus().publish(Addresses.GAPS, complete);
  }

  /** A gap since this run's start began when the previous run ended, if the disk buffer knows when. */
  private FeedGap backdated(FeedGap g) {
    if (!GapReason.STARTING.wire().equals(g.reason()) || previousRun.reason() == null || previousRun.atMs() > g.fromMs()) {
      return g;
    }
    return new FeedGap(null, g.connection(), g.symbols(), previousRun.atMs(), g.toMs(), previousRun.reason().wire(), null);
  }

  /** {@code open} when a market of the symbols is open now, {@code closed} when every one is known closed, else {@code unknown}. */
  private String marketState(List<String> symbols) {
    boolean allClosed = true;
    for (String s : symbols) {
      Boolean isOpen = Markets.isOpen(s, market);
      if (Boolean.TRUE.equals(isOpen)) {
        return "open";
      }
      allClosed &= Boolean.FALSE.equals(isOpen);
    }
    return allClosed ? "closed" : "unknown";
  }

  /** Open at either end wins; closed only when known closed at both. */
  static String combine(String a, String b) {
    if (a == null) {
      return b;
    }
    if ("open".equals(a) || "open".equals(b)) {
      return "open";
    }
    return "closed".equals(a) && "closed".equals(b) ? "closed" : "unknown";
  }

  private GapStatus status() {
    List<FeedGap> openGaps = new ArrayList<>();
    open.forEach((connection, symbols) -> {
      Map<OpenSymbol, List<String>> grouped = new LinkedHashMap<>();
      symbols.forEach((s, o) -> grouped.computeIfAbsent(o, k -> new ArrayList<>()).add(s));
      grouped.forEach((o, list) -> openGaps.add(new FeedGap(null, connection, list, o.fromMs, FeedGap.OPEN, o.reason, o.marketAtStart)));
    });
    openGaps.sort(Comparator.comparingLong(FeedGap::fromMs));
    return new GapStatus(previousRun, openGaps, closedByReason, closedMsByReason, List.copyOf(recent));
  }
}
