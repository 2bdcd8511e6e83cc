package dev.finnhubstream.bus;

import java.util.Objects;

/**
 * Input that could not become a trade: a frame that does not parse, or one element of a trade frame that
 * fails validation. Published on {@link Addresses#DEAD_LETTERS}; the Kafka side writes it to the
 * dead-letter topic so that nothing received is dropped without a trace.
 *
 * @param reason       a short machine-friendly reason, e.g. {@code malformed:invalid_json} or {@code invalid_trade:missing_field:p}
 * @param payload      the raw text: the whole frame, or the rejected element of {@code data} (not yet truncated)
 * @param receivedAtMs when the frame arrived
 * @param connection   which Finnhub connection received it (a label, never a token)
 * @param frameSeq     the frame's sequence number within this run
 */
public record DeadLetter(String reason, String payload, long receivedAtMs, String connection, long frameSeq) {

  public DeadLetter {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(payload, "payload");
  }
}
