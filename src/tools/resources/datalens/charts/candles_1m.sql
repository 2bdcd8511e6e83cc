-- The 1-minute candles themselves (open, high, low, close, volume, trades) per symbol, newest first: a QL
-- chart has no candlestick visualization, so the bars the local /dashboard draws are a table here. high and
-- low come out of the view as SimpleAggregateFunction(max|min, Float64); toFloat64 gives DataLens a plain type.
SELECT
    minute,
    symbol,
    open,
    toFloat64(high) AS high,
    toFloat64(low) AS low,
    close,
    volume,
    trades
FROM ${database}.ohlcv_1m_bars
WHERE minute >= toStartOfMinute(now() - INTERVAL ${window_minutes} MINUTE)
ORDER BY minute DESC, symbol
LIMIT 10000
