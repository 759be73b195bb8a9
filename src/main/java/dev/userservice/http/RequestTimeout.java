package dev.userservice.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/**
 * REQUEST_TIMEOUT_MS from the request's head to its answer. When it runs out the answer says
 * whose fault it was: 408 while the client has not yet sent all of its body (RFC 9110 15.5.9:
 * the server closes the connection), 503 with Retry-After when the service or its database took
 * too long. Vert.x's own TimeoutHandler answers both with one status. A platform handler, as that
 * one is, so that Vert.x lets it run before the body handler.
 */
final class RequestTimeout implements PlatformHandler {
  private final long millis;

  RequestTimeout(long millis) {
    this.millis = millis;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long timer = ctx.vertx().setTimer(millis, fired -> {
      if (ctx.response().headWritten()) {
        return; // the answer is on its way
      }
      if (ctx.request().isEnded()) {
        ctx.fail(503);
      } else {
        // The rest of the body would be read as the next request: this connection ends here.
        ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        ctx.fail(408);
      }
    });
    ctx.addBodyEndHandler(ended -> ctx.vertx().cancelTimer(timer));
    ctx.next();
  }
}
