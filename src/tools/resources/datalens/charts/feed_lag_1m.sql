-- Feed lag per minute per symbol: the 95th percentile and the maximum of received_at_ms - trade_ts_ms
-- (Finnhub's delay plus the service's). Neither view keeps a trade's receive time, so this one reads the
-- raw trades table, bounded by the window on its sorting key's time column.
SELECT
    toStartOfMinute(toDateTime(intDiv(trade_ts_ms, 1000), 'UTC')) AS minute,
    symbol,
    toInt64(quantile(0.95)(received_at_ms - trade_ts_ms)) AS lag_p95_ms,
    max(received_at_ms - trade_ts_ms) AS lag_max_ms
FROM ${database}.${trades_table}
WHERE trade_ts_ms >= toInt64(toUnixTimestamp(toStartOfMinute(now() - INTERVAL ${window_minutes} MINUTE))) * 1000
GROUP BY minute, symbol
ORDER BY minute, symbol
