package dev.finnhubstream.bus;

import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;
import java.util.Arrays;

/**
 * What runs inside {@code eventBus().publish()} and {@code send()}: observers called on the sender's thread (for
 * trades, a Finnhub connection's event loop) before the message is handed to its consumers. MainVerticle creates
 * one instance and gives it to the two verticles that observe: the metrics verticle counts trades and dead
 * letters where they are published, and the status endpoint's {@code /debug/eventbus} tap keeps the latest
 * messages of every address.
 *
 * <p>Why observe at the publisher rather than consume: a second consumer of every trade batch would cost a
 * hand-over to another event loop per message, and on two cores that delayed the Kafka writer enough that its
 * backpressure took effect too late (BackpressureIT). So an observer must be cheap (it is on the hot path: a
 * few hundred nanoseconds per trade at most) and thread-safe (several connections publish at once).
 *
 * <p>One Vert.x outbound interceptor serves every observer, installed while there is at least one. Observers see
 * the message only, never the delivery: they cannot hold up, alter or drop it.
 */
public final class BusObservers {

  /** Sees one message on its way out; runs on the sender's thread. */
  @FunctionalInterface
  public interface Observer {
    /**
     * @param address the message's address (Vert.x's reply addresses start with {@code __vertx.})
     * @param publish {@code true} for a publish, {@code false} for a send, request or reply
     * @param body    the message as sent: an immutable record on the service's own addresses
     */
    void observe(String address, boolean publish, Object body);
  }

  private final EventBus eventBus;
  private final Handler<DeliveryContext<Object>> interceptor = this::intercept;
  /** Copied on change (rare: at deployment), read on every message without a lock. */
  private volatile Observer[] observers = new Observer[0];

  public BusObservers(EventBus eventBus) {
    this.eventBus = eventBus;
  }

  public synchronized void add(Observer observer) {
    if (observers.length == 0) {
      eventBus.addOutboundInterceptor(interceptor);
    }
    Observer[] more = Arrays.copyOf(observers, observers.length + 1);
    more[observers.length] = observer;
    observers = more;
  }

  /** Removes {@code observer} (the same instance that was added). */
  public synchronized void remove(Observer observer) {
    observers = Arrays.stream(observers).filter(o -> o != observer).toArray(Observer[]::new);
    if (observers.length == 0) {
      eventBus.removeOutboundInterceptor(interceptor);
    }
  }

  private void intercept(DeliveryContext<Object> ctx) {
    try {
      String address = ctx.message().address();
      boolean publish = !ctx.send();
      Object body = ctx.body();
      for (Observer o : observers) {
        o.observe(address, publish, body);
      }
    } finally {
      ctx.next();
    }
  }
}
