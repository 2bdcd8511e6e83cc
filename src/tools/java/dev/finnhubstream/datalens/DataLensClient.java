package dev.finnhubstream.datalens;

import dev.finnhubstream.config.IamToken;
import dev.finnhubstream.log.Redactor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the DataLens Public API: {@code POST <endpoint>/rpc/<operation>} with a JSON body, the API version, the
 * organization and the IAM token in headers. A call that fails transiently (HTTP 429 or 5xx, no connection, a
 * timeout) is retried with a doubling delay (a 429's {@code Retry-After} honoured) when it is safe to repeat: every
 * read, update and delete. A create is never repeated blindly: its caller looks the entry up by name first
 * ({@link Reconciler}). Every other failure is a {@link DataLensException}: one line with the operation, the status,
 * what it means, the fix and the request id; the token and the password never appear in it or in a log line.
 */
public final class DataLensClient {

  private static final Logger LOGGER = LoggerFactory.getLogger(DataLensClient.class);
  private static final long REQUEST_TIMEOUT_MS = 30_000;
  private static final int MAX_DETAIL_CHARS = 200;

  private final Vertx vertx;
  private final WebClient client;
  private final String base;
  private final String organizationId;
  private final String token;
  private final IamToken.Retry retry;
  private final Redactor redactor;

  DataLensClient(Vertx vertx, WebClient client, URI endpoint, String organizationId, String token, IamToken.Retry retry, Redactor redactor) {
    this.vertx = vertx;
    this.client = client;
    String url = endpoint.toString();
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.organizationId = organizationId;
    this.token = token;
    this.retry = retry;
    this.redactor = redactor;
  }

  /** A failure worth another attempt of a repeatable call. */
  static final class Transient extends RuntimeException {

    final long retryAfterMs;

    Transient(String message, long retryAfterMs) {
      super(message, null, false, false);
      this.retryAfterMs = retryAfterMs;
    }
  }

  /** A call that may be repeated after a transient failure. */
  Future<JsonObject> call(String operation, JsonObject body) {
    Promise<JsonObject> promise = Promise.promise();
    attempt(operation, body, 1, retry.initialDelayMs(), promise);
    return promise.future();
  }

  /** A call made once: a transient failure comes back as {@link Transient} for the caller to decide. */
  Future<JsonObject> callOnce(String operation, JsonObject body) {
    return send(operation, body);
  }

  private void attempt(String operation, JsonObject body, int n, long delayMs, Promise<JsonObject> promise) {
    send(operation, body).onComplete(ar -> {
      if (ar.succeeded()) {
        promise.complete(ar.result());
        return;
      }
      if (!(ar.cause() instanceof Transient t)) {
        promise.fail(ar.cause());
        return;
      }
      if (n >= retry.attempts()) {
        promise.fail(new DataLensException(operation + ": " + t.getMessage() + ", " + n + " attempt(s)",
          "DataLens is overloaded or unavailable; run the command again later (it resumes where it stopped)"));
        return;
      }
      long wait = Math.max(delayMs, Math.min(t.retryAfterMs, retry.maxDelayMs()));
      LOGGER.warn("{}: {} (attempt {} of {}); retrying in {} ms", operation, t.getMessage(), n, retry.attempts(), wait);
      vertx.setTimer(wait, id -> attempt(operation, body, n + 1, Math.min(delayMs * 2, retry.maxDelayMs()), promise));
    });
  }

  private Future<JsonObject> send(String operation, JsonObject body) {
    return client.postAbs(base + "/rpc/" + operation)
      .putHeader("x-dl-api-version", Bodies.API_VERSION)
      .putHeader("x-dl-org-id", organizationId)
      .putHeader("Authorization", "Bearer " + token)
      .putHeader("Content-Type", "application/json")
      .timeout(REQUEST_TIMEOUT_MS)
      .sendBuffer(body.toBuffer())
      .recover(e -> Future.failedFuture(new Transient("no answer (" + e.getClass().getSimpleName() + ": " + redactor.redact(e.getMessage()) + ")", 0)))
      .compose(response -> answer(operation, response));
  }

  private Future<JsonObject> answer(String operation, HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status == 200) {
      try {
        Buffer b = response.body();
        return Future.succeededFuture(b == null || b.length() == 0 ? new JsonObject() : b.toJsonObject());
      } catch (DecodeException | ClassCastException e) {
        return Future.failedFuture(new DataLensException(operation + ": HTTP 200 without a JSON object", "check datalens.endpoint"));
      }
    }
    String detail = detail(response);
    if (status == 429 || status >= 500) {
      long retryAfterMs = 0;
      String header = response.getHeader("Retry-After");
      if (header != null) {
        try {
          retryAfterMs = Long.parseLong(header.strip()) * 1000;
        } catch (NumberFormatException e) {
          // an HTTP date: fall back to the backoff
        }
      }
      return Future.failedFuture(new Transient("HTTP " + status + detail, retryAfterMs));
    }
    return Future.failedFuture(DataLensException.forStatus(operation, status, detail));
  }

  /** The error's code and message, and the request id, cut to one short line with the secrets hidden. */
  private String detail(HttpResponse<Buffer> response) {
    StringBuilder out = new StringBuilder();
    try {
      JsonObject body = response.bodyAsJsonObject();
      if (body != null) {
        for (String key : new String[] {"code", "message", "error"}) {
          Object v = body.getValue(key);
          if (v instanceof String s && !s.isBlank()) {
            out.append(out.isEmpty() ? "" : " ").append(s);
          }
        }
      }
    } catch (DecodeException | ClassCastException e) {
      // not JSON: the status says enough
    }
    String text = redactor.redact(out.toString()).replaceAll("[\\p{Cntrl}]", " ");
    if (text.length() > MAX_DETAIL_CHARS) {
      text = text.substring(0, MAX_DETAIL_CHARS) + "…";
    }
    String requestId = response.getHeader("x-request-id");
    return (text.isEmpty() ? "" : " \"" + text + "\"") + (requestId == null ? "" : " (request id " + requestId.replaceAll("[^A-Za-z0-9._-]", "") + ")");
  }

  /** The id of an answer that may carry it in one of several places: the spec leaves create answers free-form. */
  static String idOf(JsonObject answer, String... keys) {
    for (String key : keys) {
      Object v = answer.getValue(key);
      if (v instanceof String s && !s.isBlank()) {
        return s;
      }
    }
    JsonObject entry = answer.getJsonObject("entry");
    return entry == null ? null : idOf(entry, keys);
  }
}
