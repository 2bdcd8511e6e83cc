package dev.finnhubstream.support;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the integration tests that run against the real broker: each test fails at once (never skips)
 * without one, and gets its own Vert.x (for the emulator, a Finnhub stand-in or the service itself) and a
 * scratch directory (for disk buffers and configs).
 */
public abstract class RealBrokerTest {

  protected Vertx vertx;

  @TempDir
  protected Path tmp;

  @BeforeEach
  void startVertx() {
    KafkaTestSupport.requireBroker();
    vertx = Vertx.vertx();
  }

  /** Runs after the subclass's own {@code @AfterEach} methods. */
  @AfterEach
  void closeVertx() {
    if (vertx != null) { // null when the test was skipped before it started
      vertx.close().await();
    }
  }
}
