package io.chatservice.http.testing;

import io.chatservice.chat.api.ChatError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Generators of what a hostile client sends: valid frames with fields removed
 * or replaced by wrong types, nulls, huge numbers, NaN-like strings, deep
 * nesting, lone surrogates, control characters and oversized strings; raw
 * text and bytes that are not JSON or not UTF-8. Shared by the property tests
 * of the parsers and the live tests against a node.
 */
public final class HostileInputs {

  /** The error codes a refusal may carry: every contract reason but the server's own failures. */
  public static final Set<String> REFUSAL_CODES = Stream.of(ChatError.values())
    .filter(e -> e != ChatError.INTERNAL && e != ChatError.UNAVAILABLE)
    .map(e -> e.code).collect(Collectors.toUnmodifiableSet());

  private HostileInputs() {
  }

  /** Strings that look like numbers, names or ids, or break text handling. */
  public static Arbitrary<String> strings() {
    return frequency(
      weighted(3, Arbitraries.of("", " ", "NaN", "Infinity", "-Infinity", "-0", "0x10", "+5", "1e999", "5.0", " 7 ", "\u0665",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "null", "true", "general", "General",
        "dm:alice:bob", "dm:bob:alice", "DM:alice:bob", "dm:alice:bob ", "dm%3Aalice%3Abob", "chat.user.alice",
        "../general", "general/..", "gen\u0000eral", "\ud800", "\udc00x", "a\ud83d", "\u202e\u200b", "\ufeffgeneral",
        "ｇｅｎｅｒａｌ", "%zz", "%", "\r\n", "<script>", "' OR 1=1 --")),
      weighted(3, Arbitraries.strings().all().ofMaxLength(40)),
      weighted(2, Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMaxLength(10)),
      weighted(1, Arbitraries.strings().withChars('x', ' ', '\u00a0').ofMinLength(4000).ofMaxLength(9000)),
      weighted(1, Arbitraries.integers().between(5000, 70_000).map(n -> "y".repeat(n))));
  }

