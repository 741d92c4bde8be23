package io.chatservice.chat;

import io.chatservice.chat.api.TextRules;

/** What the chat domain needs to know, read once by the launcher. */
public record ChatConfig(TextRules textRules, int bcryptCost) {

  public static final int DEFAULT_BCRYPT_COST = 10;

  public static ChatConfig defaults() {
    return new ChatConfig(new TextRules(TextRules.DEFAULT_MAX), DEFAULT_BCRYPT_COST);
  }
}
