package dev.finnhubstream.market;

/**
 * The market-hours poller's answer on {@link dev.finnhubstream.bus.Addresses#STATUS_MARKET}. Only a fresh answer
 * says whether the market is open: {@code isOpen}, {@code session} and {@code holiday} are {@code null} while
 * market hours are off, before the first answer, or once the last one is too old.
 *
 * @param enabled     whether it polls at all
 * @param offReason   why not, or {@code null}
 * @param checkedAtMs when Finnhub last answered, or {@code null}
 * @param lastError   the latest failed poll, or {@code null} once one succeeds
 */
public record MarketStatus(boolean enabled, String offReason, String exchange, Boolean isOpen, String session, String holiday,
                           Long checkedAtMs, long pollMs, long staleAfterMs, long requests, long failures, String lastError) {
}
