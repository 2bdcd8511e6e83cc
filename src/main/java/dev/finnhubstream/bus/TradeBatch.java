package dev.finnhubstream.bus;

import java.util.List;

/**
 * The trades of the Finnhub frames one connection read in one event-loop turn: one frame at Finnhub's usual rates,
 * many at busy times. One event-bus message per turn rather than per trade (or per frame) keeps the bus overhead
 * per trade low.
 *
 * @param connection   which Finnhub connection received the frames (a label, never a token)
 * @param frameSeq     the first frame's sequence number within this process run
 * @param receivedAtMs our clock when the first frame arrived (each trade carries its own)
 * @param trades       the valid trades of the frames, in frame order; never empty
 */
public record TradeBatch(String connection, long frameSeq, long receivedAtMs, List<Trade> trades) {

  public TradeBatch {
    trades = List.copyOf(trades);
  }
}
