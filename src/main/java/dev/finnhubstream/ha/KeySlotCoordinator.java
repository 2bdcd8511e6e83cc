package dev.finnhubstream.ha;

import dev.finnhubstream.config.HaConfig;
import dev.finnhubstream.config.KafkaConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, with the other instances of the environment, which keys this one holds: a Kafka consumer group on the
 * coordination topic (one partition per key slot, never written to) with cooperative sticky assignment of the slots
 * that hold a key ({@link KeySlotAssignor}) on the classic protocol, run by the plain {@link KafkaConsumer} on a thread
 * of its own (docs/ha.md).
 *
 * <ul>
 *   <li><b>Break before make:</b> the rebalance listener runs on this thread, inside {@code poll}; for every slot
 *       revoked or lost it waits until the key's socket is closed before it returns, and only then does the group
 *       hand the slot to another instance.</li>
 *   <li><b>Lease:</b> every {@code confirm_interval_ms} an offset commit of the owned slots renews the membership
 *       (in the classic protocol a commit also resets the member's session); one sent at t that succeeds proves the
 *       slots are ours until t + session, so the lease lasts until t + session − margin. A stale lease never opens a
 *       connection; what it does to an open one is the lease-loss policy ({@link KeySlots}).</li>
 *   <li><b>Same configuration everywhere:</b> the commits carry a fingerprint of the key count, the slots and the
 *       symbols. An instance that reads a fresh foreign fingerprint on any slot refuses every key and leaves the
 *       group (DIVERGED, with the reason on /status) until no live instance disagrees.</li>
 * </ul>
 */
public final class KeySlotCoordinator implements Runnable {

  private static final Logger LOGGER = LoggerFactory.getLogger(KeySlotCoordinator.class);
  private static final Duration POLL = Duration.ofMillis(100);
  /** How long a revocation waits for a socket to close before giving up on it (and logging loudly). */
  private static final long RELEASE_TIMEOUT_MS = 5_000;

  /** What the coordinator asks of the connections. Called on the coordinator's thread. */
  public interface SlotHandler {

    /**
     * The slot is ours: connect its key if it has one.
     *
     * @param view every slot's latest commit, read as the slot arrived ({@code null} if Kafka did not answer): what the
     *             previous owner lent out and what the others borrow
     */
    void hold(int slot, SlotHealthBoard.View view);

    /** The slot is no longer ours: returns once its key's socket is closed, or after {@code timeoutMs}. */
    void release(int slot, String reason, long timeoutMs);
  }

  private final HaConfig config;
  private final KafkaConfig kafka;
  private final int keys;
  private final String configHash;
  private final KeySlots slots;
  private final SlotHandler handler;
  private final List<String> connectionNames;
  private final SlotHealthBoard board;
  private volatile boolean running = true;
  private volatile HaStatus status;
  private Thread thread;
  private KafkaConsumer<byte[], byte[]> consumer;

  // Written and read on the coordinator's thread only; published through `status`.
  private String state = "JOINING";
  private String reason;
  private long pollStartMs;
  private boolean subscribed;
  private boolean diverged;
  private boolean assignedBefore;
  private long rebalanceStartMs = -1;
  private long takeovers;
  private long rebalances;
  private long lastRebalanceAtMs;
  private long lastRebalanceMs;
  private long nextConfirmMs;
  private long lastCommitWarnMs;

  /**
   * @param connectionNames the label of each key's connection, in key order ({@code key-1}...)
   * @param symbols         the configured symbols, part of the fingerprint every instance must share
   * @param retiredKeys     the positions of removed keys (their symbols are on the others), part of the fingerprint
   * @param reshardAfterMs  the re-sharding's delay (0 = off), part of the fingerprint: every instance must plan alike
   * @param board           the health this instance publishes with its leases, and what it reads of every slot
   */
  public KeySlotCoordinator(HaConfig config, KafkaConfig kafka, List<String> connectionNames, List<String> symbols,
                            List<Integer> retiredKeys, long reshardAfterMs, KeySlots slots, SlotHandler handler,
                            SlotHealthBoard board) {
    this.config = config;
    this.kafka = kafka;
    this.keys = connectionNames.size();
    this.connectionNames = List.copyOf(connectionNames);
    this.configHash = fingerprint(keys, config.slots(), symbols, retiredKeys, reshardAfterMs);
    this.board = board;
    this.slots = slots;
    this.handler = handler;
    publish();
  }

  /**
   * The fingerprint instances compare: the key count, the slots, the symbols and the retired keys' places (all of
   * which decide who subscribes what), never the keys themselves. Without a retired key it is what it was before
   * keys could retire, so a rolling update of the code alone keeps it. With re-sharding (several keys and a positive
   * {@code reshardAfterMs}) it includes the delay: every instance must compute the same plan, and an instance of a
   * release without re-sharding across instances neither publishes its health nor takes part, so the two refuse each
   * other (an older instance ignores the longer metadata; the newer one sees the older one's other fingerprint).
   */
  static String fingerprint(int keys, int slots, List<String> symbols, List<Integer> retiredKeys, long reshardAfterMs) {
    String described = "keys=" + keys + ";slots=" + slots + ";symbols=" + String.join(",", symbols)
      + (retiredKeys.isEmpty() ? "" : ";retired=" + retiredKeys)
      + (reshardAfterMs > 0 && keys - retiredKeys.size() > 1 ? ";reshard=" + reshardAfterMs : "");
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(described.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public void start() {
    thread = new Thread(this, "ha-coordinator");
    thread.setDaemon(true);
    thread.start();
  }

  /** Leaves the group (after closing the sockets of the owned keys); blocks up to {@code timeoutMs}. */
  public void stop(long timeoutMs) throws InterruptedException {
    running = false;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread != null) {
      thread.join(timeoutMs);
    }
  }

  public HaStatus status() {
    return status;
  }

  @Override
  public void run() {
    try {
      consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
      if (!awaitTopic()) {
        return;
      }
      subscribe();
      while (running) {
        pollStartMs = System.currentTimeMillis();
        try {
          if (subscribed) {
            consumer.poll(POLL);
          } else {
            Thread.sleep(POLL.toMillis()); // out of the group (DIVERGED): only the configuration check runs
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        } catch (WakeupException e) {
          break;
        } catch (KafkaException e) {
          warnRateLimited("group poll failed: " + e);
        }
        long now = System.currentTimeMillis();
        if (now >= nextConfirmMs) {
          nextConfirmMs = now + config.confirmIntervalMs();
          confirm(now);
          checkConfiguration(now);
        }
        publish();
      }
    } catch (WakeupException e) {
      // stopping
    } catch (RuntimeException e) {
      state = "ERROR";
      reason = "the coordinator stopped: " + e;
      LOGGER.error("HA coordinator failed; this instance holds no key from now on", e);
    } finally {
      releaseAll("this instance is stopping");
      publish();
      if (consumer != null) {
        try {
          consumer.close(Duration.ofSeconds(5)); // LeaveGroup: the others take the keys over at once
        } catch (RuntimeException e) {
          LOGGER.warn("Leaving the group: {}", e.toString());
        }
      }
      LOGGER.info("HA coordinator stopped");
    }
  }

  // ---- the group ---------------------------------------------------------------------------------

  private Properties consumerProperties() {
    Properties p = new Properties();
    p.putAll(kafka.securityProperties());
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("group.id", config.groupId());
    // The classic protocol: the newer one's 45 s minimum session would make every takeover take a minute.
    p.put("group.protocol", "classic");
    // Cooperative sticky over the slots that hold a key: the group balances keys, not slots.
    p.put("partition.assignment.strategy", KeySlotAssignor.class.getName());
    p.put(KeySlotAssignor.KEYS_PROPERTY, Integer.toString(keys));
    p.put("enable.auto.commit", "false");
    p.put("auto.offset.reset", "latest");
    p.put("session.timeout.ms", Long.toString(config.sessionTimeoutMs()));
    p.put("heartbeat.interval.ms", Long.toString(config.heartbeatIntervalMs()));
    p.put("max.poll.interval.ms", Long.toString(Math.max(15_000, config.sessionTimeoutMs())));
    p.put("request.timeout.ms", "5000");
    p.put("default.api.timeout.ms", "5000");
    p.put("metadata.max.age.ms", "60000");
    p.put("client.id", "finnhub-stream-ha-" + config.groupId());
    // No group.instance.id: a static member's keys would wait a whole session on every restart.
    return p;
  }

  /** Waits until the coordination topic exists (creating it where the service may create topics). */
  private boolean awaitTopic() {
    Properties p = new Properties();
    p.putAll(kafka.securityProperties());
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("request.timeout.ms", "5000");
    p.put("default.api.timeout.ms", "10000");
    try (Admin admin = Admin.create(p)) {
      while (running) {
        try {
          Map<String, TopicDescription> found = admin.describeTopics(List.of(config.topic())).allTopicNames().get(10, TimeUnit.SECONDS);
          int partitions = found.get(config.topic()).partitions().size();
          if (partitions < keys) {
            state = "ERROR";
            reason = "the coordination topic " + config.topic() + " has " + partitions + " partitions for " + keys
              + " keys: add partitions (ha.slots in conf/app.json, then terraform apply)";
            LOGGER.error("HA: {}", reason);
            publish();
            sleep(10_000);
            continue;
          }
          return true;
        } catch (Exception e) {
          if (isUnknownTopic(e) && kafka.createTopics()) {
            LOGGER.info("Creating the coordination topic {} ({} partitions)", config.topic(), config.slots());
            try {
              admin.createTopics(List.of(new NewTopic(config.topic(), config.slots(), kafka.replicationFactor())))
                .all().get(10, TimeUnit.SECONDS);
            } catch (Exception created) {
              if (!String.valueOf(created.getMessage()).contains("already exists")) {
                warnRateLimited("cannot create the coordination topic " + config.topic() + ": " + created);
              }
            }
            continue;
          }
          reason = isUnknownTopic(e) ? "the coordination topic " + config.topic() + " does not exist (Terraform creates it)"
            : "Kafka does not answer: " + e.getMessage();
          warnRateLimited("HA: waiting: " + reason);
          publish();
          sleep(1_000);
        }
      }
    }
    return false;
  }

  private static boolean isUnknownTopic(Exception e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    return cause instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
  }

  private void subscribe() {
    consumer.subscribe(List.of(config.topic()), new Listener());
    subscribed = true;
    state = "JOINING";
    reason = null;
    LOGGER.info("HA: joining group {} on {} ({} slots, {} keys, configuration {})", config.groupId(), config.topic(), config.slots(),
      keys, configHash);
  }

  /** Runs inside {@code poll}, on this thread: the only place slots change hands. */
  private final class Listener implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      giveUp(partitions, "its slot moved to another instance");
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      giveUp(partitions, "this instance lost its group membership");
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      long now = System.currentTimeMillis();
      if (rebalanceStartMs < 0) {
        rebalanceStartMs = pollStartMs;
      }
      if (!partitions.isEmpty()) {
        // The assignment itself proves membership as of this poll.
        slots.renewed(pollStartMs);
      }
      // What the slots' last owners published, fresh: a key taken over must not subscribe what its previous owner lent.
      SlotHealthBoard.View view = partitions.stream().anyMatch(tp -> tp.partition() < keys) ? readSlots() : null;
      for (TopicPartition tp : partitions) {
        slots.own(tp.partition(), true);
        if (tp.partition() < keys) {
          LOGGER.info("HA: holding slot {} ({})", tp.partition(), connectionNames.get(tp.partition()));
          handler.hold(tp.partition(), view == null ? board.view() : view);
        }
      }
      if (assignedBefore) {
        takeovers += partitions.stream().filter(tp -> tp.partition() < keys).count();
      }
      assignedBefore = true;
      rebalances++;
      lastRebalanceAtMs = now;
      lastRebalanceMs = now - rebalanceStartMs;
      rebalanceStartMs = -1;
      state = slots.ownedSlots().stream().anyMatch(s -> s < keys) ? "OWNER" : "STANDBY";
      publish();
    }

    private void giveUp(Collection<TopicPartition> partitions, String why) {
      if (partitions.isEmpty()) {
        return;
      }
      if (rebalanceStartMs < 0) {
        rebalanceStartMs = pollStartMs;
      }
      for (TopicPartition tp : partitions) {
        slots.own(tp.partition(), false); // first: no reconnect may race the close
        if (tp.partition() < keys) {
          LOGGER.info("HA: giving up slot {} ({}): {}", tp.partition(), connectionNames.get(tp.partition()), why);
          handler.release(tp.partition(), why, RELEASE_TIMEOUT_MS);
        }
      }
      publish();
    }
  }

  /** Renews the lease: an offset commit of the owned slots, with the configuration's fingerprint and the time. */
  private void confirm(long now) {
    if (!subscribed) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    long publishedAt = board.localAtMs();
    for (int slot : slots.ownedSlots()) {
      SlotHealth health = board.local(slot);
      String metadata = health == null ? configHash + ";" + now : health.encode(configHash, now);
      offsets.put(new TopicPartition(config.topic(), slot), new OffsetAndMetadata(0, metadata));
    }
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets, Duration.ofMillis(Math.max(100, config.fenceMarginMs() / 2)));
      slots.renewed(now);
      board.acked(publishedAt, System.currentTimeMillis());
    } catch (WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      warnRateLimited("HA: cannot renew the lease (" + e.getClass().getSimpleName() + ": " + e.getMessage() + "); lease age "
        + slots.leaseAgeMs(System.currentTimeMillis()) + " ms");
    }
    boolean owner = slots.ownedSlots().stream().anyMatch(s -> s < keys);
    if (owner && !slots.leaseFresh(System.currentTimeMillis())) {
      if (!"FENCED".equals(state)) {
        LOGGER.warn("HA: lease stale (no proof of membership for {} ms): no connection opens until it is renewed; open ones are {}",
          slots.leaseAgeMs(System.currentTimeMillis()), config.onLeaseLoss() == HaConfig.LeaseLossPolicy.FENCE ? "closed" : "kept");
      }
      state = "FENCED";
      reason = "lease stale: no proof of group membership for " + slots.leaseAgeMs(System.currentTimeMillis()) + " ms";
    } else if (!diverged) {
      state = owner ? "OWNER" : "STANDBY";
      reason = null;
    }
  }

  /**
   * Every slot's latest commit, read now and put on the board; {@code null} if Kafka did not answer in time. Commits
   * that are not a lease's (never committed, another writer) are left out.
   */
  private SlotHealthBoard.View readSlots() {
    Set<TopicPartition> all = new HashSet<>();
    for (int slot = 0; slot < config.slots(); slot++) {
      all.add(new TopicPartition(config.topic(), slot));
    }
    Map<TopicPartition, OffsetAndMetadata> committed;
    long readStart = System.currentTimeMillis();
    try {
      committed = consumer.committed(all, Duration.ofMillis(Math.max(100, config.fenceMarginMs() / 2)));
    } catch (WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      return null;
    }
    Map<Integer, SlotHealth> read = new HashMap<>();
    committed.forEach((tp, offset) -> {
      SlotHealth meta = offset == null ? null : SlotHealth.decode(offset.metadata());
      if (meta != null) {
        read.put(tp.partition(), meta);
      }
    });
    SlotHealthBoard.View view = new SlotHealthBoard.View(readStart, read);
    board.view(view);
    return view;
  }

  /** Refuses every key while a live instance (a fresh commit on any slot) runs another configuration. */
  private void checkConfiguration(long now) {
    SlotHealthBoard.View view = readSlots();
    if (view == null) {
      return; // Kafka unreachable: the lease logic covers it
    }
    String foreign = null;
    int foreignSlot = -1;
    for (Map.Entry<Integer, SlotHealth> e : view.slots().entrySet()) {
      SlotHealth meta = e.getValue();
      if (!slots.owns(e.getKey()) && !meta.configHash().equals(configHash) && now - meta.leaseTimeMs() < config.sessionTimeoutMs()) {
        foreign = meta.configHash();
        foreignSlot = e.getKey();
      }
    }
    if (foreign != null && !diverged) {
      diverged = true;
      state = "DIVERGED";
      reason = "the instance holding slot " + foreignSlot + " runs configuration " + foreign + ", this one " + configHash
        + " (the key count, ha.slots or the symbols differ): refusing every key until no live instance disagrees";
      LOGGER.error("HA: {}", reason);
      slots.refuse(true);
      releaseAll("this instance's configuration differs from the group's");
      consumer.unsubscribe();
      subscribed = false;
    } else if (foreign == null && diverged) {
      LOGGER.info("HA: no live instance runs another configuration any more; joining again");
      diverged = false;
      slots.refuse(false);
      subscribe();
    }
  }

  private void releaseAll(String why) {
    for (int slot : slots.ownedSlots()) {
      slots.own(slot, false);
      if (slot < keys) {
        handler.release(slot, why, RELEASE_TIMEOUT_MS);
      }
    }
  }

  private void publish() {
    long now = System.currentTimeMillis();
    List<Integer> owned = slots.ownedSlots();
    List<String> names = new ArrayList<>();
    owned.stream().filter(s -> s < keys).forEach(s -> names.add(connectionNames.get(s)));
    String memberId = null;
    int generation = -1;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null && subscribed && Thread.currentThread() == thread) {
      try {
        memberId = c.groupMetadata().memberId();
        generation = c.groupMetadata().generationId();
      } catch (RuntimeException e) {
        // not joined yet
      }
    }
    status = new HaStatus(true, state, reason, memberId == null || memberId.isEmpty() ? null : memberId, generation, owned, names,
      slots.leaseAgeMs(now), slots.leaseFresh(now), takeovers, rebalances, lastRebalanceAtMs, lastRebalanceMs, configHash);
  }

  private void warnRateLimited(String message) {
    long now = System.currentTimeMillis();
    if (now - lastCommitWarnMs > 5_000) {
      lastCommitWarnMs = now;
      LOGGER.warn(message);
    }
  }

  private void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}
