package dev.finnhubstream.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One Server-Sent-Events tap on one event-bus address ({@code GET /debug/eventbus/{address}/stream}).
 *
 * <p>Sampled and bounded, so a tap on the trades address at full speed costs the pipeline nothing noticeable:
 * only every {@code sample}-th message is taken, at most {@code maxPerSecond} are sent (a token bucket; the rest
 * are counted as dropped and the count rides on the next event), none while the client's socket is backed up,
 * and the stream ends by itself after {@code limit} events or {@code maxSeconds}, with a final {@code end} event
 * saying why. A comment line every {@link #KEEPALIVE_MS} keeps proxies from timing it out and finds clients
 * that left. Selection runs on the publisher's thread; writing runs on the HTTP verticle's context.
 */
final class TapStream implements EventBusTap.Listener {

  static final long KEEPALIVE_MS = 15_000;

  /** What the client asked for, already checked against the bounds. */
  record Params(int sample, int maxPerSecond, int limit, int maxSeconds) {

    JsonObject toJson() {
      return new JsonObject().put("sample", sample).put("max_per_second", maxPerSecond).put("limit", limit).put("seconds", maxSeconds);
    }
  }

  private final String address;
  private final Params params;
  private final Vertx vertx;
  private final Context context;
  private final HttpServerResponse response;
  private final UnaryOperator<String> redact;
  private final Consumer<TapStream> onClose;
  private final long keepaliveTimer;
  private final long deadlineTimer;

  // Selection state, touched by publishers on any thread.
  private long seen;
  private double tokens;
  private long lastRefillNanos = System.nanoTime();
  private long dropped;

  // Writing state, context only.
  private long sent;
  private boolean closed;

  TapStream(Vertx vertx, Context context, HttpServerResponse response, String address, Params params,
            UnaryOperator<String> redact, Consumer<TapStream> onClose) {
    this.vertx = vertx;
    this.context = context;
    this.response = response;
    this.address = address;
    this.params = params;
    this.redact = redact;
    this.onClose = onClose;
    this.tokens = params.maxPerSecond();
    response.setChunked(true)
      .putHeader("Content-Type", "text/event-stream; charset=utf-8")
      .putHeader("Cache-Control", "no-cache")
      .putHeader("X-Accel-Buffering", "no");
    response.closeHandler(v -> close(null));
    response.write("retry: 10000\nevent: open\ndata: " + new JsonObject().put("address", address).put("params", params.toJson()).encode() + "\n\n");
    keepaliveTimer = vertx.setPeriodic(KEEPALIVE_MS, id -> {
      if (!closed && !response.writeQueueFull()) {
        response.write(": keepalive\n\n");
      }
    });
    deadlineTimer = vertx.setTimer(params.maxSeconds() * 1000L, id -> close("time limit of " + params.maxSeconds() + " s reached"));
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public void onMessage(EventBusTap.Captured message) {
    long droppedBefore;
    synchronized (this) {
      if (seen++ % params.sample() != 0) {
        return;
      }
      long now = System.nanoTime();
      tokens = Math.min(params.maxPerSecond(), tokens + (now - lastRefillNanos) / 1e9 * params.maxPerSecond());
      lastRefillNanos = now;
      if (tokens < 1) {
        dropped++;
        return;
      }
      tokens -= 1;
      droppedBefore = dropped;
      dropped = 0;
    }
    context.runOnContext(v -> write(message, droppedBefore));
  }

  private void write(EventBusTap.Captured message, long droppedBefore) {
    if (closed) {
      return;
    }
    if (response.writeQueueFull()) {
      synchronized (this) {
        dropped += 1 + droppedBefore;
      }
      return;
    }
    JsonObject event = EventBusTap.toJson(message).put("dropped_before", droppedBefore);
    response.write("id: " + message.seq() + "\nevent: message\ndata: " + redact.apply(event.encode()) + "\n\n");
    if (++sent >= params.limit()) {
      close("limit of " + params.limit() + " events reached");
    }
  }

  /**
   * Ends the stream: with an {@code end} event carrying {@code reason}, or silently when the client left
   * ({@code reason == null}). Idempotent; context only.
   */
  void close(String reason) {
    if (closed) {
      return;
    }
    closed = true;
    vertx.cancelTimer(keepaliveTimer);
    vertx.cancelTimer(deadlineTimer);
    onClose.accept(this);
    if (reason != null) {
      long droppedNow;
      synchronized (this) {
        droppedNow = dropped;
      }
      response.end("event: end\ndata: " + new JsonObject().put("reason", reason).put("events", sent).put("dropped", droppedNow).encode() + "\n\n")
        .onFailure(e -> { }); // the client may be gone already
    }
  }
}
