package dev.finnhubstream.config;

import java.util.List;

/**
 * The environment variables the service reads. Overrides win over {@code conf/app.json}; secrets come
 * only from here. The README has the same table; keep them in step.
 */
public final class EnvironmentVariables {

  /** Which section of {@code environments} to use; default {@code local}. */
  public static final String APP_ENV = "APP_ENV";
  /** Path of the config file; default {@code conf/app.json} (relative to the working directory). */
  public static final String APP_CONFIG = "APP_CONFIG";
  /** Finnhub API key (secret). */
  public static final String FINNHUB_TOKEN = "FINNHUB_TOKEN";
  /** Overrides {@code finnhub.url}, e.g. an emulator at {@code ws://127.0.0.1:18090}. */
  public static final String FINNHUB_URL = "FINNHUB_URL";
  /** Overrides {@code finnhub.symbols}: comma-separated ({@code AAPL,IC MARKETS:1}) or a JSON array. */
  public static final String FINNHUB_SYMBOLS = "FINNHUB_SYMBOLS";
  /** Overrides {@code kafka.bootstrap_servers}; in the cloud Terraform sets it. */
  public static final String KAFKA_BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";
  /** Overrides {@code kafka.topic}. */
  public static final String KAFKA_TOPIC = "KAFKA_TOPIC";
  /**
   * Overrides {@code kafka.disk_buffer_dir}: where a container mounts its volume, or a second instance on one
   * machine keeps its own outage buffer (a directory serves one process at a time).
   */
  public static final String KAFKA_DISK_BUFFER_DIR = "KAFKA_DISK_BUFFER_DIR";
  /** Overrides {@code kafka.username} (SASL user). */
  public static final String KAFKA_USERNAME = "KAFKA_USERNAME";
  /** Kafka SASL password (secret); required when {@code kafka.security_protocol} is SASL_*. */
  public static final String KAFKA_PASSWORD = "KAFKA_PASSWORD";
  /** Overrides {@code http.port}. */
  public static final String HTTP_PORT = "HTTP_PORT";
  /** Overrides {@code dashboard.clickhouse_url}; setting it turns the local dashboard on. */
  public static final String CLICKHOUSE_URL = "CLICKHOUSE_URL";
  /** Bearer token of the admin endpoints ({@code PUT /symbols}, {@code DELETE /symbols/X}) (secret); unset = disabled. */
  public static final String ADMIN_TOKEN = "ADMIN_TOKEN";
  /** Overrides {@code market_hours.rest_url}, e.g. the emulator's {@code http://127.0.0.1:18090/api/v1}. */
  public static final String FINNHUB_REST_URL = "FINNHUB_REST_URL";

  /** Every name above: the only environment keys the config loader looks at. */
  public static final List<String> ALL = List.of(APP_ENV, APP_CONFIG, FINNHUB_TOKEN, FINNHUB_URL, FINNHUB_SYMBOLS,
    KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC, KAFKA_DISK_BUFFER_DIR, KAFKA_USERNAME, KAFKA_PASSWORD, HTTP_PORT, CLICKHOUSE_URL, ADMIN_TOKEN, FINNHUB_REST_URL);

  /** The variables whose values must never be shown anywhere. */
  public static final List<String> SECRETS = List.of(FINNHUB_TOKEN, KAFKA_PASSWORD, ADMIN_TOKEN);

  private EnvironmentVariables() {
  }
}
