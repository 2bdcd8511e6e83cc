package dev.finnhubstream.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Limits of the status endpoint against hostile or broken clients (README, "Guarantees"): request line and headers
 * are capped (414 and 431 before any handler runs), a silent connection is closed after {@link #IDLE_TIMEOUT_S}, and a
 * connection that has not delivered a complete request head within {@link #REQUEST_HEAD_TIMEOUT_MS} of opening (or of
 * its previous response) is closed, so slowloris clients dribbling header bytes cannot hold connections open. A
 * long-lived answer (an event-bus tap) is exempt while it lasts: its request head arrived.
 *
 * <p>Runs on the HTTP verticle's event loop only, so its map needs no locking.
 */
final class SlowClientGuard {

  /** Longest request line (method, path, query, version): longer is answered 414. */
  static final int MAX_INITIAL_LINE_BYTES = 4096;
  /** All request headers together: more is answered 431. */
  static final int MAX_HEADER_BYTES = 8192;
  /** A connection with no byte read or written for this long is closed (taps write a keepalive every 15 s). */
  static final int IDLE_TIMEOUT_S = 60;
  /** From connection open, or from the end of the previous response, until the next request head is complete. */
  static final long REQUEST_HEAD_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final Map<HttpConnection, Long> deadlines = new HashMap<>();
  private final Set<HttpConnection> open = new HashSet<>();

  SlowClientGuard(Vertx vertx) {
    this.vertx = vertx;
  }

  static HttpServerOptions serverOptions() {
    return new HttpServerOptions()
      // Without h2c the server knows an HTTP/1 connection when it opens (with it, only at the first request head, too
      // late to time a slowloris client); nothing that reads this endpoint speaks cleartext HTTP/2.
      .setHttp2ClearTextEnabled(false)
      .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
      .setMaxHeaderSize(MAX_HEADER_BYTES)
      .setIdleTimeout(IDLE_TIMEOUT_S)
      .setIdleTimeoutUnit(TimeUnit.SECONDS);
  }

  /** For {@code HttpServer.connectionHandler}: every new connection must send a request head in time. */
  void onConnection(HttpConnection connection) {
    open.add(connection);
    arm(connection);
    connection.closeHandler(v -> {
      open.remove(connection);
      disarm(connection);
    });
  }

  /** Wraps the request handler: a request head arrived, so the clock stops until its response has ended. */
  Handler<HttpServerRequest> guarding(Handler<HttpServerRequest> next) {
    return request -> {
      HttpConnection connection = request.connection();
      disarm(connection);
      request.response().endHandler(v -> {
        if (open.contains(connection)) {
          arm(connection); // keep-alive: the next request head is due in time too
        }
      });
      next.handle(request);
    };
  }

  private void arm(HttpConnection connection) {
    disarm(connection);
    deadlines.put(connection, vertx.setTimer(REQUEST_HEAD_TIMEOUT_MS, id -> {
      deadlines.remove(connection);
      connection.close();
    }));
  }

  private void disarm(HttpConnection connection) {
    Long timer = deadlines.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }
}
