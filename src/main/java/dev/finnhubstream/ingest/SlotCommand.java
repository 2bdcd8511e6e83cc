package dev.finnhubstream.ingest;

/**
 * From the coordinator of several instances to one key's connection: hold the key (connect, if the permit allows)
 * or give it up (close; the reply comes once the socket is gone, so that another instance may open the key).
 */
public record SlotCommand(boolean hold, String reason) {
}
