package io.chatservice.http;

import io.chatservice.chat.api.TextRules;
import io.chatservice.chat.persistence.DatabaseConfig;
import io.chatservice.chat.testing.TestDatabases;
import io.chatservice.http.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokens are signed here by hand (HS256 over base64url JSON with javax.crypto),
 * so a refusal proves the node checks what it must, not that the test signs badly:
 * the same signing with the node's secret is accepted.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Token authentication")
class TokenAuthTest {

  private static final String SECRET = "token-auth-test-secret-0123456789abcdef";
  private static final String PASSWORD = "12345678";
  private static final String ATTACKER_SECRET = "attacker-chosen-secret-0123456789abcdef";
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  static Stream<Arguments> refusedTokens() {
    JsonObject alice = claims("alice", Duration.ofDays(365));
    String valid = hs256(SECRET, alice);
    String[] parts = valid.split("\\.");
    return Stream.of(
      Arguments.of("signed with another secret", hs256("another-secret-0123456789abcdef-xyz", alice)),
      Arguments.of("alg none with an empty signature", token(new JsonObject().put("alg", "none").put("typ", "JWT"), alice, null, null)),
      Arguments.of("alg none carrying a valid HS256 signature", token(new JsonObject().put("alg", "none").put("typ", "JWT"), alice, null, null) + parts[2]),
      Arguments.of("HS512 with the node's secret", token(header("HS512"), alice, "HmacSHA512", SECRET)),
      Arguments.of("expired a minute ago", hs256(SECRET, claims("alice", Duration.ofMinutes(-1)))),
      Arguments.of("payload changed to bob after signing", parts[0] + "." + base64url(claims("bob", Duration.ofDays(365)).encode()) + "." + parts[2]),
      Arguments.of("signature dropped", parts[0] + "." + parts[1] + "."),
      Arguments.of("HS384 with the node's secret", token(header("HS384"), alice, "HmacSHA384", SECRET)),
      Arguments.of("a valid HS256 signature but no exp claim", hs256(SECRET, new JsonObject().put("sub", "alice"))),
      Arguments.of("RS256 signed with an RSA key the node never trusted", signed(header("RS256"), alice, "SHA256withRSA", keyPair("RSA", 2048))),
      Arguments.of("ES256 signed with an EC key the node never trusted", signed(header("ES256"), alice, "SHA256withECDSAinP1363Format", keyPair("EC", 256))),
      Arguments.of("algorithm confusion: alg RS256 over an HMAC made with the node's secret",
        token(header("RS256"), alice, "HmacSHA256", SECRET)),
      Arguments.of("the attacker's own key embedded as a jwk header",
        token(header("HS256").put("jwk", new JsonObject().put("kty", "oct").put("k", base64url(ATTACKER_SECRET))), alice, "HmacSHA256", ATTACKER_SECRET)),
      Arguments.of("a jku header pointing at the attacker's key set",
        token(header("HS256").put("jku", "http://127.0.0.1:9/jwks.json"), alice, "HmacSHA256", ATTACKER_SECRET)),
      Arguments.of("a kid naming an empty key (../../dev/null), signed with it",
        token(header("HS256").put("kid", "../../../../dev/null"), alice, "HmacSHA256", "\u0000")),
      Arguments.of("a kid naming another key, signed with the attacker's",
        token(header("HS256").put("kid", "attacker"), alice, "HmacSHA256", ATTACKER_SECRET)));
  }

  @Test
  @DisplayName("A token the test signs with the node's secret is accepted by every carrier (so the refusals below mean something)")
  void handSignedTokenIsAccepted(Vertx vertx, VertxTestContext testContext) {
    String token = hs256(SECRET, claims("alice", Duration.ofHours(1)));
    expectEachCarrier(testContext, startWithSecret(vertx), token, response -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject().put("username", "alice"));
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedTokens")
  @DisplayName("A forged, altered or expired token is 401 unauthenticated, whichever way it is carried")
  void refusedToken(String label, String token, Vertx vertx, VertxTestContext testContext) {
    expectEachCarrier(testContext, startWithSecret(vertx), token, response -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(401);
      assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("unauthenticated");
    });
  }

  @Test
  @DisplayName("An explicit token is the only one read: a bad Bearer or ?token= next to a valid cookie is 401, never the cookie's user")
  void explicitTokenHidesTheCookie(Vertx vertx, VertxTestContext testContext) {
    String valid = hs256(SECRET, claims("alice", Duration.ofHours(1)));
    Checkpoint answered = testContext.checkpoint(2);
    startWithSecret(vertx).onComplete(testContext.succeeding(node -> List.of(
        node.client.get("/api/me").bearerTokenAuthentication("garbage").putHeader("Cookie", "chat_token=" + valid).send(),
        node.client.get("/api/me?token=garbage").putHeader("Cookie", "chat_token=" + valid).send())
      .forEach(response -> response.onComplete(testContext.succeeding(answer -> testContext.verify(() -> {
        assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(401);
        answered.flag();
      }))))));
  }

