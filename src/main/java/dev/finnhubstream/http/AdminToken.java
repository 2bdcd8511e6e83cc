package dev.finnhubstream.http;

import dev.finnhubstream.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks {@code Authorization: Bearer <token>} against {@code ADMIN_TOKEN} in constant time: both sides are
 * hashed first, so neither the content nor the length of the token leaks through response timing.
 */
final class AdminToken {

  private static final String BEARER = "Bearer ";
  private final byte[] expectedDigest;

  /** @param token the configured admin token, or {@code null} (admin endpoints disabled) */
  AdminToken(Secret token) {
    this.expectedDigest = token == null ? null : sha256(token.reveal());
  }

  boolean enabled() {
    return expectedDigest != null;
  }

  /** Whether the {@code Authorization} header value carries the admin token. */
  boolean accepts(String authorization) {
    if (expectedDigest == null || authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return false;
    }
    return MessageDigest.isEqual(expectedDigest, sha256(authorization.substring(BEARER.length()).strip()));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
