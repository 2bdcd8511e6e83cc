package dev.finnhubstream.bus;

import java.util.List;

/**
 * The trades of one Finnhub frame. One event-bus message per frame rather than per trade keeps the
 * bus overhead per trade low (a frame carries several trades at busy times).
 *
 * @param connection   which Finnhub connection received the frame (a label, never a token)
 * @param frameSeq     the frame's sequence number within this process run
 * @param receivedAtMs our clock when the frame arrived
 * @param trades       the valid trades of the frame, in frame order; never empty
 */
public record TradeBatch(String connection, long frameSeq, long receivedAtMs, List<Trade> trades) {

  public TradeBatch {
    trades = List.copyOf(trades);
  }
}
