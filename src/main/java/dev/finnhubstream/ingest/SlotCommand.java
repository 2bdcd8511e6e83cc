package dev.finnhubstream.ingest;

import java.util.List;

/**
 * From the coordinator of several instances to one key's connection: hold the key (connect, if the permit allows)
 * or give it up (close; the reply comes once the socket is gone, so that another instance may open the key).
 *
 * @param lent on a hold, the key's symbols another key may hold (its previous owner lent them, docs/ha.md): marked lent
 *             before the socket opens, so the new owner never subscribes them while a borrower may; the re-sharding
 *             takes them back by its own protocol
 */
public record SlotCommand(boolean hold, String reason, List<String> lent) {

  public SlotCommand {
    lent = List.copyOf(lent);
  }

  public static SlotCommand hold(String reason, List<String> lent) {
    return new SlotCommand(true, reason, lent);
  }

  public static SlotCommand giveUp(String reason) {
    return new SlotCommand(false, reason, List.of());
  }
}
