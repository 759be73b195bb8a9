package dev.userservice.http;

import io.vertx.ext.web.RoutingContext;

/** The checks a request passes before a handler looks at its content. */
final class RequestChecks {
  private RequestChecks() {
  }

  /** The {id} of the path: a positive integer that fits in int64, digits only. */
  static long pathId(RoutingContext ctx) {
    String text = ctx.pathParam("id");
    boolean digits = !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9');
    if (digits) {
      try {
        long id = Long.parseLong(text);
        if (id > 0) {
          return id;
        }
      } catch (NumberFormatException tooLarge) {
        // falls through to the same answer as any other bad id
      }
    }
    throw new ApiException(400, "id must be a positive integer no larger than " + Long.MAX_VALUE);
  }

  /**
   * A header's value, the lines of a repeated header joined by commas as RFC 9110 reads them;
   * null when absent.
   */
  static String header(RoutingContext ctx, String name) {
    var values = ctx.request().headers().getAll(name);
    return values.isEmpty() ? null : String.join(", ", values);
  }

  /** Idempotency-Key: null when absent, else 1 to 255 visible ASCII characters. */
  static String idempotencyKey(RoutingContext ctx) {
    var values = ctx.request().headers().getAll("idempotency-key");
    if (values.isEmpty()) {
      return null;
    }
    String key = values.getFirst();
    boolean visibleAscii = key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    if (values.size() > 1 || key.isEmpty() || key.length() > 255 || !visibleAscii) {
      throw new ApiException(400, "header Idempotency-Key must be one value of 1 to 255 visible ASCII characters");
    }
    return key;
  }

  /** POST and PUT take JSON in UTF-8: application/json, with or without a charset parameter. */
  static void requireJsonBody(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("content-type");
    if (contentType == null) {
      throw new ApiException(415, "content type must be application/json");
    }
    String[] parts = contentType.split(";");
    if (!parts[0].trim().equalsIgnoreCase("application/json")) {
      throw new ApiException(415, "content type must be application/json");
    }
    for (int i = 1; i < parts.length; i++) {
      String[] parameter = parts[i].split("=", 2);
      if (parameter[0].trim().equalsIgnoreCase("charset") && parameter.length == 2
          && !unquote(parameter[1].trim()).equalsIgnoreCase("utf-8")) {
        throw new ApiException(415, "JSON must be sent in UTF-8");
      }
    }
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
        ? value.substring(1, value.length() - 1) : value;
  }
}
