package dev.userservice.http;

import dev.userservice.idempotency.IdempotentCreates;
import dev.userservice.idempotency.KeyedCreate;
import dev.userservice.user.UserJsonReader;
import dev.userservice.user.UserRepository;
import dev.userservice.user.WriteOutcome;
import io.vertx.ext.web.RoutingContext;

/** POST /user and GET, PUT, DELETE /user/{id}: check the request, call the repository, answer. */
final class UserHandlers {
  private static final String NOT_FOUND = "user not found";
  private static final String CHANGED = "user was changed since it was read";

  private final UserRepository users;
  private final IdempotentCreates keyedCreates;
  private final String retryAfterSeconds;

  UserHandlers(UserRepository users, IdempotentCreates keyedCreates, int retryAfterSeconds) {
    this.users = users;
    this.keyedCreates = keyedCreates;
    this.retryAfterSeconds = Integer.toString(retryAfterSeconds);
  }

  void create(RoutingContext ctx) {
    String key = RequestChecks.idempotencyKey(ctx);
    RequestChecks.requireJsonBody(ctx);
    var user = UserJsonReader.read(bodyBytes(ctx), null);
    if (key == null) {
      users.create(user)
          .onSuccess(id -> Responses.messageWithId(ctx, "user created", id))
          .onFailure(ctx::fail);
      return;
    }
    keyedCreates.create(key, user)
        .onSuccess(outcome -> {
          switch (outcome) {
            case KeyedCreate.Answer answer -> Responses.kept(ctx, answer.status(), answer.body(), answer.replayed());
            case KeyedCreate.InProgress inProgress -> Responses.retryLater(ctx, 409,
                "a request with this Idempotency-Key is in progress", retryAfterSeconds);
            case KeyedCreate.KeyReused reused ->
                Responses.message(ctx, 422, "Idempotency-Key was already used for a different request");
          }
        })
        .onFailure(ctx::fail);
  }

  void get(RoutingContext ctx) {
    long id = RequestChecks.pathId(ctx);
    var ifNoneMatch = EntityTags.ifNoneMatch(RequestChecks.header(ctx, "if-none-match"));
    users.find(id)
        .onSuccess(user -> {
          if (user == null) {
            Responses.message(ctx, 404, NOT_FOUND);
          } else if (ifNoneMatch != null && EntityTags.matches(ifNoneMatch, user.version())) {
            Responses.notModified(ctx, EntityTags.of(user.version()));
          } else {
            Responses.user(ctx, user, EntityTags.of(user.version()));
          }
        })
        .onFailure(ctx::fail);
  }

  void update(RoutingContext ctx) {
    long id = RequestChecks.pathId(ctx);
    var ifMatch = EntityTags.ifMatch(RequestChecks.header(ctx, "if-match"));
    RequestChecks.requireJsonBody(ctx);
    var user = UserJsonReader.read(bodyBytes(ctx), id);
    users.update(id, user, ifMatch)
        .onSuccess(outcome -> {
          if (outcome.result() == WriteOutcome.Result.DONE) {
            Responses.updated(ctx, id, EntityTags.of(outcome.version()));
          } else {
            answerWrite(ctx, outcome, "user updated", id);
          }
        })
        .onFailure(ctx::fail);
  }

  void delete(RoutingContext ctx) {
    long id = RequestChecks.pathId(ctx);
    var ifMatch = EntityTags.ifMatch(RequestChecks.header(ctx, "if-match"));
    users.delete(id, ifMatch)
        .onSuccess(outcome -> answerWrite(ctx, outcome, "user deleted", id))
        .onFailure(ctx::fail);
  }

  private static byte[] bodyBytes(RoutingContext ctx) {
    var buffer = ctx.body().buffer();
    return buffer == null ? new byte[0] : buffer.getBytes(); // no body at all reads as empty
  }

  private static void answerWrite(RoutingContext ctx, WriteOutcome outcome, String message, long id) {
    switch (outcome.result()) {
      case DONE -> Responses.messageWithId(ctx, message, id);
      case NOT_FOUND -> Responses.message(ctx, 404, NOT_FOUND);
      case VERSION_MISMATCH -> Responses.message(ctx, 412, CHANGED);
    }
  }
}
