package dev.finnhubstream.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/**
 * What the DataLens tool builds an environment's dashboard from: the {@code datalens} section, the database and
 * trades table its charts read ({@code clickhouse}), and the window the local dashboard shows ({@code dashboard}).
 * Resolved through {@link ConfigResolver#dataLens}, with the same file checks and overrides as the service.
 *
 * @param enabled          whether the environment has a DataLens dashboard (Terraform created its ClickHouse user)
 * @param endpoint         the Public API's base URL
 * @param organizationId   the organization ({@code x-dl-org-id}); never null when enabled
 * @param workbook         the workbook's title; never null when enabled
 * @param collectionId     the workbook's collection, or {@code null} for the root
 * @param refreshSeconds   the dashboard's auto-update interval
 * @param cacheTtlSeconds  the connection's cache TTL, at most {@code refreshSeconds}
 * @param database         the database the charts read
 * @param tradesTable      the raw trades table (the feed-lag chart)
 * @param windowMinutes    how many minutes the charts show
 */
public record DataLensConfig(boolean enabled, URI endpoint, String organizationId, String workbook, String collectionId,
                             int refreshSeconds, int cacheTtlSeconds, String database, String tradesTable, int windowMinutes) {

  static DataLensConfig from(Map<String, ConfigSection> sections) {
    ConfigSection s = sections.get("datalens");
    ConfigSection clickhouse = sections.get("clickhouse");
    boolean enabled = s.bool(ConfigKeys.DATALENS_ENABLED);
    String endpointText = s.string(ConfigKeys.DATALENS_ENDPOINT);
    URI endpoint;
    try {
      endpoint = new URI(endpointText);
    } catch (URISyntaxException e) {
      throw s.invalid(ConfigKeys.DATALENS_ENDPOINT, "\"" + endpointText + "\" is not a URL", "use https://api.datalens.tech");
    }
    if (!("https".equals(endpoint.getScheme()) || "http".equals(endpoint.getScheme())) || endpoint.getHost() == null
      || endpoint.getUserInfo() != null || endpoint.getQuery() != null) {
      throw s.invalid(ConfigKeys.DATALENS_ENDPOINT, "\"" + endpointText + "\" is not of the form https://host[:port]",
        "use https://api.datalens.tech (no credentials or query)");
    }
    int refresh = (int) s.integer(ConfigKeys.DATALENS_REFRESH_SECONDS);
    int cacheTtl = (int) s.integer(ConfigKeys.DATALENS_CACHE_TTL_SECONDS);
    if (cacheTtl > refresh) {
      throw s.invalid(ConfigKeys.DATALENS_CACHE_TTL_SECONDS, "value " + cacheTtl + " is longer than datalens.refresh_seconds (" + refresh
        + "), so an auto-update would show cached rows", "set datalens.cache_ttl_seconds to at most " + refresh + ", or raise datalens.refresh_seconds");
    }
    String organization = s.optionalString(ConfigKeys.DATALENS_ORGANIZATION_ID);
    String workbook = s.optionalString(ConfigKeys.DATALENS_WORKBOOK);
    if (enabled && organization == null) {
      throw s.invalid(ConfigKeys.DATALENS_ORGANIZATION_ID, "missing, and datalens.enabled is true",
        "set datalens.organization_id for the environment, or export " + ConfigKeys.DATALENS_ORGANIZATION_ID.variable());
    }
    if (enabled && workbook == null) {
      throw s.invalid(ConfigKeys.DATALENS_WORKBOOK, "missing, and datalens.enabled is true",
        "set datalens.workbook for the environment (e.g. \"finnhub-stream-dev\"), or export " + ConfigKeys.DATALENS_WORKBOOK.variable());
    }
    return new DataLensConfig(enabled, endpoint, organization, workbook, s.optionalString(ConfigKeys.DATALENS_COLLECTION_ID), refresh,
      cacheTtl, clickhouse.string(ConfigKeys.CLICKHOUSE_DATABASE), clickhouse.string(ConfigKeys.CLICKHOUSE_TABLE),
      (int) sections.get("dashboard").integer(ConfigKeys.DASHBOARD_WINDOW_MINUTES));
  }
}
