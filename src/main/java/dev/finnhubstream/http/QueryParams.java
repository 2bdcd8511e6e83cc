package dev.finnhubstream.http;

import io.vertx.ext.web.RoutingContext;

/** Bounded integer query parameters: a bad value is the client's error (400), never silently clamped. */
final class QueryParams {

  /** A query parameter outside its bounds, or not an integer. */
  static final class BadParameter extends RuntimeException {
    BadParameter(String message) {
      super(message, null, false, false);
    }
  }

  private QueryParams() {
  }

  static int integer(RoutingContext ctx, String name, int defaultValue, int min, int max) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isBlank()) {
      return defaultValue;
    }
    try {
      int v = Integer.parseInt(raw.strip());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new BadParameter("query parameter " + name + " must be an integer from " + min + " to " + max);
  }
}
