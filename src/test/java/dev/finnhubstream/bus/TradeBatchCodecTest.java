package dev.finnhubstream.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TradeBatchCodecTest {

  private final TradeBatchCodec codec = new TradeBatchCodec();

  @Test
  @DisplayName("the wire form round-trips every field, after a prefix")
  void wireRoundTrip() {
    TradeBatch batch = new TradeBatch("key-1", 42, 1000, List.of(
      new Trade("IC MARKETS:1", 5, 1.2345, 0, List.of(), 1000, "r-42-0"),
      new Trade("AAPL", 6, 129.58, 0.5, List.of("1", "12"), 1000, "r-42-1")));
    Buffer buffer = Buffer.buffer().appendString("xyz");
    codec.encodeToWire(buffer, batch);
    assertThat(codec.decodeFromWire(3, buffer)).isEqualTo(batch);
  }

  @Test
  @DisplayName("local delivery shares the immutable instance instead of copying it")
  void localTransformIsIdentity() {
    TradeBatch batch = new TradeBatch("key-1", 1, 1, List.of());
    assertThat(codec.transform(batch)).isSameAs(batch);
  }
}
