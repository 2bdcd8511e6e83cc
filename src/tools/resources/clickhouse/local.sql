-- Schema for the LOCAL pipeline on ClickHouse 18.16 (Debian's package), rendered by
-- dev.finnhubstream.clickhouse.SchemaTool and applied by ci/clickhouse-schema.sh local.
-- ClickHouse's Kafka engine plays Yandex Data Transfer's part: trades_queue reads the topic and three
-- materialized views take every block from it: into the raw table, the 1-minute bars and the last trade.
-- (On 18.16 a view on the raw table would not fire for rows a view inserted: ClickHouse#2174. So all
-- views hang off the queue, where modern.sql hangs them off the raw table that Data Transfer fills.)
--
-- 18.16 has no DateTime64, LowCardinality (without an experimental flag), CODEC, TTL or insert
-- deduplication tokens: see modern.sql for what Managed ClickHouse gets. Placeholders ${...} come from
-- conf/app.json (sections clickhouse and kafka) and the environment.
--
-- Columns of the raw table, which trades_queue copies: exactly record.fields of conf/app.json, in order
-- (ClickHouseGenerationsIT proves it on the running server). On 18.16 a JSON key that is not a column makes
-- the whole message unparseable, so add the column here before the service writes a new field.
--
-- Idempotent: every object is created if missing; the Kafka table is dropped and created again, which
-- resumes from the consumer group's committed offsets.

CREATE DATABASE IF NOT EXISTS ${database};

-- Raw trades, one row per trade. ReplacingMergeTree keyed by (symbol, trade_ts_ms, ingest_id): a trade
-- delivered twice (same ingest_id) collapses into one row on merge, while distinct prints of one symbol
-- in one millisecond, even identical ones, never do (their ingest_ids differ). Exact reads use FINAL.
CREATE TABLE IF NOT EXISTS ${database}.${trades_table}
(
    symbol          String,
    trade_ts_ms     Int64,
    price           Float64,
    volume          Float64,
    conditions      Array(String),
    received_at_ms  Int64,
    ingest_id       String,
    schema_version  Int32
)
ENGINE = ReplacingMergeTree
-- No derived Date column: 18.16 fills no DEFAULT column on inserts through a materialized view.
-- Monthly partitions; without TTL on 18.16, drop old ones by hand (ALTER TABLE ... DROP PARTITION 202501).
PARTITION BY toYYYYMM(toDateTime(intDiv(trade_ts_ms, 1000), 'UTC'))
ORDER BY (symbol, trade_ts_ms, ingest_id);

-- 1-minute OHLCV bars (one row per symbol and minute after merges). open/close are argMin/argMax by
-- trade time; prints sharing a millisecond are ordered as Finnhub sent them, by the frame sequence and
-- the index in the frame: the last two parts of ingest_id (<runId>-<frameSeq>-<index>).
-- A view fires on every inserted block, so a redelivered trade counts twice in volume and trades
-- (open/high/low/close are unaffected); exact bars come from the raw table with FINAL.
CREATE TABLE IF NOT EXISTS ${database}.ohlcv_1m
(
    symbol  String,
    minute  DateTime('UTC'),
    open    AggregateFunction(argMin, Float64, Tuple(Int64, UInt64, UInt32)),
    high    AggregateFunction(max, Float64),
    low     AggregateFunction(min, Float64),
    close   AggregateFunction(argMax, Float64, Tuple(Int64, UInt64, UInt32)),
    volume  AggregateFunction(sum, Float64),
    trades  AggregateFunction(count)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (symbol, minute);

-- The bars as plain columns: what dashboards read (the same view exists in modern.sql).
CREATE VIEW IF NOT EXISTS ${database}.ohlcv_1m_bars AS
SELECT
    symbol,
    minute,
    argMinMerge(open) AS open,
    maxMerge(high) AS high,
    minMerge(low) AS low,
    argMaxMerge(close) AS close,
    sumMerge(volume) AS volume,
    countMerge(trades) AS trades
FROM ${database}.ohlcv_1m
GROUP BY symbol, minute;

-- Last trade per symbol: stays one row per symbol after merges, so latest_price is cheap however long
-- the history grows.
CREATE TABLE IF NOT EXISTS ${database}.latest_trade
(
    symbol               String,
    last_price           AggregateFunction(argMax, Float64, Tuple(Int64, UInt64, UInt32)),
    last_trade_ts_ms     AggregateFunction(max, Int64),
    last_received_at_ms  AggregateFunction(max, Int64)
)
ENGINE = AggregatingMergeTree
ORDER BY symbol;

CREATE VIEW IF NOT EXISTS ${database}.latest_price AS
SELECT
    symbol,
    argMaxMerge(last_price) AS price,
    maxMerge(last_trade_ts_ms) AS trade_ts_ms,
    maxMerge(last_received_at_ms) AS received_at_ms
FROM ${database}.latest_trade
GROUP BY symbol;

-- Feed gaps (docs/gaps.md): one row per interval in which configured symbols had no live subscription, read from
-- the gap topic by a Kafka table of its own, as trades are. ReplacingMergeTree keyed by the gap's stable id: a
-- redelivered gap collapses on merge; exact reads use FINAL (feed_gap_symbols does).
CREATE TABLE IF NOT EXISTS ${database}.feed_gaps
(
    gap_id          String,
    connection      String,
    symbols         Array(String),
    from_ms         Int64,
    to_ms           Int64,
    duration_ms     Int64,
    reason          String,
    market_open     String,
    schema_version  Int32
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(toDateTime(intDiv(from_ms, 1000), 'UTC'))
ORDER BY (from_ms, gap_id);

-- One row per symbol and gap, deduplicated: what coverage queries read (the same view exists in modern.sql).
CREATE VIEW IF NOT EXISTS ${database}.feed_gap_symbols AS
SELECT arrayJoin(symbols) AS symbol, from_ms, to_ms, reason, market_open, connection, gap_id
FROM ${database}.feed_gaps FINAL;

-- The gap topic's consumer, created like trades_queue below: its view first, on a Null stand-in, then the Kafka table.
-- A consumer group of its own: the trades' group keeps its partitions to itself.
CREATE TABLE IF NOT EXISTS ${database}.feed_gaps_queue AS ${database}.feed_gaps
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.feed_gaps_queue_mv TO ${database}.feed_gaps AS
SELECT gap_id, connection, symbols, from_ms, to_ms, duration_ms, reason, market_open, schema_version
FROM ${database}.feed_gaps_queue;

DROP TABLE ${database}.feed_gaps_queue;

-- A few records an hour: one per block, so that a gap is a row about one flush interval after it closed.
CREATE TABLE ${database}.feed_gaps_queue AS ${database}.feed_gaps
ENGINE = Kafka
SETTINGS kafka_broker_list = '${kafka_brokers}',
         kafka_topic_list = '${kafka_gap_topic}',
         kafka_group_name = '${kafka_group}_gaps',
         kafka_format = 'JSONEachRow',
         kafka_num_consumers = 1,
         kafka_max_block_size = 1;

-- The views below must all exist before the Kafka table reads its first block: a block goes only to
-- the views that exist when it is read. So they are created on a Null-engine stand-in of the queue,
-- which is then swapped for the Kafka table (views follow the table name). Both take the raw table's
-- columns: one column list for the whole local schema.
CREATE TABLE IF NOT EXISTS ${database}.trades_queue AS ${database}.${trades_table}
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.trades_queue_mv TO ${database}.${trades_table} AS
SELECT symbol, trade_ts_ms, price, volume, conditions, received_at_ms, ingest_id, schema_version
FROM ${database}.trades_queue;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.ohlcv_1m_mv TO ${database}.ohlcv_1m AS
SELECT
    symbol,
    toStartOfMinute(toDateTime(intDiv(trade_ts_ms, 1000), 'UTC')) AS minute,
    argMinState(price, (trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))) AS open,
    maxState(price) AS high,
    minState(price) AS low,
    argMaxState(price, (trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))) AS close,
    sumState(volume) AS volume,
    countState() AS trades
FROM ${database}.trades_queue
GROUP BY symbol, minute;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.latest_trade_mv TO ${database}.latest_trade AS
SELECT
    symbol,
    argMaxState(price, (trade_ts_ms, toUInt64OrZero(splitByChar('-', ingest_id)[-2]), toUInt32OrZero(splitByChar('-', ingest_id)[-1]))) AS last_price,
    maxState(trade_ts_ms) AS last_trade_ts_ms,
    maxState(received_at_ms) AS last_received_at_ms
FROM ${database}.trades_queue
GROUP BY symbol;

DROP TABLE ${database}.trades_queue;

-- The consumer: one flat JSON object per Kafka record (JSONEachRow), as the service writes it. A new
-- consumer group starts at the earliest offset (<kafka><auto_offset_reset> in the server config).
-- Latency: 18.16 checks its flush interval (stream_flush_interval_ms, set by ci/clickhouse.sh) only
-- between blocks, and a block ends only after kafka_max_block_size messages or a 500 ms pause in the
-- stream. With the default (65536) a steady stream of trades would stay invisible for minutes; small
-- blocks make rows visible about every flush interval. Blocks are squashed into one insert per flush,
-- so this does not multiply parts.
CREATE TABLE ${database}.trades_queue AS ${database}.${trades_table}
ENGINE = Kafka
SETTINGS kafka_broker_list = '${kafka_brokers}',
         kafka_topic_list = '${kafka_topic}',
         kafka_group_name = '${kafka_group}',
         kafka_format = 'JSONEachRow',
         kafka_num_consumers = 1,
         kafka_max_block_size = 100;

