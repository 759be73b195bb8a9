package dev.userservice.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Every JSON answer goes through here, so the content type and the error shape are one. */
public final class Responses {
  static final String JSON = "application/json; charset=utf-8";

  private Responses() {
  }

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    send(ctx, status, body.toBuffer());
  }

  /** {"message": text}: the shape of every error and every write confirmation. */
  public static void message(RoutingContext ctx, int status, String text) {
    json(ctx, status, new JsonObject().put("message", text));
  }

  static void messageWithId(RoutingContext ctx, String text, long id) {
    json(ctx, 200, new JsonObject().put("message", text).put("id", id));
  }

  private static void send(RoutingContext ctx, int status, Buffer body) {
    HttpServerResponse response = ctx.response();
    // A request that timed out was already answered; its late database result is dropped here.
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader("content-type", JSON).end(body);
  }
}
