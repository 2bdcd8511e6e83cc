package dev.finnhubstream.ha;

import java.util.ArrayList;
import java.util.List;

/**
 * A key's health as its owner publishes it in the metadata of its slot's lease commit, for the re-sharding of the
 * other instances: {@code configHash;leaseTime;unusableSince;cap;view;borrowed;lent}, the symbols as indices into the
 * configured list (comma-separated), so that a key's worth fits the broker's 4 KB metadata limit many times over.
 * The configuration fingerprint stays first and the lease time second: every parser reads those two the same way.
 * An instance without re-sharding writes only {@code configHash;leaseTime}, which parses to no health.
 *
 * @param configHash      the configuration's fingerprint
 * @param leaseTimeMs     when the commit was sent (the lease's start)
 * @param health          whether the owner published health at all (the fields below are zero and empty if not)
 * @param unusableSinceMs since when the key has been refused or fenced without a break; 0 = usable
 * @param cap             the key's learned cap
 * @param viewMs          when the owner started reading the view its last completed re-sharding pass applied: a
 *                        lender knows from it that the borrower has seen what the lender published before
 * @param borrowed        the symbols this key holds for others (indices)
 * @param lent            the symbols this key has stopped subscribing so that another key may hold them (indices);
 *                        a symbol the owner wants back is no longer listed, though not yet subscribed again
 */
public record SlotHealth(String configHash, long leaseTimeMs, boolean health, long unusableSinceMs, int cap, long viewMs,
                         List<Integer> borrowed, List<Integer> lent) {

  public SlotHealth {
    borrowed = List.copyOf(borrowed);
    lent = List.copyOf(lent);
  }

  /** The health part, before the lease time is known. */
  public static SlotHealth of(long unusableSinceMs, int cap, long viewMs, List<Integer> borrowed, List<Integer> lent) {
    return new SlotHealth("", 0, true, unusableSinceMs, cap, viewMs, borrowed, lent);
  }

  /** The commit metadata: {@code configHash;leaseTime}, then the health if there is some. */
  public String encode(String hash, long leaseTime) {
    String lease = hash + ";" + leaseTime;
    if (!health) {
      return lease;
    }
    return lease + ";" + unusableSinceMs + ";" + cap + ";" + viewMs + ";" + join(borrowed) + ";" + join(lent);
  }

  /** @return the parsed metadata, or {@code null} if it is not a lease commit's (another writer, a garbled one) */
  public static SlotHealth decode(String metadata) {
    if (metadata == null) {
      return null;
    }
    String[] f = metadata.split(";", -1);
    try {
      if (f.length == 2) {
        return new SlotHealth(f[0], Long.parseLong(f[1]), false, 0, 0, 0, List.of(), List.of());
      }
      if (f.length == 7) {
        return new SlotHealth(f[0], Long.parseLong(f[1]), true, Long.parseLong(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[4]),
          split(f[5]), split(f[6]));
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return null;
  }

  private static String join(List<Integer> indices) {
    StringBuilder b = new StringBuilder();
    for (int i : indices) {
      if (!b.isEmpty()) {
        b.append(',');
      }
      b.append(i);
    }
    return b.toString();
  }

  private static List<Integer> split(String field) {
    List<Integer> out = new ArrayList<>();
    if (!field.isEmpty()) {
      for (String s : field.split(",")) {
        out.add(Integer.parseInt(s));
      }
    }
    return out;
  }
}
