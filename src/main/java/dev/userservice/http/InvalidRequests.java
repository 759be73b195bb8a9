package dev.userservice.http;

import dev.userservice.user.UserJsonWriter;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * Requests the HTTP decoder cannot take (a request line or headers over the limits, or garbage)
 * never reach the router; Vert.x would answer them with an empty body. They get the API's JSON
 * error shape like every other error, and the connection is closed.
 */
final class InvalidRequests {
  static final int MAX_REQUEST_LINE = HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH;
  static final int MAX_HEADERS = HttpServerOptions.DEFAULT_MAX_HEADER_SIZE;

  private InvalidRequests() {
  }

  static void answer(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String message;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      message = "request line longer than " + MAX_REQUEST_LINE + " bytes";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      message = "request headers larger than " + MAX_HEADERS + " bytes";
    } else {
      status = 400;
      message = "malformed HTTP request";
    }
    request.response()
        .setStatusCode(status)
        .putHeader("content-type", Responses.JSON)
        .putHeader("connection", "close")
        .end(Buffer.buffer(UserJsonWriter.message(message, null)))
        .onComplete(done -> request.connection().close());
  }
}
