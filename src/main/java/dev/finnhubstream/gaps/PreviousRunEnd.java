package dev.finnhubstream.gaps;

/**
 * How and when the previous run of this service (on this disk buffer directory) ended, as the Kafka writer found it
 * at start-up: the answer on {@link dev.finnhubstream.bus.Addresses#PREVIOUS_RUN_END}. The gaps of this run's first
 * connection attempts start there instead of at this process's start.
 *
 * @param reason {@link GapReason#CRASHED} (its last checkpoint), {@link GapReason#SERVICE_STOPPED} (its clean stop), or
 *               {@code null} when no earlier run is known (a first start, or a new directory)
 * @param atMs   the checkpoint or stop time; 0 when unknown
 */
public record PreviousRunEnd(GapReason reason, long atMs) {

  public static final PreviousRunEnd UNKNOWN = new PreviousRunEnd(null, 0);
}
