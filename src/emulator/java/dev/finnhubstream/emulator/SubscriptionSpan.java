package dev.finnhubstream.emulator;

/**
 * One interval during which the emulator streamed a symbol to a client: from the subscribe it accepted until the
 * unsubscribe, or until the connection was dropped or closed (whoever closed it). The emulator's own record of when
 * a client was subscribed, against which a client's account of its gaps is checked.
 *
 * @param tokenLabel the connection's token label ({@code token#1}), never the token
 * @param toMs       {@link #OPEN} while the subscription lasts
 */
public record SubscriptionSpan(String tokenLabel, String symbol, long fromMs, long toMs) {

  public static final long OPEN = -1;
}
