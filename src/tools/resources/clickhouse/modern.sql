-- Schema for Yandex Managed ClickHouse (a current version), rendered by
-- dev.finnhubstream.clickhouse.SchemaTool and applied by ci/clickhouse-schema.sh <env>; the tests run
-- it on chdb (ClickHouse 26.x). Yandex Data Transfer writes the Kafka records into ${trades_table};
-- materialized views on that table feed the bars and the last trade. Placeholders ${...} come from
-- conf/app.json (section clickhouse).
--
-- Writer columns of ${trades_table} (all but the MATERIALIZED one): exactly record.fields of
-- conf/app.json, in order (ClickHouseGenerationsIT proves it on chdb). conditions is a String holding JSON text because
-- Data Transfer's parser maps a JSON array (type ANY) to String: read it with
-- JSONExtract(conditions, 'Array(String)').
--
-- Pre-create this table before the transfer's first activation, with the target endpoint's cleanup
-- policy DISABLED, so that Data Transfer neither drops it nor creates a plain MergeTree of its own.
-- Idempotent: every object is created if missing.

CREATE DATABASE IF NOT EXISTS ${database};

-- Raw trades, one row per trade. ReplacingMergeTree keyed by (symbol, trade_ts_ms, ingest_id): Data
-- Transfer delivers at least once, and a redelivered trade (same ingest_id) collapses on merge, while
-- distinct prints of one symbol in one millisecond, even identical ones, never do. Exact reads use FINAL.
-- Codecs: DoubleDelta for the near-monotonic timestamps, Gorilla for slowly moving prices and sizes.
-- TTL drops rows older than ${trades_ttl_days} days (also at insert time: backfills older than that vanish).
CREATE TABLE IF NOT EXISTS ${database}.${trades_table}
(
    symbol          LowCardinality(String),
    trade_ts_ms     Int64 CODEC(DoubleDelta, ZSTD(1)),
    price           Float64 CODEC(Gorilla, ZSTD(1)),
    volume          Float64 CODEC(Gorilla, ZSTD(1)),
    conditions      String CODEC(ZSTD(1)),
    received_at_ms  Int64 CODEC(DoubleDelta, ZSTD(1)),
    ingest_id       String CODEC(ZSTD(1)),
    schema_version  Int32 CODEC(ZSTD(1)),
    trade_time      DateTime64(3, 'UTC') MATERIALIZED fromUnixTimestamp64Milli(trade_ts_ms, 'UTC') CODEC(DoubleDelta, ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMMDD(trade_time)
ORDER BY (symbol, trade_ts_ms, ingest_id)
TTL toDateTime(trade_time) + INTERVAL ${trades_ttl_days} DAY;

-- 1-minute OHLCV bars (one row per symbol and minute after merges). open/close are argMin/argMax by
-- trade time; prints sharing a millisecond are ordered as Finnhub sent them, by the frame sequence and
-- the index in the frame: the last two parts of ingest_id (<runId>-<frameSeq>-<index>).
-- A view fires on every inserted block, so a redelivered trade counts twice in volume and trades
-- (open/high/low/close are unaffected); exact bars come from the raw table with FINAL.
CREATE TABLE IF NOT EXISTS ${database}.ohlcv_1m
(
    symbol  LowCardinality(String),
    minute  DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    open    AggregateFunction(argMin, Float64, Tuple(Int64, UInt64, UInt32)),
    high    SimpleAggregateFunction(max, Float64),
    low     SimpleAggregateFunction(min, Float64),
    close   AggregateFunction(argMax, Float64, Tuple(Int64, UInt64, UInt32)),
    volume  SimpleAggregateFunction(sum, Float64),
    trades  SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (symbol, minute)
TTL minute + INTERVAL ${ohlcv_ttl_days} DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.ohlcv_1m_mv TO ${database}.ohlcv_1m AS
SELECT
    symbol,
    toStartOfMinute(toDateTime(intDiv(trade_ts_ms, 1000), 'UTC')) AS minute,
    argMinState(price, (trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))) AS open,
    max(price) AS high,
    min(price) AS low,
    argMaxState(price, (trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))) AS close,
    sum(volume) AS volume,
    toUInt64(count()) AS trades
FROM ${database}.${trades_table}
GROUP BY symbol, minute;

-- The bars as plain columns: what dashboards read (the same view exists in local.sql).
CREATE VIEW IF NOT EXISTS ${database}.ohlcv_1m_bars AS
SELECT
    symbol,
    minute,
    argMinMerge(open) AS open,
    max(high) AS high,
    min(low) AS low,
    argMaxMerge(close) AS close,
    sum(volume) AS volume,
    sum(trades) AS trades
FROM ${database}.ohlcv_1m
GROUP BY symbol, minute;

-- Last trade per symbol: stays one row per symbol after merges, so latest_price is cheap however long
-- the history grows.
CREATE TABLE IF NOT EXISTS ${database}.latest_trade
(
    symbol               LowCardinality(String),
    last_price           AggregateFunction(argMax, Float64, Tuple(Int64, UInt64, UInt32)),
    last_trade_ts_ms     SimpleAggregateFunction(max, Int64),
    last_received_at_ms  SimpleAggregateFunction(max, Int64)
)
ENGINE = AggregatingMergeTree
ORDER BY symbol;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.latest_trade_mv TO ${database}.latest_trade AS
SELECT
    symbol,
    argMaxState(price, (trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))) AS last_price,
    max(trade_ts_ms) AS last_trade_ts_ms,
    max(received_at_ms) AS last_received_at_ms
FROM ${database}.${trades_table}
GROUP BY symbol;

CREATE VIEW IF NOT EXISTS ${database}.latest_price AS
SELECT
    symbol,
    argMaxMerge(last_price) AS price,
    max(last_trade_ts_ms) AS trade_ts_ms,
    max(last_received_at_ms) AS received_at_ms
FROM ${database}.latest_trade
GROUP BY symbol;
