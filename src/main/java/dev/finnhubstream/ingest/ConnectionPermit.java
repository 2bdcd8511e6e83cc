package dev.finnhubstream.ingest;

/**
 * Whether a key's connection may be open. One instance alone always may; with several instances (the {@code ha}
 * package) only the instance that owns the key's slot and holds a fresh lease may open it, and a connection already
 * open is kept or closed by the lease-loss policy. Read on the connection's event loop; written by the coordinator's
 * thread, so implementations publish their state safely (volatile fields).
 */
public interface ConnectionPermit {

  /** A single instance: every key, always. */
  ConnectionPermit ALWAYS = new ConnectionPermit() {
    @Override
    public boolean mayOpen() {
      return true;
    }

    @Override
    public boolean mayKeepOpen() {
      return true;
    }

    @Override
    public ConnectionState waitingState() {
      return ConnectionState.BACKOFF;
    }
  };

  /** True when a new connection may be opened now: the slot is ours and the lease is fresh. */
  boolean mayOpen();

  /** True when an open connection may stay open (the slot is ours and, under the fence policy, the lease is fresh). */
  boolean mayKeepOpen();

  /** What the connection shows while it may not open: {@link ConnectionState#STANDBY} or {@link ConnectionState#FENCED}. */
  ConnectionState waitingState();
}
