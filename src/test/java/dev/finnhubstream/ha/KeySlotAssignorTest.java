package dev.finnhubstream.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupSubscription;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The leader's assignment, computed as the consumer computes it: keys are spread, empty slots never assigned. */
class KeySlotAssignorTest {

  private static final String TOPIC = "slots";
  private static final Node NODE = new Node(0, "localhost", 9092);

  private static Cluster cluster(int slots) {
    List<PartitionInfo> partitions = IntStream.range(0, slots)
      .mapToObj(p -> new PartitionInfo(TOPIC, p, NODE, new Node[] {NODE}, new Node[] {NODE})).toList();
    return new Cluster("c", List.of(NODE), partitions, Set.of(), Set.of());
  }

  private static KeySlotAssignor assignor(int keys) {
    KeySlotAssignor a = new KeySlotAssignor();
    a.configure(Map.of(KeySlotAssignor.KEYS_PROPERTY, Integer.toString(keys)));
    return a;
  }

  private static Subscription member(int generation, int... owned) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (int p : owned) {
      partitions.add(new TopicPartition(TOPIC, p));
    }
    return new Subscription(List.of(TOPIC), null, partitions, generation, Optional.empty());
  }

  private static Map<String, List<Integer>> assign(ConsumerPartitionAssignor a, int slots, Map<String, Subscription> members) {
    Map<String, List<Integer>> result = new HashMap<>();
    a.assign(cluster(slots), new GroupSubscription(members)).groupAssignment()
      .forEach((m, assignment) -> result.put(m, assignment.partitions().stream().map(TopicPartition::partition).sorted().toList()));
    return result;
  }

  @Test
  @DisplayName("4 keys in 16 slots over 3 fresh members: each key slot assigned once, every member holds a key, no empty slot assigned")
  void freshGroupSpreadsKeys() {
    Map<String, Subscription> members = new LinkedHashMap<>();
    for (String m : List.of("a", "b", "c")) {
      members.put(m, member(-1));
    }
    Map<String, List<Integer>> assigned = assign(assignor(4), 16, members);
    assertThat(assigned.values().stream().flatMap(List::stream).sorted().toList()).containsExactly(0, 1, 2, 3);
    assertThat(assigned.values()).allMatch(slots -> slots.size() == 1 || slots.size() == 2);
  }

  @Test
  @DisplayName("after a failover the survivor owns every key; a returning member is given keys (the plain sticky assignor gives it only empty slots)")
  void returningMemberGetsKeys() {
    Map<String, Subscription> members = new LinkedHashMap<>();
    members.put("survivor", member(5, IntStream.range(0, 16).toArray()));
    members.put("newcomer", member(-1));
    Map<String, List<Integer>> ours = assign(assignor(4), 16, members);
    // Cooperative: the survivor's first step gives up what moves; the newcomer gets it at the follow-up rebalance.
    // Either way the survivor keeps at most 2 keys and nothing beyond slot 3.
    assertThat(ours.get("survivor")).allMatch(s -> s < 4).hasSizeLessThanOrEqualTo(2);

    // What the plain assignor does with the same group: the newcomer's share is slots 8-15, no key at all.
    Map<String, List<Integer>> plain = assign(new CooperativeStickyAssignor(), 16, members);
    assertThat(plain.get("survivor")).contains(0, 1, 2, 3);
  }

  @Test
  @DisplayName("the follow-up rebalance hands the freed keys to the newcomer: 2 and 2")
  void followUpBalancesKeys() {
    Map<String, Subscription> members = new LinkedHashMap<>();
    members.put("survivor", member(6, 0, 1));
    members.put("newcomer", member(-1));
    Map<String, List<Integer>> assigned = assign(assignor(4), 16, members);
    assertThat(assigned.get("survivor")).containsExactly(0, 1);
    assertThat(assigned.get("newcomer")).containsExactly(2, 3);
  }

  @Test
  @DisplayName("refuses to start without the key count")
  void needsKeyCount() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new KeySlotAssignor().configure(Map.of()))
      .hasMessageContaining(KeySlotAssignor.KEYS_PROPERTY);
  }
}
