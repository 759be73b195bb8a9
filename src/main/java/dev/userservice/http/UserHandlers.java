package dev.userservice.http;

import dev.userservice.auth.BearerAuthHandler;
import dev.userservice.auth.Principal;
import dev.userservice.idempotency.IdempotentCreates;
import dev.userservice.idempotency.KeyedCreate;
import dev.userservice.user.ProfileExistsException;
import dev.userservice.user.User;
import dev.userservice.user.UserData;
import dev.userservice.user.UserJsonReader;
import dev.userservice.user.UserRepository;
import dev.userservice.user.VersionCondition;
import dev.userservice.user.WriteOutcome;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * POST /user, GET, PUT, DELETE /user/{id} and (API 1.2) /user/me: check the request, call the
 * repository, answer. With AUTH_MODE=oidc the caller's {@link Principal} decides whose profile
 * a request may reach; with it off there is no principal and every profile is reachable.
 */
final class UserHandlers {
  private static final String NOT_FOUND = "user not found";
  private static final String CHANGED = "user was changed since it was read";
  private static final String FORBIDDEN = "access to this user is not allowed";

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
    Principal caller = BearerAuthHandler.principal(ctx);
    String owner = caller == null ? null : caller.ownerOfNewProfile();
    if (key == null) {
      users.create(user, owner)
          .onSuccess(id -> Responses.messageWithId(ctx, "user created", id))
          .onFailure(failure -> failedCreate(ctx, caller, failure));
      return;
    }
    keyedCreates.create(caller == null ? key : caller.scopedKey(key), user, owner)
        .onSuccess(outcome -> {
          switch (outcome) {
            case KeyedCreate.Answer answer -> Responses.kept(ctx, answer.status(), answer.body(), answer.replayed());
            case KeyedCreate.InProgress inProgress -> Responses.retryLater(ctx, 409,
                "a request with this Idempotency-Key is in progress", retryAfterSeconds);
            case KeyedCreate.KeyReused reused ->
                Responses.message(ctx, 422, "Idempotency-Key was already used for a different request");
          }
        })
        .onFailure(failure -> failedCreate(ctx, caller, failure));
  }

  /** A second profile for one subject: 409 with the id of the one it has. */
  private void failedCreate(RoutingContext ctx, Principal caller, Throwable failure) {
    if (!(failure instanceof ProfileExistsException exists) || caller == null) {
      ctx.fail(failure);
      return;
    }
    users.findOwnedBy(caller.subject()).onSuccess(own -> {
      if (own == null) { // deleted in the meantime: the client may simply try again
        ctx.fail(failure);
      } else {
        Responses.messageWithId(ctx, 409, exists.getMessage(), own.id());
      }
    }).onFailure(ctx::fail);
  }

  void get(RoutingContext ctx) {
    long id = RequestChecks.pathId(ctx);
    var ifNoneMatch = EntityTags.ifNoneMatch(RequestChecks.header(ctx, "if-none-match"));
    users.find(id).onSuccess(user -> answerRead(ctx, user, ifNoneMatch)).onFailure(ctx::fail);
  }

  void getOwn(RoutingContext ctx) {
    var ifNoneMatch = EntityTags.ifNoneMatch(RequestChecks.header(ctx, "if-none-match"));
    users.findOwnedBy(BearerAuthHandler.principal(ctx).subject())
        .onSuccess(user -> answerRead(ctx, user, ifNoneMatch)).onFailure(ctx::fail);
  }

  private void answerRead(RoutingContext ctx, User user, VersionCondition ifNoneMatch) {
    if (user == null) {
      Responses.message(ctx, 404, NOT_FOUND);
    } else if (!allowed(ctx, user)) {
      Responses.message(ctx, 403, FORBIDDEN);
    } else if (ifNoneMatch != null && EntityTags.matches(ifNoneMatch, user.version())) {
      Responses.notModified(ctx, EntityTags.of(user.version()));
    } else {
      Responses.user(ctx, user, EntityTags.of(user.version()));
    }
  }

  void update(RoutingContext ctx) {
    long id = RequestChecks.pathId(ctx);
    var ifMatch = EntityTags.ifMatch(RequestChecks.header(ctx, "if-match"));
    RequestChecks.requireJsonBody(ctx);
    var user = UserJsonReader.read(bodyBytes(ctx), id);
    whenAllowed(ctx, id, () -> users.find(id), found -> write(ctx, found, user, ifMatch));
  }

  void updateOwn(RoutingContext ctx) {
    var ifMatch = EntityTags.ifMatch(RequestChecks.header(ctx, "if-match"));
    RequestChecks.requireJsonBody(ctx);
    whenAllowed(ctx, null, () -> users.findOwnedBy(BearerAuthHandler.principal(ctx).subject()), id -> {
      UserData user;
      try {
        user = UserJsonReader.read(bodyBytes(ctx), id); // the body may repeat the id, known only now
      } catch (RuntimeException badRequest) { // thrown in a callback, it would be lost
        ctx.fail(badRequest);
        return;
      }
      write(ctx, id, user, ifMatch);
    });
  }

  private void write(RoutingContext ctx, long id, UserData user, VersionCondition ifMatch) {
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
    whenAllowed(ctx, id, () -> users.find(id), found -> remove(ctx, found, ifMatch));
  }

  void deleteOwn(RoutingContext ctx) {
    var ifMatch = EntityTags.ifMatch(RequestChecks.header(ctx, "if-match"));
    whenAllowed(ctx, null, () -> users.findOwnedBy(BearerAuthHandler.principal(ctx).subject()),
        id -> remove(ctx, id, ifMatch));
  }

  private void remove(RoutingContext ctx, long id, VersionCondition ifMatch) {
    users.delete(id, ifMatch)
        .onSuccess(outcome -> answerWrite(ctx, outcome, "user deleted", id))
        .onFailure(ctx::fail);
  }

  /**
   * Runs {@code write} with the profile's id once the caller may reach it. Without auth every
   * profile is reachable: the write runs at once on {@code pathId} and itself tells 404 from 412,
   * with no extra round trip. With auth, after a lookup of the owner; the owner of a profile never
   * changes, so the lookup cannot go stale before the write (a delete in between makes it a 404).
   */
  private void whenAllowed(RoutingContext ctx, Long pathId, Supplier<Future<User>> lookup, LongConsumer write) {
    if (BearerAuthHandler.principal(ctx) == null) {
      write.accept(pathId);
      return;
    }
    lookup.get().onSuccess(user -> {
      if (user == null) {
        Responses.message(ctx, 404, NOT_FOUND);
      } else if (!allowed(ctx, user)) {
        Responses.message(ctx, 403, FORBIDDEN);
      } else {
        write.accept(user.id());
      }
    }).onFailure(ctx::fail);
  }

  private static boolean allowed(RoutingContext ctx, User user) {
    Principal caller = BearerAuthHandler.principal(ctx);
    return caller == null || caller.mayAccess(user.owner());
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
