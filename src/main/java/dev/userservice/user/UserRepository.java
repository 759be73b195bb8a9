package dev.userservice.user;

import dev.userservice.db.DbFailures;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * The user table, one statement per operation. Statements are prepared once per connection
 * and cached by the client; each call takes a connection from the pool only for its statement.
 */
public final class UserRepository {
  private static final String INSERT = """
      INSERT INTO "user" (username, first_name, last_name, email, phone)
      VALUES ($1, $2, $3, $4, $5) RETURNING id""";
  private static final String SELECT = """
      SELECT id, username, first_name, last_name, email, phone FROM "user" WHERE id = $1""";
  private static final String UPDATE = """
      UPDATE "user" SET username = $2, first_name = $3, last_name = $4, email = $5, phone = $6
      WHERE id = $1""";
  private static final String DELETE = """
      DELETE FROM "user" WHERE id = $1""";

  private final Pool pool;

  public UserRepository(Pool pool) {
    this.pool = pool;
  }

  /** @return the new user's id */
  public Future<Long> create(UserData user) {
    return pool.preparedQuery(INSERT)
        .execute(Tuple.of(user.username(), user.firstName(), user.lastName(), user.email(), user.phone()))
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

  /** @return whether a user with this id existed (and now holds the new data) */
  public Future<Boolean> update(long id, UserData user) {
    return pool.preparedQuery(UPDATE)
        .execute(Tuple.of(id, user.username(), user.firstName(), user.lastName(), user.email(), user.phone()))
        .map(rows -> rows.rowCount() > 0)
        .recover(DbFailures::translate);
  }

  /** @return whether a user with this id existed */
  public Future<Boolean> delete(long id) {
    return pool.preparedQuery(DELETE)
        .execute(Tuple.of(id))
        .map(rows -> rows.rowCount() > 0)
        .recover(DbFailures::translate);
  }

  private static User toUser(Row row) {
    return new User(row.getLong(0), new UserData(
        row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5)));
  }
}
