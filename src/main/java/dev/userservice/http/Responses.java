package dev.userservice.http;

import dev.userservice.tracing.RequestSpans;
import dev.userservice.user.User;
import dev.userservice.user.UserJsonWriter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** Every JSON answer goes through here, so the content type and the error shape are one. */
public final class Responses {
  static final CharSequence JSON = HttpHeaders.createOptimized("application/json; charset=utf-8");
  private static final CharSequence CONTENT_TYPE = HttpHeaderNames.CONTENT_TYPE;
  private static final CharSequence ETAG = HttpHeaderNames.ETAG;
  private static final CharSequence RETRY_AFTER = HttpHeaderNames.RETRY_AFTER;
  private static final CharSequence REPLAYED = HttpHeaders.createOptimized("idempotent-replayed");

  private Responses() {
  }

  static void user(RoutingContext ctx, User user, String etag) {
    send(ctx, 200, UserJsonWriter.user(user), ETAG, etag);
  }

  /** 304: the client's copy is current. No body, and so no content type. */
  static void notModified(RoutingContext ctx, String etag) {
    HttpServerResponse response = ctx.response();
    if (answerable(response)) {
      response.setStatusCode(304).putHeader(ETAG, etag).end();
    }
  }

  /** An answer kept for an Idempotency-Key, sent again exactly as it was the first time. */
  static void kept(RoutingContext ctx, int status, byte[] body, boolean replayed) {
    if (replayed) {
      send(ctx, status, body, REPLAYED, "true");
    } else {
      send(ctx, status, body);
    }
  }

  /** {"message": text, "id": id} with the user's new ETag: the answer to an update. */
  static void updated(RoutingContext ctx, long id, String etag) {
    send(ctx, 200, UserJsonWriter.message("user updated", id), ETAG, etag);
  }

  /** An error the client should repeat after Retry-After seconds. */
  static void retryLater(RoutingContext ctx, int status, String text, String retryAfterSeconds) {
    send(ctx, status, UserJsonWriter.message(text, null), RETRY_AFTER, retryAfterSeconds);
  }

  /** {"message": text}: the shape of every error. */
  public static void message(RoutingContext ctx, int status, String text) {
    send(ctx, status, UserJsonWriter.message(text, null));
  }

  /** {"message": text, "id": id}: the answer to every write. */
  static void messageWithId(RoutingContext ctx, String text, long id) {
    messageWithId(ctx, 200, text, id);
  }

  static void messageWithId(RoutingContext ctx, int status, String text, long id) {
    send(ctx, status, UserJsonWriter.message(text, id));
  }

  /** Sends a JSON answer with extra headers given as name, value pairs. */
  static void send(RoutingContext ctx, int status, byte[] body, CharSequence... headers) {
    HttpServerResponse response = ctx.response();
    if (!answerable(response)) {
      return;
    }
    for (int i = 0; i < headers.length; i += 2) {
      response.putHeader(headers[i], headers[i + 1]);
    }
    RequestSpans.answered(status);
    response.setStatusCode(status).putHeader(CONTENT_TYPE, JSON).end(Buffer.buffer(body));
  }

  /** False once a request was answered: a request that timed out gets its late database result dropped here. */
  private static boolean answerable(HttpServerResponse response) {
    return !response.ended() && !response.closed() && !response.headWritten();
  }
}
