-- Traded volume of each 1-minute bar per symbol: the volume bars under the local /dashboard's candles.
SELECT
    minute,
    symbol,
    volume
FROM ${database}.ohlcv_1m_bars
WHERE minute >= toStartOfMinute(now() - INTERVAL ${window_minutes} MINUTE)
ORDER BY minute, symbol
