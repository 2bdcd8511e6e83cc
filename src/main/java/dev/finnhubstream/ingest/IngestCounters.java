package dev.finnhubstream.ingest;

/**
 * What one Finnhub connection has counted since start. Mutated only on the verticle's event loop, so
 * plain fields suffice; readers get a copy through {@link ConnectionSnapshot}.
 */
final class IngestCounters {

  long connectAttempts;
  long failedConnects;
  long disconnects;
  long watchdogTrips;
  long lastReconnectDelayMs;
  long lastFrameAtMs;
  long frames;
  long bytes;
  long trades;
  long rejectedTrades;
  long pings;
  long serverErrors;
  long capErrors;
  long invalidSymbolErrors;
  long unknownFrames;
  long malformedFrames;
  long emptyTradeFrames;
  long subscribeFrames;
  long pauses;

  ConnectionSnapshot.Counters snapshot() {
    return new ConnectionSnapshot.Counters(connectAttempts, failedConnects, disconnects, watchdogTrips, lastReconnectDelayMs,
      frames, bytes, trades, rejectedTrades, pings, serverErrors, capErrors, invalidSymbolErrors, unknownFrames,
      malformedFrames, emptyTradeFrames, subscribeFrames, pauses);
  }
}
