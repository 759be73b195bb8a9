package dev.userservice.db;

import dev.userservice.logging.LogThrottle;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transaction on a connection of its own, as {@code Pool.withTransaction} runs one, except
 * that a failure of the connection while it is held goes to the log. The client hands such a
 * failure (the server's FATAL 57P01 when it shuts down, a write to a socket it closed) to the
 * connection's exception handler, and with none it prints it to stderr, outside the JSON log.
 */
public final class Transactions {
  private static final Logger log = LoggerFactory.getLogger(Transactions.class);
  /** The failures come in bursts, one per connection in use: at most a line a second. */
  private static final LogThrottle failureLog = new LogThrottle();

  private Transactions() {
  }

  /** Runs {@code work} between BEGIN and COMMIT (ROLLBACK when it fails), then returns the connection. */
  public static <T> Future<T> run(Pool pool, Function<SqlConnection, Future<T>> work) {
    return pool.getConnection().compose(conn -> {
      conn.exceptionHandler(Transactions::connectionFailed); // before BEGIN is sent
      return conn.begin()
          .compose(tx -> work.apply(conn).compose(
              result -> tx.commit().map(result),
              failure -> tx.rollback().transform(rolledBack -> Future.<T>failedFuture(failure))))
          .onComplete(done -> conn.close());
    });
  }

  private static void connectionFailed(Throwable failure) {
    long failures = failureLog.count();
    if (failures > 0) {
      log.atWarn().addKeyValue("failuresSinceLastLine", failures).addKeyValue("error", String.valueOf(failure))
          .log("database connection failed while a transaction held it");
    }
  }
}
