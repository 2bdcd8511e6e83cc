-- Trades per minute per symbol: is each symbol's feed flowing, and at what rate.
SELECT
    minute,
    symbol,
    trades
FROM ${database}.ohlcv_1m_bars
WHERE minute >= toStartOfMinute(now() - INTERVAL ${window_minutes} MINUTE)
ORDER BY minute, symbol
