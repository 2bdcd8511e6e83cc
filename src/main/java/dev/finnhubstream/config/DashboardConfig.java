package dev.finnhubstream.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * The local dashboard: 1-minute candles and latest prices read from ClickHouse over its HTTP interface.
 * It exists only where the environment configures a ClickHouse URL (locally; in the cloud DataLens is
 * the dashboard).
 *
 * @param clickhouseUrl  ClickHouse HTTP interface, {@code http://host:port}, no credentials (loopback server)
 * @param database       the database holding {@code ohlcv_1m_bars} and {@code latest_price}: {@code clickhouse.database}
 * @param refreshMs      how often the page reloads its data
 * @param windowMinutes  how many minutes of candles the page shows by default
 */
public record DashboardConfig(URI clickhouseUrl, String database, int refreshMs, int windowMinutes) {

  /** Empty when no ClickHouse URL is configured: the service then serves no dashboard. */
  static Optional<DashboardConfig> from(ConfigSection s, ConfigSection clickhouse) {
    String url = s.optionalString(ConfigKeys.DASHBOARD_CLICKHOUSE_URL);
    if (url == null) {
      return Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw s.invalid(ConfigKeys.DASHBOARD_CLICKHOUSE_URL, "\"" + url + "\" is not a URL", "use http://host:port, e.g. http://127.0.0.1:18123");
    }
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1 || uri.getUserInfo() != null
      || !(uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/")) || uri.getQuery() != null) {
      throw s.invalid(ConfigKeys.DASHBOARD_CLICKHOUSE_URL, "\"" + url + "\" is not of the form http://host:port",
        "use the local server's HTTP interface, e.g. http://127.0.0.1:18123 (no path, query or credentials)");
    }
    String database = clickhouse.string(ConfigKeys.CLICKHOUSE_DATABASE);
    return Optional.of(new DashboardConfig(uri, database, (int) s.integer(ConfigKeys.DASHBOARD_REFRESH_MS),
      (int) s.integer(ConfigKeys.DASHBOARD_WINDOW_MINUTES)));
  }
}
