package dev.finnhubstream.ingest;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;

/**
 * One String per distinct short text of a connection's frames: symbols and condition codes repeat in every frame,
 * and a fresh String per trade was an allocation on the event loop plus a hash computed again by every map the
 * trade meets afterwards (the symbol book, the metrics, the per-symbol acknowledged counts). A cached String keeps
 * its hash.
 *
 * <p>Direct-mapped and bounded ({@value #SLOTS} entries of at most {@value #MAX_CHARS} characters): a text that
 * collides with another replaces it, so any number of distinct symbols costs no more memory, only misses. Only
 * the parser's thread uses it.
 */
final class TextCache {

  static final int SLOTS = 1024;
  static final int MAX_CHARS = 64;

  private final String[] slots = new String[SLOTS];

  /** The current string token's text: the cached String with the same characters, or a new one (then cached). */
  String of(JsonParser p) throws IOException {
    int length = p.getTextLength();
    if (length > MAX_CHARS) {
      return p.getText();
    }
    char[] chars = p.getTextCharacters();
    int offset = p.getTextOffset();
    int hash = 0;
    for (int i = 0; i < length; i++) {
      hash = 31 * hash + chars[offset + i];
    }
    int slot = (hash ^ hash >>> 16) & (SLOTS - 1);
    String cached = slots[slot];
    if (cached != null && cached.length() == length && sameChars(cached, chars, offset)) {
      return cached;
    }
    String text = new String(chars, offset, length);
    slots[slot] = text;
    return text;
  }

  private static boolean sameChars(String s, char[] chars, int offset) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) != chars[offset + i]) {
        return false;
      }
    }
    return true;
  }
}
