package dev.finnhubstream.ha;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.PartitionInfo;

/**
 * Cooperative sticky assignment of the slots that hold a key, and of no other.
 *
 * <p>The plain assignor balances partitions, not keys: with 16 slots for 4 keys, a member can end up with eight
 * empty slots and no key (after a failover, the survivor keeps slots 0–7 and the newcomer gets 8–15), so a
 * second instance would add no capacity. Hiding the slots beyond the key count from the assignment makes the
 * group balance keys; the empty slots stay unassigned (the topic is never read, nobody needs them), and an
 * appended key's slot joins the assignment at the next rebalance. Stickiness, the cooperative protocol (a key
 * never moves unless it must) and break-before-make come from {@link CooperativeStickyAssignor} unchanged.
 *
 * <p>Only the group's leader assigns, with its own key count; instances whose key count differs are refused
 * by the configuration fingerprint ({@link KeySlotCoordinator}).
 */
public final class KeySlotAssignor extends CooperativeStickyAssignor implements Configurable {

  /** The consumer property carrying the key count (an unknown property to Kafka, which passes it on). */
  public static final String KEYS_PROPERTY = "finnhub.ha.keys";
  public static final String NAME = "finnhub-key-slots";

  private int keys = Integer.MAX_VALUE;

  @Override
  public void configure(Map<String, ?> configs) {
    Object value = configs.get(KEYS_PROPERTY);
    if (value == null) {
      throw new IllegalArgumentException(KEYS_PROPERTY + " is not set: the assignor needs the key count");
    }
    keys = Integer.parseInt(value.toString());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, List<org.apache.kafka.common.TopicPartition>> assignPartitions(Map<String, List<PartitionInfo>> partitionsPerTopic,
                                                                                   Map<String, Subscription> subscriptions) {
    Map<String, List<PartitionInfo>> keySlots = new HashMap<>();
    partitionsPerTopic.forEach((topic, partitions) ->
      keySlots.put(topic, partitions.stream().filter(p -> p.partition() < keys).toList()));
    return super.assignPartitions(keySlots, subscriptions);
  }
}
