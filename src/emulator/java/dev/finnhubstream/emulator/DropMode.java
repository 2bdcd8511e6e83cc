package dev.finnhubstream.emulator;

/** How {@link FinnhubEmulator#dropConnections(DropMode)} ends the open connections. */
public enum DropMode {
  /** A normal WebSocket close: close frame 1001 "Going away", as when Finnhub restarts for an update. */
  CLOSE_FRAME,
  /**
   * TCP FIN without a WebSocket close frame: the client sees the stream end, with no status (1006) and no reset.
   * Every trade counted as sent before the drop reaches the client; a frame cut by the drop was never counted.
   */
  ABRUPT,
  /**
   * TCP reset (RST, via {@code SO_LINGER 0}): the client sees a "connection reset" error. Bytes still in the
   * emulator's kernel send buffer are discarded, so trades counted as sent just before may never arrive.
   */
  RESET
}