  @Test
  @DisplayName("A node refuses to start with a secret shorter than 32 bytes")
  void shortSecretRefused(Vertx vertx, VertxTestContext testContext) {
    NodeConfig config = TestNode.config(TestDatabases.h2(), false, TextRules.DEFAULT_MAX).withJwtSecret("x".repeat(31));
    TestNode.start(vertx, config).onComplete(testContext.failing(refused -> testContext.verify(() -> {
      assertThat(refused).hasMessageContaining("32 bytes");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("Nodes sharing a database accept each other's tokens without --jwt-secret")
  void nodesSharingADatabaseAgreeOnTokens(Vertx vertx, VertxTestContext testContext) {
    DatabaseConfig database = TestDatabases.h2();
    Future<TestNode> a = TestNode.start(vertx, TestNode.config(database, false, TextRules.DEFAULT_MAX));
    Future<TestNode> b = a.compose(first -> TestNode.start(vertx, TestNode.config(database, false, TextRules.DEFAULT_MAX)));
    Future<HttpResponse<Buffer>> aTokenOnB = b.compose(second -> a.result().registerAndLogin("alice", PASSWORD))
      .compose(token -> me(b.result(), token));
    Future<HttpResponse<Buffer>> bTokenOnA = aTokenOnB.compose(v -> b.result().registerAndLogin("bob", PASSWORD))
      .compose(token -> me(a.result(), token));
    bTokenOnA.onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(a.result().port).isNotEqualTo(b.result().port);
      assertThat(aTokenOnB.result().statusCode()).as(aTokenOnB.result().bodyAsString()).isEqualTo(200);
      assertThat(aTokenOnB.result().bodyAsJsonObject().getString("username")).isEqualTo("alice");
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject().getString("username")).isEqualTo("bob");
      testContext.completeNow();
    })));
  }

  /** A node whose secret the test knows, as --jwt-secret would give it. */
  private static Future<TestNode> startWithSecret(Vertx vertx) {
    NodeConfig defaults = TestNode.config(TestDatabases.h2(), false, TextRules.DEFAULT_MAX);
    return TestNode.start(vertx, defaults.withJwtSecret(SECRET));
  }

  /** GET /api/me with the token as a Bearer header, a ?token= parameter and a cookie; one checkpoint each. */
  private static void expectEachCarrier(VertxTestContext testContext, Future<TestNode> started, String token,
                                        Consumer<HttpResponse<Buffer>> check) {
    Checkpoint answered = testContext.checkpoint(3);
    started.onComplete(testContext.succeeding(node -> Map.of(
      "bearer", node.client.get("/api/me").bearerTokenAuthentication(token).send(),
      "query", node.client.get("/api/me").addQueryParam("token", token).send(),
      "cookie", node.client.get("/api/me").putHeader("Cookie", "chat_token=" + token).send())
      .forEach((carrier, response) -> response.onComplete(testContext.succeeding(answer -> testContext.verify(() -> {
        try {
          check.accept(answer);
        } catch (AssertionError e) {
          throw new AssertionError(carrier + ": " + e.getMessage(), e);
        }
        answered.flag();
      }))))));
  }

  private static Future<HttpResponse<Buffer>> me(TestNode node, String token) {
    return node.client.get("/api/me").bearerTokenAuthentication(token).send();
  }

  private static JsonObject claims(String subject, Duration expiresIn) {
    long now = Instant.now().getEpochSecond();
    return new JsonObject().put("sub", subject).put("iat", now).put("exp", now + expiresIn.toSeconds());
  }

  private static JsonObject header(String algorithm) {
    return new JsonObject().put("alg", algorithm).put("typ", "JWT");
  }

  private static String hs256(String secret, JsonObject claims) {
    return token(header("HS256"), claims, "HmacSHA256", secret);
  }

  /** header.payload.signature; with no MAC algorithm the signature is empty, as for alg none. */
  private static String token(JsonObject header, JsonObject claims, String macAlgorithm, String secret) {
    String signingInput = base64url(header.encode()) + "." + base64url(claims.encode());
    if (macAlgorithm == null) {
      return signingInput + ".";
    }
    try {
      Mac mac = Mac.getInstance(macAlgorithm);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), macAlgorithm));
      return signingInput + "." + BASE64URL.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** header.payload.signature with a public-key signature algorithm. */
  private static String signed(JsonObject header, JsonObject claims, String signatureAlgorithm, KeyPair keys) {
    String signingInput = base64url(header.encode()) + "." + base64url(claims.encode());
    try {
      Signature signature = Signature.getInstance(signatureAlgorithm);
      signature.initSign(keys.getPrivate());
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + BASE64URL.encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair(String algorithm, int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      generator.initialize(bits);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64url(String json) {
    return BASE64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
