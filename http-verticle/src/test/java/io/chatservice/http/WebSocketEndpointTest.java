package io.chatservice.http;

import io.chatservice.chat.api.TextRules;
import io.chatservice.chat.testing.TestDatabases;
import io.chatservice.http.testing.TestNode;
import io.chatservice.http.testing.WsTestClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static io.chatservice.http.testing.WsTestClient.assertSeqs;
import static io.chatservice.http.testing.WsTestClient.errorWithoutRef;
import static io.chatservice.http.testing.WsTestClient.joined;
import static io.chatservice.http.testing.WsTestClient.message;
import static io.chatservice.http.testing.WsTestClient.presence;
import static io.chatservice.http.testing.WsTestClient.reply;
import static io.chatservice.http.testing.WsTestClient.seqs;
import static org.assertj.core.api.Assertions.assertThat;

/** The raw WebSocket endpoint /ws with real sockets: the contract's frames, delivery order, and every limit. */
@ExtendWith(VertxExtension.class)
@DisplayName("The raw WebSocket endpoint /ws")
class WebSocketEndpointTest {

  private static final String GENERAL = "general";

  /** Limits for one test's node; a field left at -1 keeps {@link TestNode#GENEROUS_LIMITS}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @interface Limits {
    long idleTimeoutMs() default -1;
    long pingIntervalMs() default -1;
    int maxOutboundBytes() default -1;
    int maxFrameBytes() default -1;
    double sendRate() default -1;
    int sendBurst() default -1;
    int maxConnectionsPerUser() default -1;
    int maxRoomsPerConnection() default -1;
  }

  private TestNode node;
  private String alice;
  private String bob;
  private String carol;

  @BeforeEach
  void startNode(Vertx vertx, TestInfo test, VertxTestContext testContext) {
    NodeConfig.LimitsConfig limits = test.getTestMethod().map(m -> m.getAnnotation(Limits.class))
      .map(WebSocketEndpointTest::limits).orElse(TestNode.GENEROUS_LIMITS);
    TestNode.start(vertx, TestNode.config(TestDatabases.h2(), false, TextRules.DEFAULT_MAX).withLimits(limits))
      .compose(started -> {
        node = started;
        return Future.all(node.registerAndLogin("alice", "password-a"), node.registerAndLogin("bob", "password-b"),
          node.registerAndLogin("carol", "password-c"));
      })
      .onComplete(testContext.succeeding(tokens -> {
        alice = tokens.resultAt(0);
        bob = tokens.resultAt(1);
        carol = tokens.resultAt(2);
        testContext.completeNow();
      }));
  }

  @Test
  @DisplayName("The handshake needs a valid token, from the query, a Bearer header or the cookie, and the socket acts as its user")
  void handshakeAuthentication(Vertx vertx, VertxTestContext testContext) {
    Future<Throwable> none = WsTestClient.connect(vertx, node.port, null).transform(done -> Future.succeededFuture(done.cause()));
    Future<Throwable> invalid = WsTestClient.connect(vertx, node.port, "not.a.jwt").transform(done -> Future.succeededFuture(done.cause()));
    Future<WsTestClient> byQuery = WsTestClient.connect(vertx, node.port, alice);
    Future<WsTestClient> byCookie = WsTestClient.connect(vertx, new WebSocketClientOptions(),
      WsTestClient.wsOptions(node.port, null).addHeader("Cookie", "chat_token=" + bob));
    Future<WsTestClient> byBearer = WsTestClient.connect(vertx, new WebSocketClientOptions(),
      WsTestClient.wsOptions(node.port, null).addHeader("Authorization", "Bearer " + carol));
    Future.all(none, invalid, byQuery, byCookie, byBearer).compose(all -> {
      List<WsTestClient> clients = List.of(byQuery.result(), byCookie.result(), byBearer.result());
      clients.forEach(c -> c.join(GENERAL));
      return Future.all(clients.stream().map(c -> c.next(joined(GENERAL))).toList()).compose(j -> {
        byQuery.result().send(GENERAL, "via query", "q");
        byCookie.result().send(GENERAL, "via cookie", "c");
        byBearer.result().send(GENERAL, "via bearer", "b");
        return byQuery.result().await(frames -> frames.stream().filter(message(GENERAL)).count() == 3, 5000);
      });
    }).onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
      assertThat(none.result()).isInstanceOf(UpgradeRejectedException.class);
      assertThat(((UpgradeRejectedException) none.result()).getStatus()).isEqualTo(401);
      assertThat(((UpgradeRejectedException) invalid.result()).getStatus()).isEqualTo(401);
      assertThat(frames.stream().filter(message(GENERAL)).map(f -> f.getString("from") + ": " + f.getString("text")))
        .containsExactlyInAnyOrder("alice: via query", "bob: via cookie", "carol: via bearer");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("join with after replays the missed messages in order, then joined with lastSeq, then live messages")
  void joinReplaysThenGoesLive(Vertx vertx, VertxTestContext testContext) {
    postSequentially(bob, GENERAL, 5, "m")
      .compose(posted -> WsTestClient.connect(vertx, node.port, alice))
      .compose(client -> {
        client.join(GENERAL, 2);
        return client.next(joined(GENERAL))
          .compose(j -> post(bob, GENERAL, "live"))
          .compose(live -> client.await(frames -> seqs(frames).contains(6L), 5000));
      })
      .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
        List<String> seen = frames.stream().filter(message(GENERAL).or(joined(GENERAL)))
          .map(f -> f.getString("type") + ":"
            + (f.containsKey("seq") ? f.getLong("seq") + "=" + f.getString("text") : f.getLong("lastSeq")))
          .toList();
        assertThat(seen).containsExactly("message:3=m3", "message:4=m4", "message:5=m5", "joined:5", "message:6=live");
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("Joining while others keep posting: every seq after the resume point exactly once, in order, joined at the seam")
  void replayLiveSeamUnderConcurrentPosts(Vertx vertx, VertxTestContext testContext) {
    int before = 230; // more than one replay page (200)
    int during = 50;
    List<Future<JsonObject>> inFlight = new ArrayList<>();
    Future.all(IntStream.rangeClosed(1, before).mapToObj(i -> post(bob, GENERAL, "before " + i)).toList())
      .compose(posted -> WsTestClient.connect(vertx, node.port, alice))
      .compose(client -> {
        IntStream.rangeClosed(1, during).forEach(i -> inFlight.add(post(carol, GENERAL, "during " + i)));
        client.join(GENERAL, 2);
        return Future.all(inFlight).compose(all -> client.await(frames -> seqs(frames).contains((long) before + during), 10_000));
      })
      .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
        List<JsonObject> general = frames.stream().filter(message(GENERAL).or(joined(GENERAL))).toList();
        List<Integer> joinedAt = IntStream.range(0, general.size()).filter(i -> joined(GENERAL).test(general.get(i))).boxed().toList();
        assertThat(joinedAt).as("exactly one joined").hasSize(1);
        long lastSeq = general.get(joinedAt.get(0)).getLong("lastSeq");
        List<Long> replayed = seqs(general.subList(0, joinedAt.get(0)));
        List<Long> live = seqs(general.subList(joinedAt.get(0) + 1, general.size()));
        System.out.printf("seam: %d replayed before joined(lastSeq=%d), %d live after%n", replayed.size(), lastSeq, live.size());
        assertSeqs(seqs(general), 3, before + during, "alice");
        assertThat(lastSeq).isEqualTo(replayed.isEmpty() ? 2 : replayed.get(replayed.size() - 1));
        assertThat(replayed).allMatch(seq -> seq <= lastSeq);
        assertThat(live).allMatch(seq -> seq > lastSeq);
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("join without after delivers only live messages; a second join, others' dm, bad or unknown rooms get error frames")
  void joinWithoutAfterAndJoinErrors(Vertx vertx, VertxTestContext testContext) {
    postSequentially(bob, GENERAL, 2, "old").compose(posted -> WsTestClient.connect(vertx, node.port, alice)).compose(client -> {
      client.join(GENERAL);
      return client.next(joined(GENERAL)).compose(j -> post(bob, GENERAL, "new")).compose(p -> {
        client.write(joinFrame(GENERAL, "again")).write(joinFrame("dm:bob:carol", "peek"))
          .write(joinFrame("Bad Room!", "bad")).write(joinFrame("nowhere", "gone"))
          .write(new JsonObject().put("type", "join").put("room", "general2").put("after", -1).put("ref", "neg"));
        return Future.all(List.of(client.next(message(GENERAL)), client.next(reply("again")), client.next(reply("peek")),
          client.next(reply("bad")), client.next(reply("gone")), client.next(reply("neg"))));
      }).compose(all -> client.none(message(GENERAL), 300).map(all));
    }).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
      assertThat(((JsonObject) all.resultAt(0)).getString("text")).as("first message after joining is the live one").isEqualTo("new");
      assertThat(((JsonObject) all.resultAt(0)).getLong("seq")).isEqualTo(3L);
      assertError(all.resultAt(1), "again", 422, null);
      assertError(all.resultAt(2), "peek", 403, "not_a_participant");
      assertError(all.resultAt(3), "bad", 422, "invalid_room");
      assertError(all.resultAt(4), "gone", 404, "unknown_room");
      assertError(all.resultAt(5), "neg", 422, "invalid_parameter");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("A message at the length limit, with multi-byte characters, reaches every socket byte for byte (one encoding shared by all)")
  void longMessageReachesEverySocketIntact(Vertx vertx, VertxTestContext testContext) {
    // Over 1 KiB of frame, so Netty writes the shared bytes themselves rather than a copy; emoji and accents for UTF-8.
    String unit = "é€😀 long ";
    String text = unit.repeat(TextRules.DEFAULT_MAX / unit.length());
    Future.all(WsTestClient.connect(vertx, node.port, alice), WsTestClient.connect(vertx, node.port, bob),
        WsTestClient.connect(vertx, node.port, carol))
      .compose(all -> {
        List<WsTestClient> clients = List.of(all.resultAt(0), all.resultAt(1), all.resultAt(2));
        clients.forEach(c -> c.join(GENERAL));
        return Future.all(clients.stream().map(c -> c.next(joined(GENERAL))).toList())
          .compose(j -> post(bob, GENERAL, text))
          .compose(p -> post(bob, GENERAL, "after"))
          .compose(p -> Future.all(clients.stream()
            .map(c -> c.await(frames -> frames.stream().filter(message(GENERAL)).count() == 2, 5000)).toList()));
      })
      .onComplete(testContext.succeeding(received -> testContext.verify(() -> {
        for (int i = 0; i < 3; i++) {
          List<JsonObject> frames = received.resultAt(i);
          assertThat(frames.stream().filter(message(GENERAL)).map(f -> f.getString("text")))
            .as("socket " + i).containsExactly(text, "after");
        }
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("leave stops a room's delivery while another joined room keeps delivering")
  void leaveStopsDelivery(Vertx vertx, VertxTestContext testContext) {
    createRoom(alice, "side").compose(r -> WsTestClient.connect(vertx, node.port, alice)).compose(client -> {
      client.join(GENERAL).join("side");
      return Future.all(client.next(joined(GENERAL)), client.next(joined("side"))).compose(j -> {
        // A reply to a later frame proves the leave was processed before anything is posted.
        client.leave(GENERAL).write(new JsonObject().put("type", "leave").put("room", "never-joined").put("ref", "sync"));
        return client.next(reply("sync"));
      }).compose(sync -> post(bob, GENERAL, "after leave")).compose(p -> post(bob, "side", "control"))
        .compose(p -> client.next(message("side")))
        .compose(control -> client.none(message(GENERAL), 300).map(control));
    }).onComplete(testContext.succeeding(control -> testContext.verify(() -> {
      assertThat(control.getString("text")).isEqualTo("control");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("send is acknowledged with ref, id and seq; failed sends get error frames with the ref and the REST code")
  void sendAckAndErrors(Vertx vertx, VertxTestContext testContext) {
    WsTestClient.connect(vertx, node.port, alice).compose(client -> {
      client.join(GENERAL);
      return client.next(joined(GENERAL)).compose(j -> {
        client.send(GENERAL, "hello", "r1").send(GENERAL, "numeric ref", 42)
          .send(GENERAL, "x".repeat(4001), "long").send(GENERAL, "   ", "blank").send("nowhere", "hi", "unknown")
          .send("dm:bob:carol", "hi", "others");
        return Future.all(List.of(client.next(reply("r1")), client.next(reply(42)), client.next(reply("long")),
          client.next(reply("blank")), client.next(reply("unknown")), client.next(reply("others")),
          client.next(message(GENERAL).and(f -> "hello".equals(f.getString("text"))))));
      });
    }).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
      JsonObject delivered = all.resultAt(6);
      assertThat((JsonObject) all.resultAt(0))
        .isEqualTo(new JsonObject().put("type", "ack").put("ref", "r1").put("id", delivered.getLong("id")).put("seq", 1L));
      assertThat(delivered.getString("from")).isEqualTo("alice");
      assertThat(((JsonObject) all.resultAt(1)).getMap()).containsEntry("type", "ack").containsEntry("ref", 42).containsEntry("seq", 2);
      assertError(all.resultAt(2), "long", 413, "text_too_long");
      assertError(all.resultAt(3), "blank", 422, "invalid_text");
      assertError(all.resultAt(4), "unknown", 404, "unknown_room");
      assertError(all.resultAt(5), "others", 403, "not_a_participant");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("Malformed JSON, a missing or unknown type and binary frames get a 400 error frame and the socket stays usable")
  void malformedFramesKeepTheSocketOpen(Vertx vertx, VertxTestContext testContext) {
    WsTestClient.connect(vertx, node.port, alice).compose(client -> {
      client.writeText("not json").writeText("[1,2]").writeText("{\"room\":\"general\"}")
        .writeText("{\"type\":\"dance\",\"ref\":\"d\"}").writeBinary(Buffer.buffer("{\"type\":\"send\"}"));
      return client.await(frames -> frames.stream().filter(WsTestClient.type("error")).count() >= 5, 5000)
        .compose(errors -> {
          client.send(GENERAL, "still here", "after");
          return client.next(reply("after")).map(ack -> List.of(errors, List.of(ack), client.frames()));
        });
    }).onComplete(testContext.succeeding(results -> testContext.verify(() -> {
      List<JsonObject> errors = results.get(0).stream().filter(WsTestClient.type("error")).toList();
      assertThat(errors).hasSize(5).allSatisfy(e -> {
        assertThat(e.getInteger("code")).isEqualTo(400);
        assertThat(e.getString("error")).isEqualTo("malformed_body");
        assertThat(e.getString("message")).isNotBlank();
      });
      assertThat(errors.stream().filter(errorWithoutRef())).hasSize(4);
      assertThat(errors.get(3).getString("ref")).isEqualTo("d");
      assertThat(results.get(1).get(0).getString("type")).isEqualTo("ack");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("Another user's socket opening and closing shows as presence; a dm opened over REST reaches the other user")
  void presenceAndDmEvents(Vertx vertx, VertxTestContext testContext) {
    WsTestClient.connect(vertx, node.port, alice).compose(watcher -> WsTestClient.connect(vertx, node.port, bob)
      .compose(other -> watcher.next(presence("bob", true)).compose(on -> other.close().map(on)))
      .compose(on -> watcher.next(presence("bob", false)).map(off -> List.of(on, off)))
      .compose(onOff -> node.client.post("/api/dms").bearerTokenAuthentication(carol).sendJsonObject(new JsonObject().put("with", "alice"))
        .compose(r -> watcher.next(WsTestClient.type("dm"))).map(dm -> List.of(onOff.get(0), onOff.get(1), dm))))
      .onComplete(testContext.succeeding(events -> testContext.verify(() -> {
        assertThat(events.get(0)).isEqualTo(new JsonObject().put("type", "presence").put("user", "bob").put("online", true));
        assertThat(events.get(1)).isEqualTo(new JsonObject().put("type", "presence").put("user", "bob").put("online", false));
        assertThat(events.get(2).getString("room")).isEqualTo("dm:alice:carol");
        assertThat(events.get(2).getString("with")).isEqualTo("carol");
        testContext.completeNow();
      })));
  }

  @Test
  @Limits(maxFrameBytes = 4096)
  @DisplayName("A frame over maxFrameBytes closes the socket with 1009 frame_too_large; a frame under it is served")
  void oversizedFrameCloses(Vertx vertx, VertxTestContext testContext) {
    Future.all(WsTestClient.connect(vertx, node.port, alice), WsTestClient.connect(vertx, node.port, alice)).compose(both -> {
      WsTestClient big = both.resultAt(0);
      WsTestClient fits = both.resultAt(1);
      fits.send(GENERAL, "y".repeat(3900), "fits");
      big.send(GENERAL, "x".repeat(5000), "big");
      return Future.all(fits.next(reply("fits")), big.closed(5000))
        .map(all -> List.<Object>of(all.resultAt(0), all.resultAt(1), big.closeReason()));
    }).onComplete(testContext.succeeding(results -> testContext.verify(() -> {
      assertThat(((JsonObject) results.get(0)).getString("type")).isEqualTo("ack");
      assertThat(results.get(1)).isEqualTo((short) 1009);
      assertThat((String) results.get(2)).startsWith("frame_too_large");
      testContext.completeNow();
    })));
  }

  @Test
  @Limits(sendRate = 1, sendBurst = 3)
  @DisplayName("Sends over the rate limit get error 429 rate_limited with their ref")
  void sendRateLimit(Vertx vertx, VertxTestContext testContext) {
    WsTestClient.connect(vertx, node.port, alice).compose(client -> {
      IntStream.rangeClosed(1, 4).forEach(i -> client.send(GENERAL, "burst " + i, "s" + i));
      return Future.all(IntStream.rangeClosed(1, 4).mapToObj(i -> client.next(reply("s" + i))).toList());
    }).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
      for (int i = 0; i < 3; i++) {
        assertThat(((JsonObject) all.resultAt(i)).getString("type")).isEqualTo("ack");
      }
      assertError(all.resultAt(3), "s4", 429, "rate_limited");
      testContext.completeNow();
    })));
  }

  @Test
  @Limits(maxConnectionsPerUser = 2)
  @DisplayName("A user's connection over maxConnectionsPerUser is closed with 4002; others and other users are unaffected")
  void connectionLimitPerUser(Vertx vertx, VertxTestContext testContext) {
    Future.all(WsTestClient.connect(vertx, node.port, alice), WsTestClient.connect(vertx, node.port, alice))
      .compose(two -> WsTestClient.connect(vertx, node.port, alice).compose(third -> third.closed(5000)
        .map(code -> List.<Object>of(code, third.closeReason())))
        .compose(closed -> WsTestClient.connect(vertx, node.port, bob).compose(other -> {
          ((WsTestClient) two.resultAt(0)).send(GENERAL, "first still works", "a1");
          other.send(GENERAL, "bob is not limited", "b1");
          return Future.all(((WsTestClient) two.resultAt(0)).next(reply("a1")), other.next(reply("b1")))
            .map(acks -> List.of(closed.get(0), closed.get(1), acks.resultAt(0), acks.resultAt(1)));
        })))
      .onComplete(testContext.succeeding(results -> testContext.verify(() -> {
        assertThat(results.get(0)).isEqualTo((short) 4002);
        assertThat((String) results.get(1)).startsWith("too_many_connections");
        assertThat(((JsonObject) results.get(2)).getString("type")).isEqualTo("ack");
        assertThat(((JsonObject) results.get(3)).getString("type")).isEqualTo("ack");
        testContext.completeNow();
      })));
  }

  @Test
  @Limits(maxRoomsPerConnection = 2)
  @DisplayName("A join over maxRoomsPerConnection gets error 429; after a leave the join succeeds")
  void roomLimitPerConnection(Vertx vertx, VertxTestContext testContext) {
    Future.all(createRoom(alice, "one"), createRoom(alice, "two")).compose(r -> WsTestClient.connect(vertx, node.port, alice))
      .compose(client -> {
        client.join(GENERAL).join("one").write(joinFrame("two", "third"));
        return Future.all(client.next(joined(GENERAL)), client.next(joined("one")), client.next(reply("third")))
          .compose(all -> {
            client.leave(GENERAL).join("two");
            return client.next(joined("two")).map(ok -> (JsonObject) all.resultAt(2));
          });
      })
      .onComplete(testContext.succeeding(refused -> testContext.verify(() -> {
        assertError(refused, "third", 429, "rate_limited");
        testContext.completeNow();
      })));
  }

  @Test
  @Limits(idleTimeoutMs = 2000)
  @DisplayName("A socket that sends nothing for idleTimeout is closed with 4000 idle_timeout; one that keeps sending stays open")
  void idleTimeout(Vertx vertx, VertxTestContext testContext) {
    long started = System.currentTimeMillis();
    Future.all(WsTestClient.connect(vertx, node.port, alice), WsTestClient.connect(vertx, node.port, bob)).compose(both -> {
      WsTestClient idle = both.resultAt(0);
      WsTestClient active = both.resultAt(1);
      long timer = vertx.setPeriodic(500, t -> active.send(GENERAL, "keep-alive", "k" + t));
      return idle.closed(8000).map(code -> List.<Object>of(code, System.currentTimeMillis() - started))
        .compose(closed -> vertx.timer(1000).map(closed)).compose(closed -> {
          vertx.cancelTimer(timer);
          active.send(GENERAL, "still open", "last");
          return active.next(reply("last")).map(ack -> List.of(closed.get(0), idle.closeReason(), closed.get(1), active.isClosed(), ack));
        });
    }).onComplete(testContext.succeeding(results -> testContext.verify(() -> {
      System.out.println("idle socket closed after " + results.get(2) + " ms (idleTimeout 2000 ms)");
      assertThat(results.get(0)).isEqualTo((short) 4000);
      assertThat((String) results.get(1)).startsWith("idle_timeout");
      assertThat((long) results.get(2)).isBetween(1900L, 6000L);
      assertThat(results.get(3)).as("the active socket is open").isEqualTo(false);
      assertThat(((JsonObject) results.get(4)).getString("type")).isEqualTo("ack");
      testContext.completeNow();
    })));
  }

  @Test
  @Limits(pingIntervalMs = 1000)
  @DisplayName("Pings answered by the client keep a silent socket open; a client whose reading stalls misses pongs and is closed with 4003")
  void pingTimeout(Vertx vertx, VertxTestContext testContext) {
    Future.all(WsTestClient.connect(vertx, node.port, alice), WsTestClient.connect(vertx, node.port, bob)).compose(both -> {
      WsTestClient stalled = both.resultAt(0);
      WsTestClient silent = both.resultAt(1);
      stalled.join(GENERAL);
      return stalled.next(joined(GENERAL)).compose(j -> {
        // Past Vert.x's inbound queue (16 frames) the client stops reading the TCP connection, pings included.
        stalled.pause();
        return postSequentially(carol, GENERAL, 40, "fill");
      }).compose(p -> silent.next(presence("alice", false), 8000))
        .compose(offline -> {
          stalled.resume();
          return stalled.closed(5000);
        })
        .compose(code -> {
          silent.send(GENERAL, "pongs kept me", "silent");
          return silent.next(reply("silent")).map(ack -> List.<Object>of(code, stalled.closeReason(), ack));
        });
    }).onComplete(testContext.succeeding(results -> testContext.verify(() -> {
      assertThat(results.get(0)).isEqualTo((short) 4003);
      assertThat((String) results.get(1)).startsWith("ping_timeout");
      assertThat(((JsonObject) results.get(2)).getString("type")).isEqualTo("ack");
      testContext.completeNow();
    })));
  }

  @Test
  @Limits(maxOutboundBytes = 64 * 1024)
  @DisplayName("A client that stops reading is cut with 4001 slow_consumer while a reading client in the same room keeps up")
  void slowConsumerIsCut(Vertx vertx, VertxTestContext testContext) {
    Map<Long, Long> postedAt = new ConcurrentHashMap<>();
    Map<Long, Long> receivedAt = new ConcurrentHashMap<>();
    String text = "z".repeat(3000);
    WebSocketClientOptions smallBuffer = new WebSocketClientOptions().setReceiveBufferSize(8192);
    Future.all(WsTestClient.connect(vertx, smallBuffer, WsTestClient.wsOptions(node.port, alice)),
      WsTestClient.connect(vertx, node.port, bob)).compose(both -> {
      WsTestClient slow = both.resultAt(0);
      WsTestClient reader = both.resultAt(1);
      reader.onFrame(f -> {
        if (message(GENERAL).test(f)) {
          receivedAt.put(f.getLong("seq"), System.nanoTime());
        }
      });
      // The slow client joins first: the client after it in the room's feed must still get the message that cut it.
      slow.join(GENERAL);
      Future<JsonObject> cut = reader.next(presence("alice", false), 20_000);
      return slow.next(joined(GENERAL)).compose(j -> reader.join(GENERAL).next(joined(GENERAL))).compose(j -> {
        slow.pause();
        return postUntil(carol, text, 3000, cut, postedAt, 0);
      }).compose(posted -> cut.compose(c -> reader.await(frames -> seqs(frames).contains(posted), 5000)).map(posted))
        .compose(posted -> {
          slow.resume();
          return slow.closed(10_000).map(code -> List.<Object>of(posted, code, slow.closeReason(), seqs(slow.frames()),
            seqs(reader.frames())));
        });
    }).onComplete(testContext.succeeding(results -> testContext.verify(() -> {
      long posted = (long) results.get(0);
      @SuppressWarnings("unchecked") List<Long> slowSeqs = (List<Long>) results.get(3);
      @SuppressWarnings("unchecked") List<Long> readerSeqs = (List<Long>) results.get(4);
      long maxDelayMs = LongStream.rangeClosed(1, posted).filter(seq -> receivedAt.containsKey(seq) && postedAt.containsKey(seq))
        .map(seq -> (receivedAt.get(seq) - postedAt.get(seq)) / 1_000_000).max().orElseThrow();
      System.out.printf("slow consumer: cut after %d posts of %d chars; it had received %d; reader got %d, max post-to-receipt %d ms%n",
        posted, text.length(), slowSeqs.size(), readerSeqs.size(), maxDelayMs);
      assertThat(results.get(1)).isEqualTo((short) 4001);
      assertThat((String) results.get(2)).startsWith("slow_consumer");
      assertSeqs(readerSeqs, 1, posted, "the reading client");
      assertThat(maxDelayMs).isLessThan(1000);
      assertSeqs(slowSeqs, 1, slowSeqs.size(), "the cut client (a gap-free prefix)");
      assertThat((long) slowSeqs.size()).isLessThan(posted);
      testContext.completeNow();
    })));
  }

  // Helpers

  private Future<JsonObject> post(String token, String room, String text) {
    return node.client.post("/api/rooms/" + room + "/messages").bearerTokenAuthentication(token)
      .sendJsonObject(new JsonObject().put("text", text))
      .compose(r -> r.statusCode() == 201 ? Future.succeededFuture(r.bodyAsJsonObject())
        : Future.failedFuture(new AssertionError("post to " + room + ": " + r.statusCode() + " " + r.bodyAsString())));
  }

  /** Posts {@code text + i} for i = 1..n, one after the other; completes with the last seq. */
  private Future<Long> postSequentially(String token, String room, int n, String text) {
    Future<Long> chain = Future.succeededFuture(0L);
    for (int i = 1; i <= n; i++) {
      String body = text + i;
      chain = chain.compose(seq -> post(token, room, body).map(m -> m.getLong("seq")));
    }
    return chain;
  }

