package dev.finnhubstream.reshard;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a re-sharding pass every {@link ReshardVerticle#TICK_MS}, one at a time: a tick that finds the previous pass
 * still running is skipped, so each pass starts from what the last one did. A failed pass is logged and retried at
 * the next tick. Used by both re-sharding verticles, on their own context.
 */
public final class PeriodicPass {

  private static final Logger LOGGER = LoggerFactory.getLogger(PeriodicPass.class);

  private final Vertx vertx;
  private final long timer;
  private boolean busy;

  private PeriodicPass(Vertx vertx, Supplier<Future<Void>> pass) {
    this.vertx = vertx;
    this.timer = vertx.setPeriodic(ReshardVerticle.TICK_MS, id -> {
      if (busy) {
        return;
      }
      busy = true;
      pass.get().onComplete(ar -> {
        busy = false;
        if (ar.failed()) {
          LOGGER.warn("Re-sharding pass failed, retried in {} ms: {}", ReshardVerticle.TICK_MS, ar.cause().getMessage());
        }
      });
    });
  }

  /** Starts the passes; call from the verticle's start. */
  public static PeriodicPass start(Vertx vertx, Supplier<Future<Void>> pass) {
    return new PeriodicPass(vertx, pass);
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }
}