  /** JSON values of every type, including numbers no long holds. */
  public static Arbitrary<Object> values() {
    return frequency(
      weighted(4, strings().map(s -> (Object) s)),
      weighted(2, Arbitraries.of(Integer.MIN_VALUE, -1, 0, 1, 41, Integer.MAX_VALUE).map(n -> (Object) n)),
      weighted(2, Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, -1L, 1L << 53, (1L << 53) + 1).map(n -> (Object) n)),
      weighted(2, Arbitraries.of(new BigInteger("18446744073709551617"), new BigInteger("9223372036854775808"),
        BigInteger.TEN.pow(400)).map(n -> (Object) n)),
      weighted(2, Arbitraries.of(0.5, -0.0, 1e300, -1e300, Double.MAX_VALUE, Double.MIN_VALUE, 9.223372036854775807E18, 3.0)
        .map(n -> (Object) n)),
      weighted(1, Arbitraries.of(true, false).map(b -> (Object) b)),
      weighted(1, Arbitraries.just(null)),
      weighted(1, Arbitraries.just(new JsonObject().put("room", "general")).map(o -> (Object) o)),
      weighted(1, Arbitraries.just(new JsonArray().add("general").addNull()).map(a -> (Object) a)));
  }

  /** The contract's /ws frames, valid as generated, before mutation. */
  public static Arbitrary<JsonObject> socketFrames() {
    return Arbitraries.of(
      new JsonObject().put("type", "join").put("room", "general"),
      new JsonObject().put("type", "join").put("room", "general").put("after", 0).put("ref", "j1"),
      new JsonObject().put("type", "leave").put("room", "general").put("ref", 7),
      new JsonObject().put("type", "send").put("room", "general").put("text", "hi").put("ref", "s1"),
      new JsonObject().put("type", "send").put("room", "dm:alice:bob").put("text", "psst"));
  }

  /** vertx-eventbus.js's frames, valid as generated, before mutation. */
  public static Arbitrary<JsonObject> bridgeFrames() {
    return Arbitraries.of(
      new JsonObject().put("type", "ping"),
      new JsonObject().put("type", "register").put("address", "chat.room.general"),
      new JsonObject().put("type", "register").put("address", "chat.room.general").put("headers", new JsonObject().put("after", "0")),
      new JsonObject().put("type", "unregister").put("address", "chat.presence"),
      new JsonObject().put("type", "send").put("address", "chat.send").put("replyAddress", "r-1")
        .put("body", new JsonObject().put("room", "general").put("text", "hi")));
  }

  /** A frame with one field removed, replaced by a hostile value, or joined by one. */
  public static Arbitrary<JsonObject> mutated(Arbitrary<JsonObject> frames) {
    Arbitrary<String> field = Arbitraries.of("type", "room", "text", "after", "ref", "address", "body", "headers",
      "replyAddress", "from");
    return Combinators.combine(frames, Arbitraries.integers().between(0, 2), field, values())
      .as((frame, how, name, value) -> {
        JsonObject copy = frame.copy();
        switch (how) {
          case 0 -> copy.remove(name);
          case 1 -> copy.put(name, value);
          default -> {
            if (copy.getValue("body") instanceof JsonObject body) {
              body.put(name, value);
            } else if (copy.getValue("headers") instanceof JsonObject headers) {
              headers.put(name, value);
            } else {
              copy.put(name, value);
            }
          }
        }
        return copy;
      });
  }

  /** Text of a frame: a mutated frame, or text that is not a JSON object at all. */
  public static Arbitrary<String> frameTexts(Arbitrary<JsonObject> frames) {
    return frequency(
      weighted(6, mutated(frames).map(JsonObject::encode)),
      weighted(1, frames.map(JsonObject::encode)),
      weighted(2, Combinators.combine(mutated(frames).map(JsonObject::encode), Arbitraries.integers().between(0, 1000))
        .as((text, cut) -> text.substring(0, Math.min(cut, text.length())))),
      weighted(1, Arbitraries.integers().between(1, 3000).map(depth -> "[".repeat(depth) + "]".repeat(depth))),
      weighted(1, Arbitraries.integers().between(1, 3000).map(depth -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth))),
      weighted(1, Arbitraries.of("{\"type\":\"join\",\"room\":\"general\",\"after\":NaN}", "{\"type\":\"join\",\"type\":\"send\"}",
        "{\"type\":\"send\",\"room\":\"general\",\"text\":\"\\ud800\"}", "{\"type\":\"send\"", "\"join\"", "[]", "null", "",
        "{\"type\":\"join\",\"room\":\"general\",\"after\":1e400}", "{\"type\":\"join\",\"room\":\"general\",\"after\":-0}",
        "{'type':'join'}", "{\"type\":\"join\",\"room\":\"general\"}garbage")),
      weighted(2, strings()));
  }

  /** Raw bytes for a parser that takes a Buffer: frame texts, some with invalid UTF-8 spliced in. */
  public static Arbitrary<byte[]> frameBytes(Arbitrary<JsonObject> frames) {
    return frequency(
      weighted(4, frameTexts(frames).map(text -> text.getBytes(StandardCharsets.UTF_8))),
      weighted(2, Combinators.combine(frameTexts(frames), Arbitraries.of(new byte[] {(byte) 0xc3}, new byte[] {(byte) 0xff, (byte) 0xfe},
          new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}),
        Arbitraries.integers().between(0, 100))
        .as((text, bad, at) -> splice(text.getBytes(StandardCharsets.UTF_8), bad, at))),
      weighted(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(200)));
  }

  /** Inputs for live tests, which pace their own tries; drawn up front, as jqwik generates only on a test's thread. */
  public static <T> List<T> samples(Arbitrary<T> arbitrary, int count) {
    return arbitrary.sampleStream().limit(count).toList();
  }

  private static byte[] splice(byte[] text, byte[] bad, int at) {
    int cut = Math.min(at, text.length);
    byte[] out = new byte[text.length + bad.length];
    System.arraycopy(text, 0, out, 0, cut);
    System.arraycopy(bad, 0, out, cut, bad.length);
    System.arraycopy(text, cut, out, cut + bad.length, text.length - cut);
    return out;
  }

  @SafeVarargs
  private static <T> Arbitrary<T> frequency(Tuple2<Integer, Arbitrary<T>>... options) {
    return Arbitraries.frequencyOf(List.of(options));
  }

  @SuppressWarnings("unchecked")
  private static <T> Tuple2<Integer, Arbitrary<T>> weighted(int weight, Arbitrary<? extends T> arbitrary) {
    return Tuple.of(weight, (Arbitrary<T>) arbitrary);
  }
}
