package dev.finnhubstream.bus;

/**
 * Flow control from the Kafka side to the Finnhub side, published on {@link Addresses#BACKPRESSURE}:
 * {@code paused = true} asks every Finnhub connection to stop reading from its socket (TCP then pushes back
 * on Finnhub), {@code false} to resume. Finnhub cannot replay, so slowing the read is the only lossless
 * answer to a slow sink; the sink pauses early enough that its own bounded buffers never overflow.
 *
 * @param paused whether reading should stop
 * @param reason why, for logs and the status endpoint
 */
public record Backpressure(boolean paused, String reason) {
}
