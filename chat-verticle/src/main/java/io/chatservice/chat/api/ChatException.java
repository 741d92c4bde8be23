package io.chatservice.chat.api;

/** A failure with a stable {@link ChatError} reason; cheap, since it is part of normal control flow. */
public final class ChatException extends RuntimeException {

  private final ChatError error;

  public ChatException(ChatError error, String message) {
    super(message, null, false, false);
    this.error = error;
  }

  public ChatError error() {
    return error;
  }
}
