-- Close of each 1-minute bar per symbol over the window: the candles' line of the local /dashboard.
SELECT
    minute,
    symbol,
    close
FROM ${database}.ohlcv_1m_bars
WHERE minute >= toStartOfMinute(now() - INTERVAL ${window_minutes} MINUTE)
ORDER BY minute, symbol
