package dev.finnhubstream.bus;

import io.vertx.core.eventbus.EventBus;

/** Registers the codec of every event-bus record type, once per Vert.x instance. */
public final class Codecs {

  private Codecs() {
  }

  public static void registerAll(EventBus eventBus) {
    TradeBatchCodec.registerOnce(eventBus);
    LocalRecordCodec.registerOnce(eventBus, DeadLetter.class);
    LocalRecordCodec.registerOnce(eventBus, Backpressure.class);
  }
}
