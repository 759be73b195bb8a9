package dev.userservice.http;

import dev.userservice.user.UserJsonReader;
import dev.userservice.user.UserRepository;
import io.vertx.ext.web.RoutingContext;

/** POST /user and GET, PUT, DELETE /user/{id}: check the request, call the repository, answer. */
final class UserHandlers {
  private static final String NOT_FOUND = "user not found";

  private final UserRepository users;

  UserHandlers(UserRepository users) {
    this.users = users;
  }

  void create(RoutingContext ctx) {
    RequestChecks.requireJsonBody(ctx);
    var user = UserJsonReader.read(bodyBytes(ctx), null);
    users.create(user)
        .onSuccess(id -> Responses.messageWithId(ctx, "user created", id))
        .onFailure(ctx::fail);
  }

  void get(RoutingContext ctx) {
    long id = RequestChecks.pathId(ctx);
    users.find(id)
        .onSuccess(user -> {
          if (user == null) {
            Responses.message(ctx, 404, NOT_FOUND);
          } else {
            Responses.user(ctx, user);
          }
        })
        .onFailure(ctx::fail);
  }

  void update(RoutingContext ctx) {
    long id = RequestChecks.pathId(ctx);
    RequestChecks.requireJsonBody(ctx);
    var user = UserJsonReader.read(bodyBytes(ctx), id);
    users.update(id, user)
        .onSuccess(found -> answerWrite(ctx, found, "user updated", id))
        .onFailure(ctx::fail);
  }

  void delete(RoutingContext ctx) {
    long id = RequestChecks.pathId(ctx);
    users.delete(id)
        .onSuccess(found -> answerWrite(ctx, found, "user deleted", id))
        .onFailure(ctx::fail);
  }

  private static byte[] bodyBytes(RoutingContext ctx) {
    var buffer = ctx.body().buffer();
    return buffer == null ? new byte[0] : buffer.getBytes(); // no body at all reads as empty
  }

  private static void answerWrite(RoutingContext ctx, boolean found, String message, long id) {
    if (found) {
      Responses.messageWithId(ctx, message, id);
    } else {
      Responses.message(ctx, 404, NOT_FOUND);
    }
  }
}
