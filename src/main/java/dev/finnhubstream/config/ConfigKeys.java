package dev.finnhubstream.config;

import static dev.finnhubstream.config.ConfigKey.Presence.DEPLOYED;
import static dev.finnhubstream.config.ConfigKey.Presence.OPTIONAL;
import static dev.finnhubstream.config.ConfigKey.Presence.REQUIRED;
import static dev.finnhubstream.config.ConfigKey.Reader.DATALENS_TOOL;
import static dev.finnhubstream.config.ConfigKey.Reader.SCHEMA_TOOL;
import static dev.finnhubstream.config.ConfigKey.Reader.SERVICE;
import static dev.finnhubstream.config.ConfigKey.Reader.TERRAFORM;

import dev.finnhubstream.config.ConfigKey.Presence;
import dev.finnhubstream.config.ConfigKey.Reader;
import dev.finnhubstream.config.ConfigKey.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every key of {@code conf/app.json}, declared once: section, name, type, where it must be present, its rule and
 * the message a bad value gets, the environment variable that overrides it, who reads it, and what it means.
 *
 * <p>Everything else follows from these declarations: {@link ConfigSection} refuses undeclared keys and checks
 * types and rules; {@link ConfigResolver} applies the overrides; {@link EnvironmentVariables#all()} lists the
 * variables; {@link ConfigReference} writes {@code docs/config-reference.md} and the key lists Terraform reads
 * ({@code terraform/modules/config/keys.json}); CI checks both are current and that the {@code .tf} files read
 * exactly the keys declared {@link Reader#TERRAFORM}. Default values are not declared here: they are the
 * values in {@code common} of {@code conf/app.json}, the one file of deployment parameters.
 *
 * <p>Rules that relate two keys (a low watermark below the high one) or parse a value (a URL) live in the
 * section's record ({@link KafkaConfig} and friends), next to the code that uses the value; Terraform keeps the
 * rules that only a deployment has (CIDRs, presets).
 */
public final class ConfigKeys {

  /** One top-level section of the file. */
  public record Section(String name, boolean service, String doc, List<ConfigKey> keys) {

    @Override
    public List<ConfigKey> keys() {
      return Collections.unmodifiableList(keys);
    }

    public Set<String> keyNames() {
      Set<String> names = new java.util.TreeSet<>();
      keys.forEach(k -> names.add(k.name()));
      return names;
    }
  }

  private static final Map<String, Section> SECTIONS = new LinkedHashMap<>();

  /** Kafka topic names that work everywhere: Data Transfer names ClickHouse tables after them. */
  private static final String TOPIC_NAME = "[a-z0-9_]{1,100}";

  // ---- finnhub: the WebSocket source (the service) ----
  private static final Section FINNHUB = section("finnhub", true, "The Finnhub WebSocket source and how the connection layer behaves.");
  public static final ConfigKey FINNHUB_URL = string(FINNHUB, "url").env("FINNHUB_URL").by(SERVICE)
    .doc("WebSocket URL, `wss://ws.finnhub.io` or an emulator's `ws://host:port`; never the token. Market hours follow it unless `market_hours.rest_url` is set.");
  public static final ConfigKey FINNHUB_SYMBOLS = list(FINNHUB, "symbols").env("FINNHUB_SYMBOLS").by(SERVICE)
    .doc("Symbols to subscribe, in order, sharded round-robin over the keys; may contain spaces (`IC MARKETS:1`). The variable takes `AAPL,IC MARKETS:1` or a JSON array.");
  public static final ConfigKey FINNHUB_RECONNECT_INITIAL_MS = integer(FINNHUB, "reconnect_initial_ms", 10, 600_000).by(SERVICE)
    .doc("First reconnect delay; each delay is uniform in [initial, min(max, initial·2ⁿ)].");
  public static final ConfigKey FINNHUB_RECONNECT_MAX_MS = integer(FINNHUB, "reconnect_max_ms", 10, 3_600_000).by(SERVICE)
    .doc("Cap of the exponential reconnect delay; at least `reconnect_initial_ms`.");
  public static final ConfigKey FINNHUB_RECONNECT_STABLE_MS = integer(FINNHUB, "reconnect_stable_ms", 0, 3_600_000).by(SERVICE)
    .doc("A connection that lasts this long resets the backoff (resetting on open would let a server that accepts and drops at once drive a tight loop).");
  public static final ConfigKey FINNHUB_REJECTED_KEY_RETRY_MS = integer(FINNHUB, "rejected_key_retry_ms", 1_000, 86_400_000).by(SERVICE)
    .doc("Delay before retrying after HTTP 401 (the key was refused; retrying fast cannot help).");
  public static final ConfigKey FINNHUB_WATCHDOG_MS = integer(FINNHUB, "watchdog_ms", 100, 3_600_000).by(SERVICE)
    .doc("No frame at all (pings included) for this long: close and reconnect. Finnhub pings every 1-2 min.");
  public static final ConfigKey FINNHUB_SUBSCRIBES_PER_SECOND = integer(FINNHUB, "subscribes_per_second", 1, 1_000).by(SERVICE)
    .doc("Pace of subscribe frames, so a cap error can be blamed on the latest one.");
  public static final ConfigKey FINNHUB_MAX_SYMBOLS_PER_KEY = integer(FINNHUB, "max_symbols_per_key", 1, 100_000).by(SERVICE)
    .doc("The plan's symbol cap per key (free plan: 50); never exceeded, and learned lower from Finnhub's errors.");
  public static final ConfigKey FINNHUB_INVALID_SYMBOL_RETRY_MS = integer(FINNHUB, "invalid_symbol_retry_ms", 100, 86_400_000).by(SERVICE)
    .doc("Delay before re-subscribing a symbol refused as invalid (doubling up to 4x; valid ones are refused for a while at times).");
  public static final ConfigKey FINNHUB_OVER_CAP_RETRY_MS = integer(FINNHUB, "over_cap_retry_ms", 100, 86_400_000).by(SERVICE)
    .doc("Delay before trying again a symbol that did not fit under the cap.");
  public static final ConfigKey FINNHUB_RESHARD_AFTER_MS = integer(FINNHUB, "reshard_after_ms", 0, 86_400_000)
    .env("FINNHUB_RESHARD_AFTER_MS").by(SERVICE)
    .doc("A key refused (HTTP 401) for this long lends its symbols to the other keys with room under their cap; they move back once it connects again. 0: never.");
  public static final ConfigKey FINNHUB_MAX_MESSAGE_BYTES = integer(FINNHUB, "max_message_bytes", 65_536, 256L * 1024 * 1024).by(SERVICE)
    .doc("Largest WebSocket message accepted (Finnhub documents none).");

  // ---- kafka: the sink (the service); Terraform creates the topics and the user ----
  private static final Section KAFKA = section("kafka", true,
    "The Kafka sink. Terraform reads the topics, the user and the SASL settings; the producer settings are the service's alone.");
  public static final ConfigKey KAFKA_BOOTSTRAP_SERVERS = string(KAFKA, "bootstrap_servers").presence(OPTIONAL)
    .env("KAFKA_BOOTSTRAP_SERVERS").by(SERVICE, SCHEMA_TOOL)
    .doc("`host:port[,host:port]`. Set in `local`; in the cloud Terraform passes the variable.");
  public static final ConfigKey KAFKA_TOPIC = string(KAFKA, "topic").matching(TOPIC_NAME, "is not a valid topic name",
      "use [a-z0-9_] only, at most 100 characters (Data Transfer names ClickHouse tables after topics), e.g. finnhub_trades")
    .env("KAFKA_TOPIC").by(SERVICE, TERRAFORM, SCHEMA_TOOL).doc("The trades topic: one record per trade, keyed by symbol.");
  public static final ConfigKey KAFKA_PARTITIONS = integer(KAFKA, "partitions", 1, 10_000).by(SERVICE, TERRAFORM)
    .doc("Partitions of the trades topic.");
  public static final ConfigKey KAFKA_REPLICATION_FACTOR = integer(KAFKA, "replication_factor", 1, 32).by(SERVICE, TERRAFORM)
    .doc("Replication of both topics; in the cloud at most brokers × zones (`min.insync.replicas` is 2 from 3 up, else 1).");
  public static final ConfigKey KAFKA_RETENTION_MS = integer(KAFKA, "retention_ms", -1, Long.MAX_VALUE).by(SERVICE, TERRAFORM)
    .doc("Retention of both topics; -1 keeps records forever.");
  public static final ConfigKey KAFKA_CREATE_TOPICS = bool(KAFKA, "create_topics").by(SERVICE)
    .doc("Create missing topics at start-up (local). Off in the cloud, where Terraform owns them and the service checks they exist.");
  public static final ConfigKey KAFKA_SECURITY_PROTOCOL = oneOf(KAFKA, "security_protocol", "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
    .by(SERVICE, TERRAFORM).doc("`PLAINTEXT` locally; Managed Kafka takes `SASL_SSL`.");
  public static final ConfigKey KAFKA_SASL_MECHANISM = oneOf(KAFKA, "sasl_mechanism", "SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")
    .by(SERVICE, TERRAFORM).doc("SASL mechanism, used with `SASL_*`; Managed Kafka offers the SCRAM ones.");
  public static final ConfigKey KAFKA_USERNAME = string(KAFKA, "username").presence(OPTIONAL).env("KAFKA_USERNAME")
    .by(SERVICE, TERRAFORM).doc("SASL user (required with `SASL_*`); Terraform creates it with producer rights on both topics. The password is `KAFKA_PASSWORD`.");
  public static final ConfigKey KAFKA_LINGER_MS = integer(KAFKA, "linger_ms", 0, 60_000).by(SERVICE)
    .doc("Producer `linger.ms`, chosen by measurement (docs/benchmarks.md). `acks=all` and idempotence are always on.");
  public static final ConfigKey KAFKA_BATCH_SIZE = integer(KAFKA, "batch_size", 1, 16 * 1024 * 1024).by(SERVICE)
    .doc("Producer `batch.size` in bytes, chosen by measurement.");
  public static final ConfigKey KAFKA_COMPRESSION_TYPE = oneOf(KAFKA, "compression_type", "none", "gzip", "snappy", "lz4", "zstd")
    .by(SERVICE).doc("Producer `compression.type`.");
  public static final ConfigKey KAFKA_DEAD_LETTER_TOPIC = string(KAFKA, "dead_letter_topic").matching(TOPIC_NAME,
      "is not a valid topic name",
      "use [a-z0-9_] only, at most 100 characters (Data Transfer names ClickHouse tables after topics), e.g. finnhub_trades_dlq")
    .by(SERVICE, TERRAFORM).doc("Where frames and trade elements that could not become trades go, with their raw text; not the trades topic.");
  public static final ConfigKey KAFKA_DEAD_LETTER_PARTITIONS = integer(KAFKA, "dead_letter_partitions", 1, 10_000).by(SERVICE)
    .doc("Partitions of the dead-letter topic (same replication and retention as the trades topic).");
  public static final ConfigKey KAFKA_DEAD_LETTER_MAX_PAYLOAD_BYTES = integer(KAFKA, "dead_letter_max_payload_bytes", 64, 900 * 1024)
    .by(SERVICE).doc("Raw payload kept per dead letter; longer payloads are cut at a UTF-8 character boundary (a dead letter must fit Kafka's 1 MiB request).");
  public static final ConfigKey KAFKA_GAP_TOPIC = string(KAFKA, "gap_topic").matching(TOPIC_NAME,
      "is not a valid topic name",
      "use [a-z0-9_] only, at most 100 characters (Data Transfer names ClickHouse tables after topics), e.g. finnhub_feed_gaps")
    .env("KAFKA_GAP_TOPIC").by(SERVICE, TERRAFORM, SCHEMA_TOOL)
    .doc("Feed gaps: one record per interval in which configured symbols had no live subscription (docs/gaps.md); one partition, keyed by connection.");
  public static final ConfigKey KAFKA_MAX_IN_FLIGHT_BYTES = integer(KAFKA, "max_in_flight_bytes", 64 * 1024, 256L * 1024 * 1024)
    .by(SERVICE).doc("Records handed to the producer and not yet acknowledged, in approximate heap bytes.");
  public static final ConfigKey KAFKA_QUEUE_LOW_WATERMARK_BYTES = integer(KAFKA, "queue_low_watermark_bytes", 0, 1L << 30)
    .by(SERVICE).doc("After a pause, the writer resumes Finnhub reading below this; below `queue_high_watermark_bytes`.");
  public static final ConfigKey KAFKA_QUEUE_HIGH_WATERMARK_BYTES = integer(KAFKA, "queue_high_watermark_bytes", 1, 1L << 30)
    .by(SERVICE).doc("The writer pauses Finnhub reading above this; below `queue_max_bytes`.");
  public static final ConfigKey KAFKA_QUEUE_MAX_BYTES = integer(KAFKA, "queue_max_bytes", 1, 1L << 30).by(SERVICE)
    .doc("Above this the queue overflows to the disk buffer instead of growing.");
  public static final ConfigKey KAFKA_OUTAGE_AFTER_MS = integer(KAFKA, "outage_after_ms", 500, 600_000).by(SERVICE)
    .doc("No acknowledgement this long with records outstanding, or sends refused this long, is a broker outage: trades go to the disk buffer.");
  public static final ConfigKey KAFKA_DISK_BUFFER_DIR = string(KAFKA, "disk_buffer_dir").env("KAFKA_DISK_BUFFER_DIR").by(SERVICE)
    .doc("Directory of the disk buffer for outages and restarts (created if missing; one process per directory).");
  public static final ConfigKey KAFKA_DISK_BUFFER_MAX_BYTES = integer(KAFKA, "disk_buffer_max_bytes", 1024 * 1024, 1L << 50)
    .by(SERVICE).doc("Disk budget of the buffer; past it trades are dropped, counted and logged.");
  public static final ConfigKey KAFKA_CLOSE_TIMEOUT_MS = integer(KAFKA, "close_timeout_ms", 100, 600_000).by(SERVICE)
    .doc("On SIGTERM, how long the writer waits for Kafka before the rest goes to the disk buffer.");

  // ---- http: the status endpoint (the service); Terraform opens the port ----
  private static final Section HTTP = section("http", true, "The status endpoint.");
  public static final ConfigKey HTTP_HOST = string(HTTP, "host").env("HTTP_HOST").by(SERVICE)
    .doc("Bind address: `127.0.0.1` locally, `0.0.0.0` in a container (set `HTTP_HOST=0.0.0.0` to run the local environment in one).");
  public static final ConfigKey HTTP_PORT = integer(HTTP, "port", 0, 65_535).env("HTTP_PORT").by(SERVICE, TERRAFORM)
    .doc("TCP port; 0 picks a free one (tests). Terraform points health checks and scrapes at it.");

  // ---- record: the Kafka record (the service writes it; Terraform builds Data Transfer's parser from it) ----
  private static final Section RECORD = section("record", true,
    "The one definition of the Kafka record: the service checks at start-up that it writes exactly these fields; Terraform builds Data Transfer's parser from it; the ClickHouse schemas are tested against it.");
  public static final ConfigKey RECORD_FIELDS = new Spec(RECORD, "fields", Type.OBJECT_LIST).by(SERVICE, TERRAFORM)
    .doc("Fields in order, each `{\"name\", \"type\", \"key\"}`; type one of string, int64, int32, float64, array<string>; key marks the deduplication key downstream.");

  // ---- dashboard: the local dashboard (the service) ----
  private static final Section DASHBOARD = section("dashboard", true,
    "The local dashboard, served only where `clickhouse_url` is set (locally; in the cloud DataLens is the dashboard).");
  public static final ConfigKey DASHBOARD_CLICKHOUSE_URL = string(DASHBOARD, "clickhouse_url").presence(OPTIONAL)
    .env("CLICKHOUSE_URL").by(SERVICE).doc("ClickHouse's HTTP interface, `http://host:port`, no credentials; setting it turns the dashboard on.");
  public static final ConfigKey DASHBOARD_REFRESH_MS = integer(DASHBOARD, "refresh_ms", 1_000, 3_600_000).by(SERVICE)
    .doc("How often the page reloads its data.");
  public static final ConfigKey DASHBOARD_WINDOW_MINUTES = integer(DASHBOARD, "window_minutes", 5, 24 * 60).by(SERVICE, DATALENS_TOOL)
    .doc("How many minutes of candles the page shows by default; the DataLens charts show the same window.");

  // ---- market_hours: open or closed, from Finnhub's REST API (the service) ----
  private static final Section MARKET_HOURS = section("market_hours", true,
    "Polls Finnhub REST `/stock/market-status` to tell \"market closed\" from \"feed stale\" for US symbols; crypto and forex count as always open. Off without `FINNHUB_TOKEN`.");
  public static final ConfigKey MARKET_HOURS_ENABLED = bool(MARKET_HOURS, "enabled").by(SERVICE)
    .doc("Poll at all; without a Finnhub token the poller stays off regardless.");
  public static final ConfigKey MARKET_HOURS_REST_URL = string(MARKET_HOURS, "rest_url").presence(OPTIONAL).env("FINNHUB_REST_URL")
    .by(SERVICE).doc("Finnhub's REST base. Absent: follows `finnhub.url` (`wss://ws.finnhub.io` gives `https://finnhub.io/api/v1`, an emulator's `ws://host:port` gives `http://host:port/api/v1`). Never holds the token (it travels in a header).");
  public static final ConfigKey MARKET_HOURS_EXCHANGE = string(MARKET_HOURS, "exchange").matching("[A-Z0-9]{1,8}",
      "is not an exchange code", "use a Finnhub exchange code such as US").by(SERVICE)
    .doc("The exchange asked about.");
  public static final ConfigKey MARKET_HOURS_POLL_MS = integer(MARKET_HOURS, "poll_ms", 1_000, 86_400_000).by(SERVICE)
    .doc("One REST call per this period at most (the free plan allows 60 a minute); a 429's `Retry-After` is honoured.");
  public static final ConfigKey MARKET_HOURS_STALE_AFTER_MS = integer(MARKET_HOURS, "stale_after_ms", 1_000, 86_400_000).by(SERVICE)
    .doc("A subscribed symbol whose market is open and whose last trade is older than this shows `STALE`.");

  // ---- ha: several instances sharing the keys (the service; Terraform creates the topic and the instances) ----
  private static final Section HA = section("ha", true,
    "Several instances, one connection per key: a Kafka consumer group on a coordination topic decides which instance holds each key (docs/ha.md). Off: this process holds every key, as a single instance always did.");
  public static final ConfigKey HA_ENABLED = bool(HA, "enabled").env("HA_ENABLED").by(SERVICE, TERRAFORM)
    .doc("Coordinate with other instances of the same environment; off by default. Terraform creates the coordination topic and runs `instances` VMs where it is on (and passes it to them as `HA_ENABLED`); refused with `runtime.kind` serverless_container.");
  public static final ConfigKey HA_TOPIC = string(HA, "topic").matching(TOPIC_NAME, "is not a topic name this pipeline accepts",
      "use lower-case letters, digits and underscores").env("HA_TOPIC").by(SERVICE, TERRAFORM)
    .doc("The coordination topic: one partition per key slot, never written to. Created at start-up when missing where `kafka.create_topics` (locally); in the cloud Terraform creates it and gives `kafka.username` the consumer role on it.");
  public static final ConfigKey HA_GROUP_ID = string(HA, "group_id").presence(OPTIONAL).env("HA_GROUP_ID").by(SERVICE)
    .doc("The consumer group of the instances. Absent: `finnhub-stream-<environment>`, one group per environment.");
  public static final ConfigKey HA_SLOTS = integer(HA, "slots", 1, 1_000).by(SERVICE, TERRAFORM)
    .doc("Key slots, the coordination topic's partitions: at least the number of keys, with headroom (partitions only grow). Slot k holds the k-th key of `FINNHUB_TOKEN`; the group balances the slots that hold a key, spare ones stay unassigned until a key is appended.");
  public static final ConfigKey HA_INSTANCES = integer(HA, "instances", 1, 10).presence(DEPLOYED).by(TERRAFORM)
    .doc("How many VMs the instance group runs where `enabled` (spread over the zones of `network.subnets`); ignored without HA, which always runs one. More instances than keys are hot standbys.");
  public static final ConfigKey HA_SESSION_TIMEOUT_MS = integer(HA, "session_timeout_ms", 6_000, 300_000).by(SERVICE)
    .doc("The group's session: a member silent this long loses its keys (the takeover time after a crash). At least 6000, the broker's floor.");
  public static final ConfigKey HA_HEARTBEAT_INTERVAL_MS = integer(HA, "heartbeat_interval_ms", 100, 60_000).by(SERVICE)
    .doc("Heartbeats to the group; at most a third of the session. Also bounds the handover gap of a planned move.");
  public static final ConfigKey HA_FENCE_MARGIN_MS = integer(HA, "fence_margin_ms", 500, 60_000).by(SERVICE)
    .doc("The lease (proof of membership) expires at `session_timeout_ms` minus this after the last confirmed renewal: a stale lease never opens a connection.");
  public static final ConfigKey HA_CONFIRM_INTERVAL_MS = integer(HA, "confirm_interval_ms", 100, 60_000).by(SERVICE)
    .doc("How often the lease is renewed (an offset commit of the owned slots); below `fence_margin_ms`.");
  public static final ConfigKey HA_ON_LEASE_LOSS = oneOf(HA, "on_lease_loss", "keep_open", "fence").env("HA_ON_LEASE_LOSS").by(SERVICE)
    .doc("What a stale lease does to a connection already open. `keep_open`: keep it (a Kafka outage costs no trades, as with one instance), never reopen without a lease. `fence`: close it (no overlap even when only this instance is cut off from Kafka, but a Kafka outage stops ingestion). docs/ha.md compares them.");

  // ---- yc: where Terraform deploys ----
  private static final Section YC = section("yc", false,
    "Where and under which names Terraform deploys: resources are `<project>-<env>-<role>`. Credentials come from `YC_TOKEN` or `YC_SERVICE_ACCOUNT_KEY_FILE`, never from the file.");
  public static final ConfigKey YC_CLOUD_ID = string(YC, "cloud_id").presence(DEPLOYED).by(TERRAFORM).doc("The cloud to deploy into.");
  public static final ConfigKey YC_FOLDER_ID = string(YC, "folder_id").presence(DEPLOYED).by(TERRAFORM).doc("The folder to deploy into.");
  public static final ConfigKey YC_PROJECT = string(YC, "project").presence(DEPLOYED).by(TERRAFORM)
    .doc("Name prefix, 2-21 characters `[a-z0-9-]`; resources are labelled `project`, `environment`, `managed_by`.");
  public static final ConfigKey YC_ZONE = string(YC, "zone").presence(DEPLOYED).by(TERRAFORM)
    .doc("Zone of ClickHouse and Data Transfer; must be one of `kafka_cluster.zones` and have a subnet.");
  public static final ConfigKey YC_DELETION_PROTECTION = bool(YC, "deletion_protection").presence(DEPLOYED).by(TERRAFORM)
    .doc("Protects the Kafka and ClickHouse clusters and the Lockbox secrets.");

  // ---- backend: Terraform's state ----
  private static final Section BACKEND = section("backend", false,
    "Terraform's state on Object Storage (`terraform/scripts/backend-config.sh`); an environment with this section is a deployed one.");
  public static final ConfigKey BACKEND_BUCKET = string(BACKEND, "bucket").presence(DEPLOYED).by(TERRAFORM).doc("The state bucket.");
  public static final ConfigKey BACKEND_KEY = string(BACKEND, "key").presence(DEPLOYED).by(TERRAFORM).doc("The state object's key.");
  public static final ConfigKey BACKEND_REGION = string(BACKEND, "region").presence(DEPLOYED).by(TERRAFORM).doc("The bucket's region.");

  // ---- network ----
  private static final Section NETWORK = section("network", false,
    "One subnet per zone; Kafka, ClickHouse, Data Transfer and the runtime live in them.");
  public static final ConfigKey NETWORK_SUBNETS = new Spec(NETWORK, "subnets", Type.STRING_MAP).presence(DEPLOYED).by(TERRAFORM)
    .doc("Zone → IPv4 CIDR.");

  // ---- kafka_cluster: Managed Kafka ----
  private static final Section KAFKA_CLUSTER = section("kafka_cluster", false, "Managed Kafka.");
  public static final ConfigKey KAFKA_CLUSTER_VERSION = string(KAFKA_CLUSTER, "version").presence(DEPLOYED).by(TERRAFORM)
    .doc("Kafka version (3.9 keeps ZooKeeper, so one broker in one zone is allowed).");
  public static final ConfigKey KAFKA_CLUSTER_ENVIRONMENT = oneOf(KAFKA_CLUSTER, "environment", "PRODUCTION", "PRESTABLE")
    .presence(DEPLOYED).by(TERRAFORM).doc("The cluster's environment.");
  public static final ConfigKey KAFKA_CLUSTER_ZONES = list(KAFKA_CLUSTER, "zones").presence(DEPLOYED).by(TERRAFORM)
    .doc("Zones of the brokers; each needs a subnet, and `yc.zone` must be one.");
  public static final ConfigKey KAFKA_CLUSTER_BROKERS_COUNT = integer(KAFKA_CLUSTER, "brokers_count", 1, 100).presence(DEPLOYED)
    .by(TERRAFORM).doc("Brokers per zone.");
  public static final ConfigKey KAFKA_CLUSTER_PRESET = string(KAFKA_CLUSTER, "preset").presence(DEPLOYED).by(TERRAFORM)
    .doc("Host class, e.g. s2.micro.");
  public static final ConfigKey KAFKA_CLUSTER_DISK_TYPE = string(KAFKA_CLUSTER, "disk_type").presence(DEPLOYED).by(TERRAFORM)
    .doc("Disk type, e.g. network-ssd.");
  public static final ConfigKey KAFKA_CLUSTER_DISK_GB = integer(KAFKA_CLUSTER, "disk_gb", 1, 100_000).presence(DEPLOYED).by(TERRAFORM)
    .doc("Disk per broker, GB.");

  // ---- clickhouse: Managed ClickHouse, and the schema the schema tool renders ----
  private static final Section CLICKHOUSE = section("clickhouse", false,
    "Managed ClickHouse (one host in `yc.zone`), and the schema `ci/clickhouse-schema.sh` applies.");
  public static final ConfigKey CLICKHOUSE_ENVIRONMENT = oneOf(CLICKHOUSE, "environment", "PRODUCTION", "PRESTABLE")
    .presence(DEPLOYED).by(TERRAFORM).doc("The cluster's environment.");
  public static final ConfigKey CLICKHOUSE_VERSION = string(CLICKHOUSE, "version").presence(DEPLOYED).by(TERRAFORM)
    .doc("ClickHouse version.");
  public static final ConfigKey CLICKHOUSE_PRESET = string(CLICKHOUSE, "preset").presence(DEPLOYED).by(TERRAFORM).doc("Host class.");
  public static final ConfigKey CLICKHOUSE_DISK_TYPE = string(CLICKHOUSE, "disk_type").presence(DEPLOYED).by(TERRAFORM).doc("Disk type.");
  public static final ConfigKey CLICKHOUSE_DISK_GB = integer(CLICKHOUSE, "disk_gb", 1, 100_000).presence(DEPLOYED).by(TERRAFORM)
    .doc("Disk, GB.");
  public static final ConfigKey CLICKHOUSE_DATABASE = string(CLICKHOUSE, "database").matching("[a-z_][a-z0-9_]{0,62}",
      "is not a lower-case identifier", "use e.g. \"market\"").by(SERVICE, TERRAFORM, SCHEMA_TOOL, DATALENS_TOOL)
    .doc("The database of the trades, bars and latest prices; the local dashboard and the DataLens charts read it.");
  public static final ConfigKey CLICKHOUSE_TABLE = string(CLICKHOUSE, "table").matching("[a-z_][a-z0-9_]{0,62}",
      "is not a lower-case identifier", "use e.g. \"trades\"").by(TERRAFORM, SCHEMA_TOOL, DATALENS_TOOL)
    .doc("The table Data Transfer writes into (and the schema's trades table; the DataLens feed-lag chart reads it).");
  public static final ConfigKey CLICKHOUSE_PUBLIC_ACCESS = bool(CLICKHOUSE, "public_access").presence(DEPLOYED).by(TERRAFORM)
    .doc("A public address for the host, reachable on 8443 (HTTPS) and 9440 (native TLS) from `admin_cidrs` only (the schema step from outside the network).");
  public static final ConfigKey CLICKHOUSE_ADMIN_CIDRS = list(CLICKHOUSE, "admin_cidrs").presence(DEPLOYED).by(TERRAFORM)
    .doc("Networks allowed to the public address; never 0.0.0.0/0.");
  public static final ConfigKey CLICKHOUSE_SCHEMA = oneOf(CLICKHOUSE, "schema", "local", "modern").by(SCHEMA_TOOL)
    .doc("Which schema the schema tool renders: `modern` (Managed ClickHouse fed by Data Transfer) or `local` (ClickHouse 18.16 reading Kafka itself).");
  public static final ConfigKey CLICKHOUSE_TRADES_TTL_DAYS = integer(CLICKHOUSE, "trades_ttl_days", 1, 100_000).by(SCHEMA_TOOL)
    .doc("TTL of the trades in the modern schema.");
  public static final ConfigKey CLICKHOUSE_OHLCV_TTL_DAYS = integer(CLICKHOUSE, "ohlcv_ttl_days", 1, 100_000).by(SCHEMA_TOOL)
    .doc("TTL of the bars in the modern schema.");

  // ---- datalens: the cloud dashboard (Terraform opens ClickHouse to it; the DataLens tool builds it) ----
  private static final Section DATALENS = section("datalens", false,
    "The DataLens dashboard of a deployed environment: Terraform opens ClickHouse to DataLens and creates its read-only user; "
      + "`ci/datalens.sh` (the DataLens tool) builds the workbook, connection, charts and dashboard from `src/tools/resources/datalens/`. "
      + "The IAM token comes from `YC_TOKEN` or the VM's metadata service, never from the file.");
  public static final ConfigKey DATALENS_ENABLED = bool(DATALENS, "enabled").by(TERRAFORM, DATALENS_TOOL)
    .doc("Open ClickHouse to DataLens, create the `datalens_reader` user, and let the tool run. No variable: Terraform reads the file only, and the two must agree.");
  public static final ConfigKey DATALENS_ENDPOINT = string(DATALENS, "endpoint").env("DATALENS_ENDPOINT").by(DATALENS_TOOL)
    .doc("The DataLens Public API, `https://api.datalens.tech`.");
  public static final ConfigKey DATALENS_ORGANIZATION_ID = string(DATALENS, "organization_id").presence(OPTIONAL)
    .matching("[A-Za-z0-9_-]{1,64}", "is not an organization id", "copy the id from the Yandex Cloud organization's page (yc organization-manager organization list)")
    .env("DATALENS_ORGANIZATION_ID").by(DATALENS_TOOL).doc("The Yandex Cloud organization the DataLens instance belongs to (`x-dl-org-id`); required where `enabled`.");
  public static final ConfigKey DATALENS_WORKBOOK = string(DATALENS, "workbook").presence(OPTIONAL).env("DATALENS_WORKBOOK").by(DATALENS_TOOL)
    .doc("Title of the environment's workbook, unique in the organization's collection (e.g. `finnhub-stream-dev`); required where `enabled`.");
  public static final ConfigKey DATALENS_COLLECTION_ID = string(DATALENS, "collection_id").presence(OPTIONAL).env("DATALENS_COLLECTION_ID")
    .by(DATALENS_TOOL).doc("The collection the workbook lives in; absent: the root.");
  public static final ConfigKey DATALENS_REFRESH_SECONDS = integer(DATALENS, "refresh_seconds", 30, 86_400).env("DATALENS_REFRESH_SECONDS")
    .by(DATALENS_TOOL).doc("The dashboard's auto-update interval (DataLens allows 30 s and more).");
  public static final ConfigKey DATALENS_CACHE_TTL_SECONDS = integer(DATALENS, "cache_ttl_seconds", 0, 86_400).env("DATALENS_CACHE_TTL_SECONDS")
    .by(DATALENS_TOOL).doc("How long DataLens caches a query's result on the connection; at most `refresh_seconds`, or a refresh would show cached rows.");

  // ---- registry: the image ----
  private static final Section REGISTRY = section("registry", false, "Container Registry `<project>-<env>` and the image the runtime runs.");
  public static final ConfigKey REGISTRY_REPOSITORY = string(REGISTRY, "repository").presence(DEPLOYED).by(TERRAFORM)
    .doc("Repository of the service image: `cr.yandex/<registry id>/<repository>:<tag>`.");
  public static final ConfigKey REGISTRY_IMAGE_TAG = string(REGISTRY, "image_tag").presence(DEPLOYED).by(TERRAFORM)
    .doc("The tag the runtime runs; fixed, never `latest` (a re-pushed tag is not redeployed).");

  // ---- runtime: where the service runs ----
  private static final Section RUNTIME = section("runtime", false,
    "Where the service runs: an always-on instance group, or a serverless container started by a timer (docs/deployment.md).");
  public static final ConfigKey RUNTIME_KIND = oneOf(RUNTIME, "kind", "instance_group", "serverless_container").presence(DEPLOYED)
    .by(TERRAFORM).doc("Exactly one runtime per environment: two would hold two connections with one Finnhub key.");
  public static final ConfigKey RUNTIME_HEALTH_CHECK_CIDRS = list(RUNTIME, "health_check_cidrs").presence(DEPLOYED).by(TERRAFORM)
    .doc("Source ranges of the instance group's health checks to `http.port`; not empty.");
  public static final ConfigKey RUNTIME_METRICS_CIDRS = list(RUNTIME, "metrics_cidrs").presence(DEPLOYED).by(TERRAFORM)
    .doc("Ranges allowed to scrape `http.port`, besides the network's own subnets.");
  public static final ConfigKey RUNTIME_SOURCE_CIDRS = list(RUNTIME, "source_cidrs").presence(DEPLOYED).by(TERRAFORM)
    .doc("Extra source ranges allowed to Kafka.");
  public static final ConfigKey RUNTIME_VM_PLATFORM_ID = string(RUNTIME, "vm_platform_id").presence(DEPLOYED).by(TERRAFORM)
    .doc("The instance group VM's platform.");
  public static final ConfigKey RUNTIME_VM_CORES = integer(RUNTIME, "vm_cores", 1, 256).presence(DEPLOYED).by(TERRAFORM)
    .doc("The VM's cores.");
  public static final ConfigKey RUNTIME_VM_MEMORY_GB = integer(RUNTIME, "vm_memory_gb", 1, 1024).presence(DEPLOYED).by(TERRAFORM)
    .doc("The VM's memory, GB.");
  public static final ConfigKey RUNTIME_VM_CORE_FRACTION = integer(RUNTIME, "vm_core_fraction", 5, 100).presence(DEPLOYED).by(TERRAFORM)
    .doc("The VM's guaranteed core share: 20, 50 or 100.");
  public static final ConfigKey RUNTIME_VM_DISK_GB = integer(RUNTIME, "vm_disk_gb", 1, 10_000).presence(DEPLOYED).by(TERRAFORM)
    .doc("The VM's disk, GB; the Container Optimized Image needs 30.");
  public static final ConfigKey RUNTIME_LOG_AGENT_IMAGE = string(RUNTIME, "log_agent_image").presence(DEPLOYED).by(TERRAFORM)
    .doc("The Fluent Bit agent that ships the VM's output to Cloud Logging.");
  public static final ConfigKey RUNTIME_LOG_RETENTION_HOURS = integer(RUNTIME, "log_retention_hours", 1, 744).presence(DEPLOYED)
    .by(TERRAFORM).doc("Retention of the Cloud Logging group.");
  public static final ConfigKey RUNTIME_SERVERLESS_MEMORY_MB = integer(RUNTIME, "serverless_memory_mb", 512, 8192).presence(DEPLOYED)
    .by(TERRAFORM).doc("The serverless container's memory, a multiple of 128.");
  public static final ConfigKey RUNTIME_SERVERLESS_CORES = integer(RUNTIME, "serverless_cores", 1, 4).presence(DEPLOYED).by(TERRAFORM)
    .doc("The serverless container's cores.");
  public static final ConfigKey RUNTIME_SERVERLESS_CORE_FRACTION = integer(RUNTIME, "serverless_core_fraction", 5, 100)
    .presence(DEPLOYED).by(TERRAFORM).doc("The serverless container's core share: 5, 20, 50 or 100.");
  public static final ConfigKey RUNTIME_SERVERLESS_INTERVAL_MINUTES = integer(RUNTIME, "serverless_interval_minutes", 1, 1440)
    .presence(DEPLOYED).by(TERRAFORM).doc("A run every this many minutes (divides an hour or a day); must exceed the execution timeout.");
  public static final ConfigKey RUNTIME_SERVERLESS_EXECUTION_TIMEOUT_S = integer(RUNTIME, "serverless_execution_timeout_s", 120, 3600)
    .presence(DEPLOYED).by(TERRAFORM).doc("The platform kills a run after this long.");
  public static final ConfigKey RUNTIME_SERVERLESS_STOP_BEFORE_TIMEOUT_S = integer(RUNTIME, "serverless_stop_before_timeout_s", 10, 3600)
    .presence(DEPLOYED).by(TERRAFORM).doc("The service stops itself this long before the timeout (`RUN_SECONDS`).");

  private ConfigKeys() {
  }

  /** Every section, in declaration order. */
  public static List<Section> sections() {
    return List.copyOf(SECTIONS.values());
  }

  public static Optional<Section> section(String name) {
    return Optional.ofNullable(SECTIONS.get(name));
  }

  /** Every key, in declaration order. */
  public static List<ConfigKey> all() {
    List<ConfigKey> keys = new ArrayList<>();
    SECTIONS.values().forEach(s -> keys.addAll(s.keys()));
    return keys;
  }

  /** The keys an environment variable overrides. */
  public static List<ConfigKey> overridden() {
    return all().stream().filter(k -> k.variable() != null).toList();
  }

  // ---- declaration helpers: a Spec collects one key's facts and declares it on doc(), its last call ----

  private static Section section(String name, boolean service, String doc) {
    Section section = new Section(name, service, doc, new ArrayList<>());
    SECTIONS.put(name, section);
    return section;
  }

  private static Spec string(Section section, String name) {
    return new Spec(section, name, Type.STRING);
  }

  private static Spec list(Section section, String name) {
    return new Spec(section, name, Type.STRING_LIST);
  }

  private static Spec bool(Section section, String name) {
    return new Spec(section, name, Type.BOOLEAN);
  }

  private static Spec integer(Section section, String name, long min, long max) {
    Spec spec = new Spec(section, name, Type.INTEGER);
    spec.min = min;
    spec.max = max;
    return spec;
  }

  private static Spec oneOf(Section section, String name, String... allowed) {
    Spec spec = new Spec(section, name, Type.STRING);
    spec.allowed = List.of(allowed);
    return spec;
  }

  private static final class Spec {
    private final Section section;
    private final String name;
    private final Type type;
    private Presence presence = REQUIRED;
    private Set<Reader> readers = EnumSet.noneOf(Reader.class);
    private long min;
    private long max;
    private List<String> allowed = List.of();
    private Pattern pattern;
    private String problem;
    private String fix;
    private String variable;

    Spec(Section section, String name, Type type) {
      this.section = section;
      this.name = name;
      this.type = type;
    }

    Spec presence(Presence p) {
      presence = p;
      return this;
    }

    Spec by(Reader... r) {
      Collections.addAll(readers, r);
      return this;
    }

    Spec matching(String regex, String problemText, String fixText) {
      pattern = Pattern.compile(regex);
      problem = problemText;
      fix = fixText;
      return this;
    }

    Spec env(String name) {
      variable = name;
      return this;
    }

    ConfigKey doc(String doc) {
      ConfigKey key = new ConfigKey(section.name(), name, type, presence, readers, min, max, allowed, pattern, problem, fix,
        variable, doc);
      section.keys.add(key); // during ConfigKeys' class initialisation only
      return key;
    }
  }
}
