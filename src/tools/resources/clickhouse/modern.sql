-- Schema for Yandex Managed ClickHouse (a current version), rendered by
-- dev.finnhubstream.clickhouse.SchemaTool and applied by ci/clickhouse-schema.sh <env>; the tests run
-- it on chdb (ClickHouse 26.x). Yandex Data Transfer writes the Kafka records into ${trades_table};
-- materialized views copy its last 2 days into trades_recent and feed the last trade; refreshable materialized
-- views settle exact 1-minute bars from trades_recent. Placeholders ${...} come from
-- conf/app.json (section clickhouse).
--
-- Writer columns of ${trades_table} (all but the MATERIALIZED one): exactly record.fields of
-- conf/app.json, in order (ClickHouseGenerationsIT proves it on chdb). conditions is a String holding JSON text because
-- Data Transfer's parser maps a JSON array (type ANY) to String: read it with
-- JSONExtract(conditions, 'Array(String)').
--
-- Pre-create this table before the transfer's first activation, with the target endpoint's cleanup
-- policy DISABLED, so that Data Transfer neither drops it nor creates a plain MergeTree of its own.
-- Idempotent: every object is created if missing; ohlcv_1m_bars is replaced and the old per-block feed of
-- the bars dropped, which leaves a second run's result as the first one's.

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

-- 1-minute OHLCV bars, exact whatever the redelivery: every bar is computed from deduplicated trades (FINAL),
-- never from inserted blocks (a view fed per block counts a redelivered trade twice). open/close are
-- argMin/argMax by trade time; prints sharing a millisecond are ordered as Finnhub sent them, by the frame
-- sequence and the index in the frame: the last two parts of ingest_id (<runId>-<frameSeq>-<index>).
-- Three parts (docs/clickhouse.md, "Exact bars"):
--   trades_recent     the last 2 days of trades again, sorted by time first, so that the last minutes of all
--                     symbols are a few granules (in ${trades_table}, sorted by symbol first, they are one
--                     granule or more per symbol and part, and FINAL cannot prune its daily partitions);
--   ohlcv_1m_settled  bars of past minutes, recomputed from trades_recent FINAL by two refreshable
--                     materialized views; the newest version of a bar (settled_at) wins; sorted by minute
--                     first too, as every dashboard query asks for a time window;
--   ohlcv_1m_bars     what dashboards read: the settled bars up to the newest settled minute, then the
--                     minutes after it computed from trades_recent FINAL at read time (a few minutes).
-- A trade redelivered at any time collapses under FINAL, so it changes no bar. A trade first delivered late,
-- for a minute already settled, shows after the next refresh covering that minute (every minute: from 9
-- minutes before the newest settled minute; every hour: the last day).
CREATE TABLE IF NOT EXISTS ${database}.trades_recent
(
    symbol       LowCardinality(String),
    trade_ts_ms  Int64 CODEC(DoubleDelta, ZSTD(1)),
    price        Float64 CODEC(Gorilla, ZSTD(1)),
    volume       Float64 CODEC(Gorilla, ZSTD(1)),
    ingest_id    String CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY intDiv(trade_ts_ms, 86400000)
ORDER BY (trade_ts_ms, symbol, ingest_id)
TTL toDateTime(intDiv(trade_ts_ms, 1000)) + INTERVAL 2 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.trades_recent_mv TO ${database}.trades_recent AS
SELECT symbol, trade_ts_ms, price, volume, ingest_id
FROM ${database}.${trades_table};

CREATE TABLE IF NOT EXISTS ${database}.ohlcv_1m_settled
(
    symbol      LowCardinality(String),
    minute      DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    open        Float64 CODEC(Gorilla, ZSTD(1)),
    high        Float64 CODEC(Gorilla, ZSTD(1)),
    low         Float64 CODEC(Gorilla, ZSTD(1)),
    close       Float64 CODEC(Gorilla, ZSTD(1)),
    volume      Float64 CODEC(Gorilla, ZSTD(1)),
    trades      UInt64 CODEC(T64, ZSTD(1)),
    settled_at  DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1))
)
ENGINE = ReplacingMergeTree(settled_at)
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, symbol)
TTL minute + INTERVAL ${ohlcv_ttl_days} DAY;

-- Every minute: settles the minutes before the previous one, from 9 minutes before the newest settled minute
-- (late trades), or further back after a pause, at most a day back (history older than trades_recent is
-- settled by hand from ${trades_table} FINAL, docs/clickhouse.md).
CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.ohlcv_1m_settle_mv
REFRESH EVERY 1 MINUTE APPEND TO ${database}.ohlcv_1m_settled AS
WITH
    toInt64(toUnixTimestamp(toStartOfMinute(now()))) AS now_s,
    toInt64(toUnixTimestamp((SELECT max(minute) FROM ${database}.ohlcv_1m_settled))) AS settled_s,
    greatest(least(settled_s - 540, now_s - 600), now_s - 86400) AS from_s,
    now_s - 60 AS until_s
