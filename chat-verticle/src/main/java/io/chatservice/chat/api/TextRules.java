package io.chatservice.chat.api;

/**
 * The message text rule: 1..max code points once leading and trailing white
 * space is ignored; the text itself is stored exactly as sent.
 */
public record TextRules(int maxCodePoints) {

  public static final int DEFAULT_MAX = 4000;

  /** Padding beyond this many chars is refused too, so no request can make us store megabytes of blanks. */
  public int maxRawChars() {
    return maxCodePoints * 2 + 1024;
  }

  public void check(String text) {
    if (text.length() > maxRawChars()) {
      throw ChatError.TEXT_TOO_LONG.exception("Text is longer than " + maxCodePoints + " characters");
    }
    if (!isStorable(text)) {
      throw ChatError.INVALID_TEXT.exception("Text must be valid Unicode without NUL characters");
    }
    String content = trim(text);
    if (content.isEmpty()) {
      throw ChatError.INVALID_TEXT.exception("Text must not be empty");
    }
    if (content.codePointCount(0, content.length()) > maxCodePoints) {
      throw ChatError.TEXT_TOO_LONG.exception("Text is longer than " + maxCodePoints + " characters");
    }
  }

  /** Strips white space as Java sees it and also no-break spaces, which would otherwise make a blank-looking message. */
  private static String trim(String text) {
    int start = 0;
    int end = text.length();
    while (start < end && isBlank(text.codePointAt(start))) {
      start += Character.charCount(text.codePointAt(start));
    }
    while (end > start && isBlank(text.codePointBefore(end))) {
      end -= Character.charCount(text.codePointBefore(end));
    }
    return text.substring(start, end);
  }

  private static boolean isBlank(int codePoint) {
    return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint);
  }

  /** PostgreSQL cannot store NUL, and a lone surrogate would not survive UTF-8: refuse both everywhere. */
  private static boolean isStorable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
