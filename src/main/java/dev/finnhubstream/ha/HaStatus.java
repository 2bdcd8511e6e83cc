package dev.finnhubstream.ha;

import java.util.List;

/**
 * The coordinator's view, for {@code /status}, the status page and the metrics.
 *
 * @param enabled           whether this instance coordinates at all
 * @param state             DISABLED, JOINING, STANDBY (a member holding no key), OWNER, FENCED (holds keys it cannot
 *                          prove), DIVERGED (refuses keys: another instance runs with other keys or symbols), ERROR
 * @param reason            why, for FENCED, DIVERGED and ERROR; otherwise {@code null}
 * @param memberId          the group member id, or {@code null} before joining
 * @param generation        the group generation, or -1
 * @param ownedSlots        the slots this instance owns, ascending
 * @param ownedConnections  the connections of the owned slots that have a key ({@code key-1}...)
 * @param leaseAgeMs        since the last proof of membership, or -1 when there is none
 * @param leaseFresh        whether the lease allows opening a connection now
 * @param takeovers         slots this instance gained after the group's first assignment to it
 * @param rebalances        rebalances seen
 * @param lastRebalanceAtMs when the last one ended (epoch ms), or 0
 * @param lastRebalanceMs   how long it took, from the first callback of the rebalance to its assignment
 * @param configHash        the fingerprint of the key count, slots and symbols that all instances must share
 */
public record HaStatus(boolean enabled, String state, String reason, String memberId, int generation, List<Integer> ownedSlots,
                       List<String> ownedConnections, long leaseAgeMs, boolean leaseFresh, long takeovers, long rebalances,
                       long lastRebalanceAtMs, long lastRebalanceMs, String configHash) {

  public static HaStatus disabled() {
    return new HaStatus(false, "DISABLED", null, null, -1, List.of(), List.of(), -1, true, 0, 0, 0, 0, null);
  }
}