  /** Posts to general one after the other until {@code stop} completes or seq {@code max} is reached; the last seq. */
  private Future<Long> postUntil(String token, String text, int max, Future<?> stop, Map<Long, Long> postedAt, long last) {
    if (stop.isComplete() || last >= max) {
      return Future.succeededFuture(last);
    }
    long sentAt = System.nanoTime();
    return post(token, GENERAL, text).compose(m -> {
      postedAt.put(m.getLong("seq"), sentAt);
      return postUntil(token, text, max, stop, postedAt, m.getLong("seq"));
    });
  }

  private Future<Void> createRoom(String token, String name) {
    return node.client.post("/api/rooms").bearerTokenAuthentication(token).sendJsonObject(new JsonObject().put("name", name))
      .compose(r -> r.statusCode() == 201 ? Future.succeededFuture() : Future.failedFuture("create " + name + ": " + r.statusCode()));
  }

  private static JsonObject joinFrame(String room, String ref) {
    return new JsonObject().put("type", "join").put("room", room).put("ref", ref);
  }

  private static void assertError(JsonObject frame, Object ref, int code, String error) {
    assertThat(frame.getString("type")).as("%s", frame).isEqualTo("error");
    assertThat(frame.getValue("ref")).isEqualTo(ref);
    assertThat(frame.getInteger("code")).as("%s", frame).isEqualTo(code);
    if (error != null) {
      assertThat(frame.getString("error")).isEqualTo(error);
    }
    assertThat(frame.getString("message")).isNotBlank();
  }

  private static NodeConfig.LimitsConfig limits(Limits l) {
    NodeConfig.LimitsConfig g = TestNode.GENEROUS_LIMITS;
    return new NodeConfig.LimitsConfig(
      l.idleTimeoutMs() < 0 ? g.idleTimeout() : Duration.ofMillis(l.idleTimeoutMs()),
      l.pingIntervalMs() < 0 ? g.pingInterval() : Duration.ofMillis(l.pingIntervalMs()),
      l.maxOutboundBytes() < 0 ? g.maxOutboundBytes() : l.maxOutboundBytes(),
      l.maxFrameBytes() < 0 ? g.maxFrameBytes() : l.maxFrameBytes(),
      l.sendRate() < 0 ? g.sendRatePerSecond() : l.sendRate(),
      l.sendBurst() < 0 ? g.sendBurst() : l.sendBurst(),
      l.maxConnectionsPerUser() < 0 ? g.maxConnectionsPerUser() : l.maxConnectionsPerUser(),
      l.maxRoomsPerConnection() < 0 ? g.maxRoomsPerConnection() : l.maxRoomsPerConnection());
  }
}
