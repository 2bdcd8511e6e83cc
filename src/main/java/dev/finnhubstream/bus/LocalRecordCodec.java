package dev.finnhubstream.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Codec for immutable records that only ever travel inside this process (control and dead-letter
 * messages): the instance is handed over as is. The service is not clustered; should it ever be, the wire
 * methods fail loudly instead of silently sending something half-encoded.
 */
public final class LocalRecordCodec<T extends Record> implements MessageCodec<T, T> {

  private final Class<T> type;

  private LocalRecordCodec(Class<T> type) {
    this.type = type;
  }

  /** Registers the codec as the default for {@code type}; idempotent, like {@link TradeBatchCodec#registerOnce}. */
  public static <T extends Record> void registerOnce(EventBus eventBus, Class<T> type) {
    try {
      eventBus.registerDefaultCodec(type, new LocalRecordCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // registered by an earlier deployment in this Vert.x instance
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    throw new UnsupportedOperationException(type.getSimpleName() + " is a local-only event-bus message");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(type.getSimpleName() + " is a local-only event-bus message");
  }

  @Override
  public T transform(T value) {
    return value;
  }

  @Override
  public String name() {
    return "finnhub-stream.local." + type.getSimpleName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
