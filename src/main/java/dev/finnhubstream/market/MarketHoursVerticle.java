package dev.finnhubstream.market;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.config.MarketHoursConfig;
import dev.finnhubstream.config.Secret;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls Finnhub's REST {@code /stock/market-status?exchange=US} so that the status page and the metrics can
 * tell "market closed" from "feed stale" for US symbols, and answers {@link Addresses#STATUS_MARKET} with
 * the latest answer.
 *
 * <p>Rate: one call per {@code poll_ms} (at least 1 s, and the free plan's 60 calls a minute are shared with
 * nothing else here), never two at once, and after an HTTP 429 none before its {@code Retry-After}. The token
 * travels in the {@code X-Finnhub-Token} header, so no URL ever holds it. Off when disabled in the
 * configuration or when there is no token (the emulator needs one too).
 */
public final class MarketHoursVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(MarketHoursVerticle.class);
  private static final int REQUEST_TIMEOUT_MS = 10_000;
  /** An answer older than this many poll periods no longer says whether the market is open. */
  private static final int FRESH_POLLS = 3;

  private final MarketHoursConfig config;
  private final Secret token;
  private final String offReason;
  private WebClient client;
  private MessageConsumer<Void> statusConsumer;
  private long pollTimer = -1;
  private boolean inFlight;
  private long notBeforeMs;

  private Boolean isOpen;
  private String session;
  private String holiday;
  private long checkedAtMs;
  private String lastError;
  private long requests;
  private long failures;

  /**
   * @param config the market_hours section
   * @param token  the first Finnhub key, or {@code null} (then market hours stay off)
   */
  public MarketHoursVerticle(MarketHoursConfig config, Secret token) {
    this.config = config;
    this.token = token;
    this.offReason = !config.enabled() ? "disabled in the configuration (market_hours.enabled)"
      : token == null ? "no Finnhub token (FINNHUB_TOKEN)" : null;
  }

  @Override
  public Future<?> start() {
    statusConsumer = vertx.eventBus().consumer(Addresses.STATUS_MARKET, msg -> msg.reply(status()));
    if (offReason == null) {
      client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(REQUEST_TIMEOUT_MS).setUserAgent("finnhub-stream"));
      pollTimer = vertx.setPeriodic(0, config.pollMs(), id -> poll());
      LOGGER.info("Market hours: polling {}/stock/market-status?exchange={} every {} ms", config.restUrl(), config.exchange(), config.pollMs());
    } else {
      LOGGER.info("Market hours off: {}", offReason);
    }
    return statusConsumer.completion();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(pollTimer);
    if (client != null) {
      client.close();
    }
    return Future.succeededFuture();
  }

  private void poll() {
    long now = System.currentTimeMillis();
    if (inFlight || now < notBeforeMs) {
      return;
    }
    inFlight = true;
    requests++;
    client.getAbs(config.restUrl() + "/stock/market-status")
      .addQueryParam("exchange", config.exchange())
      .putHeader("X-Finnhub-Token", token.reveal())
      .timeout(REQUEST_TIMEOUT_MS)
      .send()
      .onComplete(ar -> {
        inFlight = false;
        if (ar.succeeded()) {
          onResponse(ar.result());
        } else {
          fail("market-status request failed: " + token.redact(String.valueOf(ar.cause().getMessage())));
        }
      });
  }

  private void onResponse(HttpResponse<io.vertx.core.buffer.Buffer> response) {
    int status = response.statusCode();
    if (status == 200) {
      try {
        JsonObject body = response.bodyAsJsonObject();
        Boolean open = body.getBoolean("isOpen");
        if (open == null) {
          fail("market-status answer has no isOpen field");
          return;
        }
        boolean changed = !open.equals(isOpen);
        isOpen = open;
        session = body.getString("session");
        holiday = body.getString("holiday");
        checkedAtMs = System.currentTimeMillis();
        lastError = null;
        if (changed) {
          LOGGER.info("Market {} is {} (session {}{})", config.exchange(), open ? "open" : "closed", session,
            holiday == null ? "" : ", holiday " + holiday);
        }
      } catch (RuntimeException e) {
        fail("market-status answer is not the expected JSON: " + e.getMessage());
      }
      return;
    }
    if (status == 429) {
      long retryAfterMs = parseRetryAfterMs(response.getHeader("Retry-After"));
      notBeforeMs = System.currentTimeMillis() + Math.max(retryAfterMs, config.pollMs());
    }
    fail(status == 401 ? "Finnhub rejected the API key for REST (HTTP 401)" : "market-status answered HTTP " + status);
  }

  private void fail(String error) {
    failures++;
    if (!error.equals(lastError)) {
      LOGGER.warn("Market hours: {}", error);
    }
    lastError = error;
  }

  private static long parseRetryAfterMs(String header) {
    try {
      return header == null ? 0 : Math.min(3_600_000, Long.parseLong(header.strip()) * 1000);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The answer only counts while fresh: after a few failed polls the market state is unknown again. */
  private MarketStatus status() {
    boolean fresh = checkedAtMs > 0 && System.currentTimeMillis() - checkedAtMs <= FRESH_POLLS * config.pollMs() + REQUEST_TIMEOUT_MS;
    return new MarketStatus(offReason == null, offReason, config.exchange(), fresh ? isOpen : null, fresh ? session : null,
      fresh ? holiday : null, checkedAtMs == 0 ? null : checkedAtMs, config.pollMs(), config.staleAfterMs(), requests, failures,
      lastError);
  }
}
