package dev.finnhubstream.config;

/**
 * Several instances sharing the keys (the {@code ha} section; docs/ha.md).
 *
 * @param enabled             coordinate with the other instances; off: this process holds every key
 * @param topic               the coordination topic, one partition per key slot, never written to
 * @param groupId             the instances' consumer group, one per environment
 * @param slots               key slots (the topic's partitions); at least the number of keys
 * @param sessionTimeoutMs    a member silent this long loses its slots
 * @param heartbeatIntervalMs heartbeats to the group coordinator
 * @param fenceMarginMs       the lease ends this long before the session could have expired
 * @param confirmIntervalMs   how often the lease is renewed
 * @param onLeaseLoss         what a stale lease does to a connection already open
 */
public record HaConfig(boolean enabled, String topic, String groupId, int slots, long sessionTimeoutMs, long heartbeatIntervalMs,
                       long fenceMarginMs, long confirmIntervalMs, LeaseLossPolicy onLeaseLoss) {

  /** What a stale lease does to a Finnhub connection that is already open (no policy ever opens one without a lease). */
  public enum LeaseLossPolicy {
    /** Keep it: a Kafka outage does not stop ingestion; an instance cut off from Kafka alone may overlap the new owner until Finnhub drops one. */
    KEEP_OPEN,
    /** Close it: never an overlap from a partition, but a Kafka outage longer than the lease stops ingestion. */
    FENCE
  }

  /** The lease lasts this long after a renewal was sent: the session minus the margin. */
  public long leaseMs() {
    return sessionTimeoutMs - fenceMarginMs;
  }

  static HaConfig from(ConfigSection s, String environment, int keys) {
    long session = s.integer(ConfigKeys.HA_SESSION_TIMEOUT_MS);
    long heartbeat = s.integer(ConfigKeys.HA_HEARTBEAT_INTERVAL_MS);
    long margin = s.integer(ConfigKeys.HA_FENCE_MARGIN_MS);
    long confirm = s.integer(ConfigKeys.HA_CONFIRM_INTERVAL_MS);
    int slots = (int) s.integer(ConfigKeys.HA_SLOTS);
    if (heartbeat * 3 > session) {
      throw s.invalid(ConfigKeys.HA_HEARTBEAT_INTERVAL_MS, heartbeat + " is more than a third of ha.session_timeout_ms (" + session + ")",
        "use at most " + session / 3 + ", e.g. 1000");
    }
    if (margin >= session) {
      throw s.invalid(ConfigKeys.HA_FENCE_MARGIN_MS, margin + " is not below ha.session_timeout_ms (" + session + ")",
        "use a margin of a few heartbeats, e.g. 1500");
    }
    if (confirm >= margin) {
      throw s.invalid(ConfigKeys.HA_CONFIRM_INTERVAL_MS, confirm + " is not below ha.fence_margin_ms (" + margin + "): one late renewal would end the lease",
        "renew at least once per margin, e.g. 1000 with a margin of 1500");
    }
    boolean enabled = s.bool(ConfigKeys.HA_ENABLED);
    if (enabled && keys > slots) {
      throw s.invalid(ConfigKeys.HA_SLOTS, slots + " slots for " + keys + " keys in " + EnvironmentVariables.FINNHUB_TOKEN,
        "raise ha.slots to at least " + keys + " (with headroom: the topic's partitions can only grow)");
    }
    String group = s.has(ConfigKeys.HA_GROUP_ID) ? s.string(ConfigKeys.HA_GROUP_ID) : "finnhub-stream-" + environment;
    LeaseLossPolicy policy = LeaseLossPolicy.valueOf(s.string(ConfigKeys.HA_ON_LEASE_LOSS).toUpperCase(java.util.Locale.ROOT));
    return new HaConfig(enabled, s.string(ConfigKeys.HA_TOPIC), group, slots, session, heartbeat, margin, confirm, policy);
  }
}
