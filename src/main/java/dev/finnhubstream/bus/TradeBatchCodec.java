package dev.finnhubstream.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Event-bus codec for {@link TradeBatch}. Locally the immutable record is handed over as is (no copy);
 * the wire form is JSON so that the codec stays correct if the service is ever clustered.
 */
public final class TradeBatchCodec implements MessageCodec<TradeBatch, TradeBatch> {

  public static final String NAME = "finnhub-stream.trade-batch";

  /**
   * Registers the codec as the default for {@link TradeBatch}. Idempotent, because tests deploy the
   * service several times into one Vert.x instance and a second registration would throw.
   */
  public static void registerOnce(EventBus eventBus) {
    try {
      eventBus.registerDefaultCodec(TradeBatch.class, new TradeBatchCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // registered by an earlier deployment in this Vert.x instance
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, TradeBatch batch) {
    JsonArray trades = new JsonArray();
    for (Trade t : batch.trades()) {
      trades.add(new JsonObject()
        .put("s", t.symbol()).put("t", t.tradeTsMs()).put("p", t.price()).put("v", t.volume())
        .put("c", new JsonArray(new ArrayList<>(t.conditions()))).put("r", t.receivedAtMs()).put("id", t.ingestId()));
    }
    Buffer json = new JsonObject()
      .put("connection", batch.connection()).put("frameSeq", batch.frameSeq())
      .put("receivedAtMs", batch.receivedAtMs()).put("trades", trades).toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public TradeBatch decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    JsonObject json = new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length));
    List<Trade> trades = new ArrayList<>();
    for (Object o : json.getJsonArray("trades")) {
      JsonObject t = (JsonObject) o;
      List<String> conditions = new ArrayList<>();
      t.getJsonArray("c").forEach(c -> conditions.add((String) c));
      trades.add(new Trade(t.getString("s"), t.getLong("t"), t.getDouble("p"), t.getDouble("v"), conditions,
        t.getLong("r"), t.getString("id")));
    }
    return new TradeBatch(json.getString("connection"), json.getLong("frameSeq"), json.getLong("receivedAtMs"), trades);
  }

  @Override
  public TradeBatch transform(TradeBatch batch) {
    return batch; // immutable: safe to share between local consumers
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