SELECT
    symbol,
    toStartOfMinute(toDateTime(intDiv(trade_ts_ms, 1000), 'UTC')) AS minute,
    argMin(price, (trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))) AS open,
    max(price) AS high,
    min(price) AS low,
    argMax(price, (trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))) AS close,
    sum(volume) AS volume,
    count() AS trades,
    now64(3, 'UTC') AS settled_at
FROM ${database}.trades_recent FINAL
WHERE trade_ts_ms >= from_s * 1000 AND trade_ts_ms < until_s * 1000
GROUP BY symbol, minute;

-- Every hour: settles the last day again, for trades first delivered more than 10 minutes late.
CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.ohlcv_1m_settle_day_mv
REFRESH EVERY 1 HOUR APPEND TO ${database}.ohlcv_1m_settled AS
WITH
    toInt64(toUnixTimestamp(toStartOfMinute(now()))) AS now_s,
    now_s - 86400 AS from_s,
    now_s - 60 AS until_s
SELECT
    symbol,
    toStartOfMinute(toDateTime(intDiv(trade_ts_ms, 1000), 'UTC')) AS minute,
    argMin(price, (trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))) AS open,
    max(price) AS high,
    min(price) AS low,
    argMax(price, (trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))) AS close,
    sum(volume) AS volume,
    count() AS trades,
    now64(3, 'UTC') AS settled_at
FROM ${database}.trades_recent FINAL
WHERE trade_ts_ms >= from_s * 1000 AND trade_ts_ms < until_s * 1000
GROUP BY symbol, minute;

-- The bars as plain columns: what dashboards read (the same columns as in local.sql). Settled bars up to the
-- newest settled minute, then the later minutes from trades_recent. The two parts meet exactly: ClickHouse
-- evaluates identical scalar subqueries once per query. OR REPLACE: earlier versions of this file read a table
-- fed per block here.
CREATE OR REPLACE VIEW ${database}.ohlcv_1m_bars AS
SELECT symbol, minute, open, high, low, close, volume, trades
FROM ${database}.ohlcv_1m_settled FINAL
WHERE minute <= (SELECT max(minute) FROM ${database}.ohlcv_1m_settled)
UNION ALL
WITH
    toInt64(toUnixTimestamp((SELECT max(minute) FROM ${database}.ohlcv_1m_settled))) + 60 AS from_s
SELECT
    symbol,
    toStartOfMinute(toDateTime(intDiv(trade_ts_ms, 1000), 'UTC')) AS minute,
    argMin(price, (trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))) AS open,
    max(price) AS high,
    min(price) AS low,
    argMax(price, (trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))) AS close,
    sum(volume) AS volume,
    count() AS trades
FROM ${database}.trades_recent FINAL
WHERE trade_ts_ms >= from_s * 1000
GROUP BY symbol, minute;

-- Earlier versions of this file fed a table ohlcv_1m per inserted block, inexact under redelivery: stop that
-- feed. The table itself, if present, is read by nothing any more (docs/clickhouse.md: dropping it).
DROP TABLE IF EXISTS ${database}.ohlcv_1m_mv;

-- Last trade per symbol: stays one row per symbol after merges, so latest_price is cheap however long
-- the history grows. Exact under redelivery although fed per inserted block: argMax and max give the same
-- result however often a trade comes.
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

-- Feed gaps (docs/gaps.md): one row per interval in which configured symbols had no live subscription. Data
-- Transfer writes the gap topic here (its own transfer, terraform/transfer.tf); pre-create it like the trades
-- table. symbols is JSON text, as Data Transfer maps a JSON array (conditions is the same); symbol_list is the
-- array. ReplacingMergeTree keyed by the gap's stable id: a redelivered gap collapses on merge; exact reads use
-- FINAL (feed_gap_symbols does). Gaps are few: no TTL, kept as long as the trades they explain and longer.
CREATE TABLE IF NOT EXISTS ${database}.feed_gaps
(
    gap_id          String,
    connection      LowCardinality(String),
    symbols         String,
    from_ms         Int64,
    to_ms           Int64,
    duration_ms     Int64,
    reason          LowCardinality(String),
    market_open     LowCardinality(String),
    schema_version  Int32,
    symbol_list     Array(String) MATERIALIZED JSONExtract(symbols, 'Array(String)')
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(toDateTime(intDiv(from_ms, 1000), 'UTC'))
ORDER BY (from_ms, gap_id);

-- One row per symbol and gap, deduplicated: what coverage queries read (the same view exists in local.sql).
CREATE VIEW IF NOT EXISTS ${database}.feed_gap_symbols AS
SELECT arrayJoin(symbol_list) AS symbol, from_ms, to_ms, reason, market_open, connection, gap_id
FROM ${database}.feed_gaps FINAL;
