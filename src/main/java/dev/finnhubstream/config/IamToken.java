package dev.finnhubstream.config;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * A Yandex Cloud IAM token from the instance metadata service of the VM (or serverless container) the process
 * runs on, and the patient retrying that calls to Yandex Cloud APIs need. Shared by {@link LockboxSecrets} (the
 * service's secrets at start-up) and the DataLens tool, so both get the token, and give up on a refusal, the
 * same way.
 *
 * <p>The token is never logged nor put into a message; failures name the endpoint and the HTTP status only.
 */
public final class IamToken {

  /** Overrides the instance metadata service (tests only). */
  public static final String METADATA_URL = "YC_METADATA_URL";

  static final String DEFAULT_METADATA_URL = "http://169.254.169.254";
  static final String TOKEN_PATH = "/computeMetadata/v1/instance/service-accounts/default/token";
  private static final long REQUEST_TIMEOUT_MS = 10_000;

  /** How often and how patiently transient failures are retried: {@code attempts} in all, the delay doubling up to the max. */
  public record Retry(int attempts, long initialDelayMs, long maxDelayMs) {

    public static final Retry DEFAULT = new Retry(6, 500, 8_000);
  }

  /**
   * What a failure is reported against: the key (variable) a {@link ConfigException} names, and the fix it gives
   * when the attempts run out.
   */
  public record Blame(String key, String fixWhenExhausted) {
  }

  private IamToken() {
  }

  /** The metadata service's URL: {@code YC_METADATA_URL} when set (tests), else the link-local address. */
  public static String metadataUrl(java.util.Map<String, String> env) {
    return stripSlash(env.getOrDefault(METADATA_URL, DEFAULT_METADATA_URL));
  }

  /**
   * Asks the metadata service for the service account's token, retrying while it lags (right after boot);
   * a refusal (401, 403, 404) or an answer without a token fails at once with {@code vmFix}.
   */
  public static Future<String> fromMetadata(Vertx vertx, WebClient client, String metadataUrl, Retry retry, Blame blame, String vmFix,
                                            Logger logger) {
    String url = stripSlash(metadataUrl);
    return retrying(vertx, retry, blame, logger, "getting an IAM token from the metadata service at " + url,
      () -> client.getAbs(url + TOKEN_PATH)
        .putHeader("Metadata-Flavor", "Google")
        .timeout(REQUEST_TIMEOUT_MS)
        .send()
        .compose(response -> {
          if (response.statusCode() != 200) {
            return Future.failedFuture(statusFailure(blame.key(), response.statusCode(), "the metadata service", vmFix));
          }
          String token = null;
          try {
            JsonObject body = response.bodyAsJsonObject();
            token = body == null ? null : body.getString("access_token");
          } catch (DecodeException | ClassCastException e) {
            // reported below, without the body
          }
          if (token == null || token.isBlank()) {
            return Future.failedFuture(new ConfigException(blame.key(), "the metadata service answered without an access_token",
              "check that the VM has a service account attached"));
          }
          return Future.succeededFuture(token);
        }));
  }

  /** A refusal (401, 403, 404) is final, as a {@link ConfigException}; anything else (5xx, 429) may pass on a later attempt. */
  public static Throwable statusFailure(String key, int status, String who, String fix) {
    String problem = who + " answered HTTP " + status;
    if (status == 401 || status == 403) {
      return new ConfigException(key, problem + " (permission denied)", fix);
    }
    if (status == 404) {
      return new ConfigException(key, problem + " (not found)", fix);
    }
    return new TransientFailure(problem);
  }

  /**
   * Runs {@code attempt} until it succeeds, fails for good (a {@link ConfigException}) or runs out of attempts;
   * then the failure names what was tried, how often, and the last cause. Each retry is logged on {@code logger}
   * (the caller's) with the reason, never a body.
   */
  public static <T> Future<T> retrying(Vertx vertx, Retry retry, Blame blame, Logger logger, String what, Supplier<Future<T>> attempt) {
    Promise<T> promise = Promise.promise();
    tryOnce(vertx, retry, blame, logger, what, attempt, 1, retry.initialDelayMs(), promise);
    return promise.future();
  }

  private static <T> void tryOnce(Vertx vertx, Retry retry, Blame blame, Logger logger, String what, Supplier<Future<T>> attempt, int n,
                                  long delayMs, Promise<T> promise) {
    attempt.get().onComplete(ar -> {
      if (ar.succeeded()) {
        promise.complete(ar.result());
        return;
      }
      Throwable cause = ar.cause();
      if (cause instanceof ConfigException) {
        promise.fail(cause);
        return;
      }
      String reason = cause instanceof TransientFailure ? cause.getMessage() : cause.getClass().getSimpleName() + ": " + cause.getMessage();
      if (n >= retry.attempts()) {
        promise.fail(new ConfigException(blame.key(), what + " failed " + n + " times, last: " + reason, blame.fixWhenExhausted()));
        return;
      }
      logger.warn("{} failed (attempt {} of {}: {}); retrying in {} ms", what, n, retry.attempts(), reason, delayMs);
      vertx.setTimer(delayMs, id -> tryOnce(vertx, retry, blame, logger, what, attempt, n + 1, Math.min(delayMs * 2, retry.maxDelayMs()),
        promise));
    });
  }

  static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** A failure worth another attempt; its message holds no secret (status and endpoint only). */
  public static final class TransientFailure extends RuntimeException {

    public TransientFailure(String message) {
      super(message, null, false, false);
    }
  }
}
