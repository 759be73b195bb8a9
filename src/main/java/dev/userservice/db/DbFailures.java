package dev.userservice.db;

import dev.userservice.user.ProfileExistsException;
import dev.userservice.user.UsernameTakenException;
import io.netty.channel.ChannelException;
import io.vertx.core.Future;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/** Sorts what the PostgreSQL client failed with into what the API answers. */
public final class DbFailures {
  /** V3's unique index on "user".owner_subject. */
  private static final String OWNER_INDEX = "user_owner_subject";

  private DbFailures() {
  }

  public static <T> Future<T> translate(Throwable failure) {
    return Future.failedFuture(classify(failure));
  }

  static Throwable classify(Throwable failure) {
    if (failure instanceof PgException pg) {
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      if (state.equals("23505")) {
        // The unique constraints besides the primary key: one profile per owner, and the username.
        return OWNER_INDEX.equals(pg.getConstraint()) ? new ProfileExistsException() : new UsernameTakenException();
      }
      // 08: connection exception; 57P01-03: server shutting down or starting; 53300: too many connections
      if (state.startsWith("08") || state.startsWith("57P") || state.equals("53300")) {
        return new DatabaseUnavailableException(failure);
      }
      return failure;
    }
    // Anything else the client reports is about the connection: refused, closed, timed out,
    // or no connection free within the pool's wait.
    if (failure instanceof VertxException || failure instanceof IOException
        || failure instanceof TimeoutException || failure instanceof ChannelException) {
      return new DatabaseUnavailableException(failure);
    }
    return failure;
  }
}
