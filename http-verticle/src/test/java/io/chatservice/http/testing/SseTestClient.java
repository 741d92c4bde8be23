package io.chatservice.http.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * A minimal EventSource: reads /sse as a stream and parses it into events
 * (event, id, data) and comment lines, in arrival order.
 */
public final class SseTestClient {

  /** One server-sent event; a comment line (": ...") is an event of type "comment" with the text as data. */
  public record Event(String event, String id, String data) {
    public JsonObject json() {
      return new JsonObject(data);
    }
  }

  private final Vertx vertx;
  // Kept by the instance, like the WebSocket client: an unreferenced client is closed with its connections.
  private final HttpClient client;
  private final HttpClientResponse response;
  private final List<Event> events = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final StringBuilder pending = new StringBuilder();
  private final Promise<Void> ended = Promise.promise();

  private record Waiter(Predicate<List<Event>> condition, Promise<List<Event>> promise) {
  }

  private SseTestClient(Vertx vertx, HttpClient client, HttpClientResponse response) {
    this.vertx = vertx;
    this.client = client;
    this.response = response;
    response.handler(chunk -> onText(chunk.toString()));
    response.endHandler(v -> ended.tryComplete());
    response.exceptionHandler(e -> ended.tryComplete());
  }

  /** GETs {@code uri} with the given headers; fails unless the answer is 200 (the stream). */
  public static Future<SseTestClient> open(Vertx vertx, int port, String uri, MultiMap headers) {
    HttpClient client = vertx.createHttpClient();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
      .setURI(uri).setHeaders(headers).addHeader("Accept", "text/event-stream");
    return client.request(options)
      .compose(request -> request.send())
      .compose(response -> {
        if (response.statusCode() != 200) {
          return response.body().compose(body -> Future.<SseTestClient>failedFuture(
            new AssertionError("SSE refused: " + response.statusCode() + " " + body)));
        }
        return Future.succeededFuture(new SseTestClient(vertx, client, response));
      })
      .onFailure(e -> client.close());
  }

  public HttpClientResponse response() {
    return response;
  }

  private void onText(String text) {
    List<Promise<List<Event>>> done = new ArrayList<>();
    List<Event> snapshot;
    synchronized (this) {
      pending.append(text.replace("\r\n", "\n"));
      int end;
      while ((end = pending.indexOf("\n\n")) >= 0) {
        parseBlock(pending.substring(0, end));
        pending.delete(0, end + 2);
      }
      snapshot = List.copyOf(events);
      Iterator<Waiter> it = waiters.iterator();
      while (it.hasNext()) {
        Waiter waiter = it.next();
        if (waiter.condition().test(snapshot)) {
          it.remove();
          done.add(waiter.promise());
        }
      }
    }
    done.forEach(p -> p.tryComplete(snapshot));
  }

  private void parseBlock(String block) {
    String event = null;
    String id = null;
    StringBuilder data = null;
    for (String line : block.split("\n")) {
      if (line.startsWith(":")) {
        events.add(new Event("comment", null, line.substring(1).trim()));
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
      switch (field) {
        case "event" -> event = value;
        case "id" -> id = value;
        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        default -> { } // retry and unknown fields
      }
    }
    if (data != null) {
      events.add(new Event(event == null ? "message" : event, id, data.toString()));
    }
  }

  /** Every event (and comment) so far, in arrival order. */
  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** The {@code event: message} events so far. */
  public synchronized List<Event> messages() {
    return events.stream().filter(e -> "message".equals(e.event())).toList();
  }

  public Future<List<Event>> await(Predicate<List<Event>> condition, long timeoutMs) {
    Promise<List<Event>> promise = Promise.promise();
    Waiter waiter = new Waiter(condition, promise);
    synchronized (this) {
      if (condition.test(events)) {
        return Future.succeededFuture(List.copyOf(events));
      }
      waiters.add(waiter);
    }
    vertx.setTimer(timeoutMs, id -> {
      synchronized (this) {
        if (!waiters.remove(waiter)) {
          return;
        }
      }
      promise.tryFail(new AssertionError("condition not met within " + timeoutMs + " ms; received " + events()));
    });
    return promise.future();
  }

  /** Waits for at least {@code count} message events. */
  public Future<List<Event>> awaitMessages(int count, long timeoutMs) {
    return await(all -> all.stream().filter(e -> "message".equals(e.event())).count() >= count, timeoutMs)
      .map(all -> messages());
  }

  public Future<Void> close() {
    return client.close();
  }
}
