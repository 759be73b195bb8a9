package dev.userservice.http;

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
  private static final CharSequence REPLAYED = HttpHeaders.createOptimized("idempotent-replayed");

  private Responses() {
  }

  static void user(RoutingContext ctx, User user, String etag) {
    ctx.response().putHeader(ETAG, etag);
    send(ctx, 200, UserJsonWriter.user(user));
  }

  /** 304: the client's copy is current. No body, and so no content type. */
  static void notModified(RoutingContext ctx, String etag) {
    HttpServerResponse response = ctx.response();
    if (!response.ended() && !response.closed()) {
      response.setStatusCode(304).putHeader(ETAG, etag).end();
    }
  }

  /** An answer kept for an Idempotency-Key, sent again exactly as it was the first time. */
  static void kept(RoutingContext ctx, int status, byte[] body, boolean replayed) {
    if (replayed) {
      ctx.response().putHeader(REPLAYED, "true");
    }
    send(ctx, status, body);
  }

  /** {"message": text}: the shape of every error. */
  public static void message(RoutingContext ctx, int status, String text) {
    send(ctx, status, UserJsonWriter.message(text, null));
  }

  /** {"message": text, "id": id}: the answer to every write. */
  static void messageWithId(RoutingContext ctx, String text, long id) {
    send(ctx, 200, UserJsonWriter.message(text, id));
  }

  static void send(RoutingContext ctx, int status, byte[] body) {
    HttpServerResponse response = ctx.response();
    // A request that timed out was already answered; its late database result is dropped here.
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader(CONTENT_TYPE, JSON).end(Buffer.buffer(body));
  }
}
