package dev.userservice.user;

import dev.userservice.db.DbFailures;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

/**
 * The user table, one statement per operation. Statements are prepared once per connection
 * and cached by the client; each call takes a connection from the pool only for its statement.
 *
 * <p>A conditional write (If-Match) checks the version in the same statement that writes, so
 * two clients that read version 3 cannot both write: the second finds version 4 and changes
 * nothing. The statement also says whether the user exists, which tells 412 from 404 without
 * a second round trip.
 */
public final class UserRepository {
  private static final String INSERT = """
      INSERT INTO "user" (username, first_name, last_name, email, phone, owner_subject)
      VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""";
  /** The columns {@link #toUser} reads, in its order. */
  private static final String USER_COLUMNS = "id, version, username, first_name, last_name, email, phone, owner_subject";
  private static final String SELECT = "SELECT " + USER_COLUMNS + " FROM \"user\" WHERE id = $1";
  private static final String SELECT_OWNED = "SELECT " + USER_COLUMNS + " FROM \"user\" WHERE owner_subject = $1";
  private static final String UPDATE = """
      UPDATE "user" SET username = $2, first_name = $3, last_name = $4, email = $5, phone = $6,
          version = version + 1
      WHERE id = $1 RETURNING version""";
  private static final String UPDATE_IF_VERSION = """
      WITH changed AS (
          UPDATE "user" SET username = $2, first_name = $3, last_name = $4, email = $5, phone = $6,
              version = version + 1
          WHERE id = $1 AND version = ANY($7) RETURNING version)
      SELECT (SELECT version FROM changed), EXISTS (SELECT 1 FROM "user" WHERE id = $1)""";
  private static final String DELETE = """
      DELETE FROM "user" WHERE id = $1""";
  private static final String DELETE_IF_VERSION = """
      WITH removed AS (DELETE FROM "user" WHERE id = $1 AND version = ANY($2) RETURNING id)
      SELECT EXISTS (SELECT 1 FROM removed), EXISTS (SELECT 1 FROM "user" WHERE id = $1)""";

  private final Pool pool;

  public UserRepository(Pool pool) {
    this.pool = pool;
  }

  /** @return the new user's id; {@code owner} null: no one's (always so with AUTH_MODE off) */
  public Future<Long> create(UserData user, String owner) {
    return pool.preparedQuery(INSERT)
        .execute(Tuple.of(user.username(), user.firstName(), user.lastName(), user.email(), user.phone(), owner))
        .map(rows -> rows.iterator().next().getLong(0))
        .recover(DbFailures::translate);
  }

  /** @return the user, or null when there is none with this id */
  public Future<User> find(long id) {
    return pool.preparedQuery(SELECT)
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : toUser(rows.iterator().next()))
        .recover(DbFailures::translate);
  }

  /** @return the profile this subject owns, or null when it has none */
  public Future<User> findOwnedBy(String subject) {
    return pool.preparedQuery(SELECT_OWNED)
        .execute(Tuple.of(subject))
        .map(rows -> rows.size() == 0 ? null : toUser(rows.iterator().next()))
        .recover(DbFailures::translate);
  }

  /** Replaces the user's fields when it exists and {@code condition} (null: none) holds. */
  public Future<WriteOutcome> update(long id, UserData user, VersionCondition condition) {
    Tuple fields = Tuple.of(id, user.username(), user.firstName(), user.lastName(), user.email(), user.phone());
    if (condition == null || condition.anyVersion()) {
      return pool.preparedQuery(UPDATE).execute(fields)
          .map(rows -> rows.size() == 0 ? WriteOutcome.NOT_FOUND : WriteOutcome.done(first(rows).getLong(0)))
          .recover(DbFailures::translate);
    }
    return pool.preparedQuery(UPDATE_IF_VERSION).execute(fields.addArrayOfLong(boxed(condition.versions())))
        .map(rows -> {
          Row row = first(rows);
          Long version = row.getLong(0);
          return version != null ? WriteOutcome.done(version) : missingOrChanged(row.getBoolean(1));
        })
        .recover(DbFailures::translate);
  }

  /** Removes the user when it exists and {@code condition} (null: none) holds. */
  public Future<WriteOutcome> delete(long id, VersionCondition condition) {
    if (condition == null || condition.anyVersion()) {
      return pool.preparedQuery(DELETE).execute(Tuple.of(id))
          .map(rows -> rows.rowCount() > 0 ? WriteOutcome.done(0) : WriteOutcome.NOT_FOUND)
          .recover(DbFailures::translate);
    }
    return pool.preparedQuery(DELETE_IF_VERSION).execute(Tuple.of(id).addArrayOfLong(boxed(condition.versions())))
        .map(rows -> {
          Row row = first(rows);
          return row.getBoolean(0) ? WriteOutcome.done(0) : missingOrChanged(row.getBoolean(1));
        })
        .recover(DbFailures::translate);
  }

  private static WriteOutcome missingOrChanged(boolean exists) {
    return exists ? WriteOutcome.VERSION_MISMATCH : WriteOutcome.NOT_FOUND;
  }

  private static Row first(RowSet<Row> rows) {
    return rows.iterator().next();
  }

  private static Long[] boxed(long[] values) {
    Long[] boxed = new Long[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return boxed;
  }

  private static User toUser(Row row) {
    return new User(row.getLong(0), row.getLong(1), new UserData(
        row.getString(2), row.getString(3), row.getString(4), row.getString(5), row.getString(6)), row.getString(7));
  }
}
