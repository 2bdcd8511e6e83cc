-- The 1-minute candles themselves (open, high, low, close, volume, trades) per symbol, newest first: a QL
-- chart has no candlestick visualization, so the bars the local /dashboard draws are a table here.
SELECT
    minute,
    symbol,
    open,
    high,
    low,
    close,
    volume,
    trades
FROM ${database}.ohlcv_1m_bars
WHERE minute >= toStartOfMinute(now() - INTERVAL ${window_minutes} MINUTE)
ORDER BY minute DESC, symbol
LIMIT 10000
