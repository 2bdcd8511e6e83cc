package dev.finnhubstream.ha;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.ingest.SlotCommand;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several instances (the {@code ha} section): runs the {@link KeySlotCoordinator} on its thread and answers its status
 * on {@link Addresses#STATUS_HA}. The coordinator tells each key's connection to hold or give up its key with a
 * {@link SlotCommand}; a give-up waits for the reply, which comes once the socket is closed (break before make).
 * Alone ({@code ha.enabled} false) it only answers "disabled".
 *
 * <p>Undeployed after the Finnhub connections (MainVerticle's order), so the sockets are closed before the group
 * hears this instance leave and hands its keys to another.
 */
public final class HaVerticle extends VerticleBase {

  private static final Logger LOGGER = LoggerFactory.getLogger(HaVerticle.class);

  private final AppConfig config;
  private final KeySlots slots;
  private final List<String> connectionNames;
  private final SlotHealthBoard board;
  private KeySlotCoordinator coordinator;
  private MessageConsumer<Void> statusConsumer;

  /**
   * @param slots           the permits the connections read, shared with them
   * @param connectionNames the connection of each key, in key order
   * @param board           shared with the re-sharding across instances ({@link HaReshardVerticle})
   */
  public HaVerticle(AppConfig config, KeySlots slots, List<String> connectionNames, SlotHealthBoard board) {
    this.board = board;
    this.config = config;
    this.slots = slots;
    this.connectionNames = List.copyOf(connectionNames);
  }

  @Override
  public Future<?> start() {
    if (config.ha().enabled()) {
      coordinator = new KeySlotCoordinator(config.ha(), config.kafka(), connectionNames, config.finnhub().symbols(),
        config.finnhub().retiredKeys(), config.finnhub().reshardAfterMs(), slots, new EventBusSlots(), board);
      coordinator.start();
    }
    statusConsumer = vertx.eventBus().consumer(Addresses.STATUS_HA,
      msg -> msg.reply(coordinator == null ? HaStatus.disabled() : coordinator.status()));
    return statusConsumer.completion();
  }

  @Override
  public Future<?> stop() {
    if (coordinator == null) {
      return Future.succeededFuture();
    }
    // Blocking: leaving the group waits for the broker (bounded).
    return vertx.executeBlocking(() -> {
      coordinator.stop(10_000);
      return null;
    });
  }

  /**
   * The symbols of a key taken over that another key may still hold: those its previous owner last published as lent,
   * and those any slot last published as borrowed (a recall under way when the previous owner stopped). Only owners
   * that re-shard publish either, so without re-sharding this is empty.
   */
  List<String> lentOut(int slot, SlotHealthBoard.View view) {
    if (view == null) {
      return List.of();
    }
    List<String> symbols = config.finnhub().symbols();
    Set<Integer> indices = new TreeSet<>();
    SlotHealth last = view.slots().get(slot);
    if (last != null) {
      indices.addAll(last.lent());
    }
    view.slots().values().forEach(h -> indices.addAll(h.borrowed()));
    Set<String> shard = Set.copyOf(config.finnhub().shard(slot));
    List<String> out = new ArrayList<>();
    for (int i : indices) {
      if (i >= 0 && i < symbols.size() && shard.contains(symbols.get(i))) {
        out.add(symbols.get(i));
      }
    }
    return out;
  }

  /** The coordinator's orders, as event-bus messages to each key's connection. */
  private final class EventBusSlots implements KeySlotCoordinator.SlotHandler {

    @Override
    public void hold(int slot, SlotHealthBoard.View view) {
      vertx.eventBus().send(Addresses.ingestControl(connectionNames.get(slot)), SlotCommand.hold("slot assigned", lentOut(slot, view)));
    }

    @Override
    public void release(int slot, String reason, long timeoutMs) {
      String name = connectionNames.get(slot);
      try {
        vertx.eventBus().request(Addresses.ingestControl(name), SlotCommand.giveUp(reason))
          .toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
          // No connection listens: it is stopped (the service's shutdown undeploys the connections first), so closed.
          LOGGER.debug("HA: {} is not running; nothing to close", name);
        } else {
          LOGGER.error("HA: {} did not confirm its close ({}); handing the slot over anyway", name, e.getCause().toString());
        }
      } catch (TimeoutException e) {
        // The connection's permit already forbids it to stay open; its own periodic check closes it shortly.
        LOGGER.error("HA: {} did not confirm its close within {} ms; handing the slot over anyway", name, timeoutMs);
      }
    }
  }
}
