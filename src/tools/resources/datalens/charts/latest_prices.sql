-- Last trade per symbol (the local /dashboard's latest prices), with the feed lag of that trade
-- (received_at_ms - trade_ts_ms: Finnhub's delay plus ours) and how long ago it arrived.
SELECT
    symbol,
    price,
    toDateTime(intDiv(trade_ts_ms, 1000), 'UTC') AS trade_time,
    received_at_ms - trade_ts_ms AS lag_ms,
    toInt64(toUnixTimestamp(now())) - intDiv(received_at_ms, 1000) AS seconds_since_received
FROM ${database}.latest_price
ORDER BY symbol
