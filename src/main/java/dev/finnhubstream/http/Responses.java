package dev.finnhubstream.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.UnaryOperator;

/** JSON answers, passed through the secret redactor last, whatever they hold. */
final class Responses {

  private Responses() {
  }

  static void json(RoutingContext ctx, int status, JsonObject body, UnaryOperator<String> redact) {
    ctx.response().setStatusCode(status)
      .putHeader("Content-Type", "application/json; charset=utf-8")
      .putHeader("Cache-Control", "no-store")
      .end(redact.apply(body.encode()));
  }

  /** An error answer: {@code {"error": message}}; messages are ours, never a client library's text. */
  static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message), UnaryOperator.identity());
  }
}
