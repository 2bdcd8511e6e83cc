package dev.finnhubstream.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The fixture of the emulator tests: a Vert.x instance, an emulator deployed on it, real WebSocket clients. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
abstract class EmulatorTestBase {

  static final String TOKEN = "test-token";
  static final String OTHER_TOKEN = "other-token";
  static final Duration WAIT = Duration.ofSeconds(10);
  /** Generous enough for a several-MB frame from {@link FinnhubEmulator#sendHugeFrame(int)}. */
  static final int CLIENT_MAX_FRAME_SIZE = 8 << 20;

  Vertx vertx;
  WebSocketClient wsClient;
  FinnhubEmulator emulator;

  @BeforeEach
  void setUpVertx(Vertx vertx) {
    this.vertx = vertx;
    this.wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxFrameSize(CLIENT_MAX_FRAME_SIZE)
      .setMaxMessageSize(CLIENT_MAX_FRAME_SIZE));
  }

  void start(EmulatorOptions options) {
    emulator = new FinnhubEmulator(options);
    vertx.deployVerticle(emulator).await();
  }

  RecordingClient connect(String token) {
    return RecordingClient.connect(wsClient, emulator.actualPort(), token);
  }
}
