package io.chatservice.chat.api;

/**
 * Every event-bus address of the service, declared once. The edge, the bridge
 * permissions and the chat domain all build addresses from here.
 */
public final class ChatAddresses {

  /** Public, request-reply: body {@link SendRequest}, header {@link #FROM_HEADER}; reply {@link SendReceipt}. */
  public static final String SEND = "chat.send";
  /** Public, outbound: {"user","online"} when a user comes online anywhere or leaves everywhere. */
  public static final String PRESENCE = "chat.presence";
  /** Public, outbound prefix: every message of one room, as {@link ChatMessage} JSON. */
  public static final String ROOM_PREFIX = "chat.room.";
  /** Public, outbound prefix: events for one user alone, e.g. a new dm. */
  public static final String USER_PREFIX = "chat.user.";

  /** Internal request-reply addresses between the edge and the chat domain; never bridged. */
  public static final String INTERNAL_PREFIX = "chat.internal.";
  public static final String HISTORY = INTERNAL_PREFIX + "history";
  public static final String ROOM_ACCESS = INTERNAL_PREFIX + "room.access";
  public static final String ROOM_LOG = INTERNAL_PREFIX + "room.log";
  public static final String ROOMS_LIST = INTERNAL_PREFIX + "rooms.list";
  public static final String ROOMS_CREATE = INTERNAL_PREFIX + "rooms.create";
  public static final String DMS_OPEN = INTERNAL_PREFIX + "dms.open";
  public static final String USERS_REGISTER = INTERNAL_PREFIX + "users.register";
  public static final String USERS_LOGIN = INTERNAL_PREFIX + "users.login";
  public static final String USERS_GUEST = INTERNAL_PREFIX + "users.guest";
  public static final String USERS_LIST = INTERNAL_PREFIX + "users.list";
  public static final String PRESENCE_CONNECT = INTERNAL_PREFIX + "presence.connect";
  public static final String PRESENCE_DISCONNECT = INTERNAL_PREFIX + "presence.disconnect";
  public static final String PRESENCE_ONLINE = INTERNAL_PREFIX + "presence.online";
  public static final String HEALTH = INTERNAL_PREFIX + "health";

  /** Header the edge stamps with the authenticated username; whatever a client sent is replaced. */
  public static final String FROM_HEADER = "from";

  private ChatAddresses() {
  }

  public static String room(String room) {
    return ROOM_PREFIX + room;
  }

  public static String user(String username) {
    return USER_PREFIX + username;
  }

  /** The room id of a room address, or null when the address is not one. */
  public static String roomOf(String address) {
    return address != null && address.startsWith(ROOM_PREFIX) ? address.substring(ROOM_PREFIX.length()) : null;
  }

  /** The username of a user address, or null when the address is not one. */
  public static String userOf(String address) {
    return address != null && address.startsWith(USER_PREFIX) ? address.substring(USER_PREFIX.length()) : null;
  }
}
