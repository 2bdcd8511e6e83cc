package dev.finnhubstream.emulator;

/** What {@link FinnhubEmulator#setSilence(Silence)} holds back on open connections; the sockets stay open. */
public enum Silence {
  /** Normal operation. */
  NONE,
  /** No trade frames (valid or malformed), pings continue: Finnhub during a halt, holiday or outage. */
  PINGS_ONLY,
  /**
   * Nothing at all: no trades, no pings, no error replies, no pongs to WebSocket pings. The socket stays open
   * and client frames are still processed (subscriptions take effect). Only an idle watchdog detects this.
   */
  TOTAL
}
