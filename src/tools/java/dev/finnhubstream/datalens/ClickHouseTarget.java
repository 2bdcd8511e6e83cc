package dev.finnhubstream.datalens;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/**
 * The Managed ClickHouse the DataLens connection points at, as Terraform's output {@code datalens_clickhouse}
 * gives it ({@code terraform output -json datalens_clickhouse}, passed as {@code DATALENS_CLICKHOUSE}). No secret:
 * the password travels separately, in {@code DATALENS_CLICKHOUSE_PASSWORD}.
 */
public record ClickHouseTarget(String host, int port, String database, String username, String clusterId, String folderId) {

  /** The variable {@code ci/datalens.sh} passes the output in. */
  public static final String VARIABLE = "DATALENS_CLICKHOUSE";

  private static final Pattern HOSTS = Pattern.compile("[A-Za-z0-9.-]+(,[A-Za-z0-9.-]+)*");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** Parses the output's JSON; a wrong or incomplete value fails naming the variable and the fix. */
  public static ClickHouseTarget parse(String json) {
    String fix = "export " + VARIABLE + "=\"$(terraform -chdir=terraform output -json datalens_clickhouse)\" (ci/datalens.sh does), "
      + "after terraform apply with datalens.enabled";
    if (json == null || json.isBlank() || json.strip().equals("null")) {
      throw new IllegalArgumentException(VARIABLE + ": not set (or null: datalens.enabled was false at terraform apply). Fix: " + fix);
    }
    JsonObject o;
    try {
      o = new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException(VARIABLE + ": not a JSON object. Fix: " + fix);
    }
    try {
      ClickHouseTarget t = new ClickHouseTarget(o.getString("host"), o.getInteger("port"), o.getString("database"), o.getString("username"),
        o.getString("cluster_id"), o.getString("folder_id"));
      if (t.host == null || !HOSTS.matcher(t.host).matches() || t.port < 1 || t.port > 65_535 || t.database == null || t.username == null
        || t.clusterId == null || !ID.matcher(t.clusterId).matches() || t.folderId == null || !ID.matcher(t.folderId).matches()) {
        throw new IllegalArgumentException(VARIABLE + ": host, port, database, username, cluster_id or folder_id missing or malformed. Fix: " + fix);
      }
      return t;
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException(VARIABLE + ": host, port, database, username, cluster_id or folder_id missing or of the wrong type. Fix: " + fix);
    }
  }
}
