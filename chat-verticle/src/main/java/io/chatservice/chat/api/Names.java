package io.chatservice.chat.api;

import java.util.Locale;
import java.util.regex.Pattern;

/** The contract's naming rules: usernames, passwords, room names and dm ids. */
public final class Names {

  public static final String GENERAL = "general";
  public static final String DM_PREFIX = "dm:";

  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{2,32}");
  private static final Pattern ROOM = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
  private static final Pattern DM = Pattern.compile("dm:([a-z0-9_.-]{2,32}):([a-z0-9_.-]{2,32})");
  private static final int PASSWORD_MIN = 8;
  private static final int PASSWORD_MAX = 256;

  private Names() {
  }

  public static boolean isUsername(String name) {
    return name != null && USERNAME.matcher(name).matches();
  }

  /** Usernames are unique case-insensitively: this is the key they are compared by. */
  public static String userKey(String username) {
    return username.toLowerCase(Locale.ROOT);
  }

  public static boolean isPassword(String password) {
    return password != null && password.length() >= PASSWORD_MIN && password.length() <= PASSWORD_MAX;
  }

  public static boolean isRoomName(String name) {
    return name != null && ROOM.matcher(name).matches();
  }

  /** The one id of the dm between two users: both names lowercased, sorted. */
  public static String dmId(String a, String b) {
    String x = userKey(a);
    String y = userKey(b);
    return x.compareTo(y) <= 0 ? DM_PREFIX + x + ":" + y : DM_PREFIX + y + ":" + x;
  }

  /**
   * True only for a dm id in its canonical spelling (lowercase, sorted, two
   * different users); any other spelling of a pair is not an id at all.
   */
  public static boolean isDmId(String room) {
    if (room == null) {
      return false;
    }
    var matcher = DM.matcher(room);
    return matcher.matches() && matcher.group(1).compareTo(matcher.group(2)) < 0;
  }

  /** Either kind of room id: a room name or a canonical dm id. */
  public static boolean isRoomId(String room) {
    return isRoomName(room) || isDmId(room);
  }

  /** The two user keys of a canonical dm id. */
  public static String[] dmParticipants(String dmId) {
    return dmId.substring(DM_PREFIX.length()).split(":", 2);
  }

  public static boolean isParticipant(String dmId, String username) {
    String key = userKey(username);
    String[] pair = dmParticipants(dmId);
    return pair[0].equals(key) || pair[1].equals(key);
  }

  /** The other participant's key of a dm the user is part of. */
  public static String otherParticipant(String dmId, String username) {
    String[] pair = dmParticipants(dmId);
    return pair[0].equals(userKey(username)) ? pair[1] : pair[0];
  }
}
