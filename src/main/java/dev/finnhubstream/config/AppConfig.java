package dev.finnhubstream.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * The service's effective configuration for one environment, validated. Built by {@link ConfigResolver}.
 *
 * @param environment the {@code APP_ENV} it was resolved for
 * @param file        the config file it came from
 * @param dashboard   the local dashboard, when the environment configures a ClickHouse URL
 */
public record AppConfig(String environment, String file, FinnhubConfig finnhub, KafkaConfig kafka, HttpConfig http,
                        RecordConfig record, Optional<DashboardConfig> dashboard, MarketHoursConfig marketHours, HaConfig ha) {

  /** A summary safe to log or show on an endpoint: every secret is reduced to whether it is set. */
  public JsonObject redactedSummary() {
    return new JsonObject()
      .put("environment", environment)
      .put("file", file)
      .put("finnhub", new JsonObject()
        .put("url", finnhub.url())
        .put("symbols", new JsonArray(finnhub.symbols()))
        .put("tokens", finnhub.tokens().isEmpty() ? "not set" : finnhub.tokens().size() + " set (hidden)"
          + (finnhub.retiredKeys().isEmpty() ? "" : ", of which retired: " + finnhub.retiredKeys().stream().map(i -> "key-" + (i + 1)).toList())))
      .put("kafka", new JsonObject()
        .put("bootstrap_servers", kafka.bootstrapServers())
        .put("topic", kafka.topic())
        .put("security_protocol", kafka.securityProtocol())
        .put("password", kafka.password() == null ? "not set" : "set (hidden)"))
      .put("http", new JsonObject().put("host", http.host()).put("port", http.port())
        .put("admin_token", http.adminToken() == null ? "not set (admin endpoints disabled)" : "set (hidden)"))
      .put("dashboard", dashboard.map(d -> new JsonObject().put("clickhouse_url", d.clickhouseUrl().toString())
        .put("database", d.database()).put("refresh_ms", d.refreshMs())).orElse(null))
      .put("market_hours", new JsonObject().put("enabled", marketHours.enabled()).put("rest_url", marketHours.restUrl())
        .put("exchange", marketHours.exchange()).put("poll_ms", marketHours.pollMs()).put("stale_after_ms", marketHours.staleAfterMs()))
      .put("ha", new JsonObject().put("enabled", ha.enabled()).put("topic", ha.topic()).put("group_id", ha.groupId())
        .put("slots", ha.slots()).put("session_timeout_ms", ha.sessionTimeoutMs()).put("on_lease_loss", ha.onLeaseLoss().name()));
  }
}
