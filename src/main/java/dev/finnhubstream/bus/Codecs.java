package dev.finnhubstream.bus;

import dev.finnhubstream.ingest.ConnectionSnapshot;
import dev.finnhubstream.ingest.SymbolChange;
import dev.finnhubstream.ingest.SymbolChangeResult;
import dev.finnhubstream.gaps.GapStatus;
import dev.finnhubstream.gaps.PreviousRunEnd;
import dev.finnhubstream.ha.HaStatus;
import dev.finnhubstream.ingest.SlotCommand;
import dev.finnhubstream.market.MarketStatus;
import dev.finnhubstream.metrics.MetricsStatus;
import dev.finnhubstream.sink.SinkStatus;
import io.vertx.core.eventbus.EventBus;

/**
 * Registers the codec of every event-bus record type, once per Vert.x instance: the messages of this package, and
 * the requests and replies of the verticles, each declared next to the verticle that answers (JSON only at the
 * HTTP edge).
 */
public final class Codecs {

  private Codecs() {
  }

  public static void registerAll(EventBus eventBus) {
    TradeBatchCodec.registerOnce(eventBus);
    LocalRecordCodec.registerOnce(eventBus, DeadLetter.class);
    LocalRecordCodec.registerOnce(eventBus, Backpressure.class);
    LocalRecordCodec.registerOnce(eventBus, FeedGap.class);
    LocalRecordCodec.registerOnce(eventBus, GapStatus.class);
    LocalRecordCodec.registerOnce(eventBus, PreviousRunEnd.class);
    LocalRecordCodec.registerOnce(eventBus, ConnectionSnapshot.class);
    LocalRecordCodec.registerOnce(eventBus, SymbolChange.class);
    LocalRecordCodec.registerOnce(eventBus, SymbolChangeResult.class);
    LocalRecordCodec.registerOnce(eventBus, SinkStatus.class);
    LocalRecordCodec.registerOnce(eventBus, MetricsStatus.class);
    LocalRecordCodec.registerOnce(eventBus, MarketStatus.class);
    LocalRecordCodec.registerOnce(eventBus, SlotCommand.class);
    LocalRecordCodec.registerOnce(eventBus, HaStatus.class);
  }
}
