package dev.userservice.idempotency;

import dev.userservice.db.DbFailures;
import dev.userservice.user.UserData;
import dev.userservice.user.UserJsonWriter;
import dev.userservice.user.UsernameTakenException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Arrays;

/**
 * Creates a user at most once per Idempotency-Key, across service instances and restarts.
 *
 * <p>One transaction: take a lock on the key, look for a kept answer, otherwise create the user
 * and keep the answer. The key row commits together with the user, so a create that failed
 * (a 5xx, a crash, a cut connection to PostgreSQL) leaves no key behind and a retry runs afresh;
 * a create that committed always has its key, so a retry gets the same id. The lock is a
 * transaction-scoped advisory lock that is only tried, never waited for: a second request with
 * the same key while the first runs gets a quick 409 instead of holding a connection.
 */
public final class IdempotentCreates {
  private static final String TRY_LOCK = """
      SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))""";
  private static final String FIND = """
      SELECT request_hash, status, response FROM idempotency_key WHERE key = $1 AND expires_at > now()""";
  // ON CONFLICT on the username: a taken name is an answer to keep (409), not an error that
  // would abort the transaction before the answer could be stored.
  private static final String INSERT_USER = """
      INSERT INTO "user" (username, first_name, last_name, email, phone)
      VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING RETURNING id""";
  // An expired key that the cleaner has not removed yet is taken over by the new request.
  private static final String KEEP = """
      INSERT INTO idempotency_key (key, request_hash, status, response, expires_at)
      VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
      ON CONFLICT (key) DO UPDATE SET request_hash = excluded.request_hash, status = excluded.status,
          response = excluded.response, created_at = now(), expires_at = excluded.expires_at""";
  private static final String REMOVE_EXPIRED = """
      DELETE FROM idempotency_key WHERE key IN (
          SELECT key FROM idempotency_key WHERE expires_at <= now()
          ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)""";

  private final Pool pool;
  private final double ttlSeconds;

  public IdempotentCreates(Pool pool, Duration ttl) {
    this.pool = pool;
    this.ttlSeconds = ttl.toMillis() / 1000.0;
  }

  public Future<KeyedCreate> create(String key, UserData user) {
    byte[] fingerprint = RequestFingerprint.of(user);
    return pool.withTransaction(conn -> conn.preparedQuery(TRY_LOCK).execute(Tuple.of(key))
            .compose(locked -> locked.iterator().next().getBoolean(0)
                ? findOrCreate(conn, key, fingerprint, user)
                : Future.succeededFuture(new KeyedCreate.InProgress())))
        .recover(DbFailures::translate);
  }

  private Future<KeyedCreate> findOrCreate(SqlConnection conn, String key, byte[] fingerprint, UserData user) {
    return conn.preparedQuery(FIND).execute(Tuple.of(key)).compose(kept -> {
      if (kept.size() > 0) {
        return Future.succeededFuture(replay(kept.iterator().next(), fingerprint));
      }
      return conn.preparedQuery(INSERT_USER)
          .execute(Tuple.of(user.username(), user.firstName(), user.lastName(), user.email(), user.phone()))
          .compose(inserted -> {
            var answer = inserted.size() > 0
                ? new KeyedCreate.Answer(200, UserJsonWriter.message("user created", inserted.iterator().next().getLong(0)), false)
                : new KeyedCreate.Answer(409, UserJsonWriter.message(new UsernameTakenException().getMessage(), null), false);
            return conn.preparedQuery(KEEP)
                .execute(Tuple.of(key, Buffer.buffer(fingerprint), (short) answer.status(), Buffer.buffer(answer.body()),
                    ttlSeconds))
                .map(done -> (KeyedCreate) answer);
          });
    });
  }

  private static KeyedCreate replay(Row kept, byte[] fingerprint) {
    if (!Arrays.equals(kept.getBuffer(0).getBytes(), fingerprint)) {
      return new KeyedCreate.KeyReused();
    }
    return new KeyedCreate.Answer(kept.getShort(1), kept.getBuffer(2).getBytes(), true);
  }

  /** Removes up to {@code batch} expired keys; several instances may run this at once. */
  public Future<Integer> removeExpired(int batch) {
    return pool.preparedQuery(REMOVE_EXPIRED).execute(Tuple.of(batch)).map(rows -> rows.rowCount());
  }
}
