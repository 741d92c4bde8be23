package io.chatservice.http;

import io.chatservice.http.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Security headers")
class SecurityHeadersTest {

  private static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

  @Test
  @DisplayName("Every response carries the CSP (no inline script), nosniff, X-Frame-Options DENY and Referrer-Policy same-origin: pages, API answers, errors, health, SockJS")
  void everyResponse(Vertx vertx, VertxTestContext testContext) {
    TestNode.start(vertx).compose(node -> node.registerAndLogin("alice", "headers-password").compose(token -> {
      Map<String, Future<HttpResponse<Buffer>>> responses = new LinkedHashMap<>();
      responses.put("GET /", node.client.get("/").send());
      responses.put("GET /index.html", node.client.get("/index.html").send());
      responses.put("GET /app.js", node.client.get("/app.js").send());
      responses.put("GET /nothing-here.html (404)", node.client.get("/nothing-here.html").send());
      responses.put("GET /api/me", node.client.get("/api/me").bearerTokenAuthentication(token).send());
      responses.put("GET /api/me without a token (401)", node.client.get("/api/me").send());
      responses.put("POST /api/login, wrong password (401)", node.client.post("/api/login")
        .sendJsonObject(new JsonObject().put("username", "alice").put("password", "wrong-password")));
      responses.put("cross-site POST (403)", node.client.post("/api/rooms").putHeader("Cookie", "chat_token=" + token)
        .putHeader("Origin", "https://evil.example").sendJsonObject(new JsonObject().put("name", "x")));
      responses.put("PUT /api/me", node.client.request(HttpMethod.PUT, "/api/me").bearerTokenAuthentication(token).send());
      responses.put("GET /health/live", node.client.get("/health/live").send());
      responses.put("GET /eventbus/info", node.client.get("/eventbus/info").bearerTokenAuthentication(token).send());
      return Future.join(List.copyOf(responses.values())).map(all -> responses);
    })).onComplete(testContext.succeeding(responses -> testContext.verify(() -> {
      responses.forEach((label, answered) -> {
        HttpResponse<Buffer> response = answered.result();
        assertThat(response.getHeader("Content-Security-Policy")).as(label).isEqualTo(POLICY);
        assertThat(response.getHeader("X-Content-Type-Options")).as(label).isEqualTo("nosniff");
        assertThat(response.getHeader("X-Frame-Options")).as(label).isEqualTo("DENY");
        assertThat(response.getHeader("Referrer-Policy")).as(label).isEqualTo("same-origin");
      });
      assertThat(responses.get("GET /").result().statusCode()).isEqualTo(200);
      assertThat(responses.get("cross-site POST (403)").result().statusCode()).isEqualTo(403);
      assertThat(POLICY).doesNotContain("unsafe-inline", "unsafe-eval");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("The web client's page has nothing the policy would block: no inline script, event-handler attribute or inline style")
  void pageHasNoInlineCode() throws IOException {
    String page;
    try (InputStream in = getClass().getResourceAsStream("/webroot/index.html")) {
      assertThat(in).as("webroot/index.html on the class path").isNotNull();
      page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE).matcher(page).find())
      .as("a <script> without src").isFalse();
    assertThat(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(page).find()).as("an on...= attribute").isFalse();
    assertThat(Pattern.compile("<style|\\sstyle\\s*=", Pattern.CASE_INSENSITIVE).matcher(page).find()).as("inline style").isFalse();
    assertThat(Pattern.compile("(src|href)\\s*=\\s*\"(https?:)?//", Pattern.CASE_INSENSITIVE).matcher(page).find())
      .as("a script, style or icon from another host").isFalse();
  }
}
