package dev.userservice.idempotency;

import dev.userservice.db.DbFailures;
import dev.userservice.db.Transactions;
import dev.userservice.user.UserData;
import dev.userservice.user.UserJsonWriter;
import dev.userservice.user.UsernameTakenException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Arrays;

/**
 * Creates a user at most once per Idempotency-Key, across service instances and restarts.
 *
 * <p>One transaction: take a lock on the key, look for a kept answer, otherwise create the user
 * and keep the answer (its status and the new id), three round trips in all. The key row commits together with the user, so a create that failed
 * (a 5xx, a crash, a cut connection to PostgreSQL) leaves no key behind and a retry runs afresh;
 * a create that committed always has its key, so a retry gets the same id. The lock is a
 * transaction-scoped advisory lock that is only tried, never waited for: a second request with
 * the same key while the first runs gets a quick 409 instead of holding a connection.
 */
public final class IdempotentCreates {
  private static final String TRY_LOCK = """
      SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))""";
  private static final String FIND = """
      SELECT request_hash, status, user_id FROM idempotency_key WHERE key = $1 AND expires_at > now()""";
  // One statement creates the user and keeps the answer. ON CONFLICT on the username: a taken
  // name is an answer to keep (409), not an error that would abort the transaction. An expired
  // key the cleaner has not removed yet is taken over.
  private static final String CREATE_AND_KEEP = """
      WITH created AS (
          INSERT INTO "user" (username, first_name, last_name, email, phone, owner_subject)
          VALUES ($3, $4, $5, $6, $7, $9) ON CONFLICT (username) DO NOTHING RETURNING id)
      INSERT INTO idempotency_key (key, request_hash, status, user_id, expires_at)
      SELECT $1, $2, CASE WHEN answer.id IS NULL THEN 409 ELSE 200 END, answer.id, now() + make_interval(secs => $8)
      FROM (SELECT (SELECT id FROM created) AS id) answer
      ON CONFLICT (key) DO UPDATE SET request_hash = excluded.request_hash, status = excluded.status,
          user_id = excluded.user_id, created_at = now(), expires_at = excluded.expires_at
      RETURNING status, user_id""";
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

  /**
   * {@code key} as stored: with AUTH_MODE=oidc scoped to the subject (Principal.scopedKey), so a
   * key is never another subject's replay; {@code owner} the new profile's owner or null.
   */
  public Future<KeyedCreate> create(String key, UserData user, String owner) {
    byte[] fingerprint = RequestFingerprint.of(user);
    return Transactions.run(pool, conn -> {
          // Sent together (the connection pipelines them) but run in order: the lookup's snapshot
          // is taken after the lock, so it sees the row of whoever held the lock before.
          Future<RowSet<Row>> locked = conn.preparedQuery(TRY_LOCK).execute(Tuple.of(key));
          Future<RowSet<Row>> kept = conn.preparedQuery(FIND).execute(Tuple.of(key));
          return Future.all(locked, kept).compose(both -> {
            if (!locked.result().iterator().next().getBoolean(0)) {
              return Future.succeededFuture(new KeyedCreate.InProgress());
            }
            if (kept.result().size() > 0) {
              return Future.succeededFuture(replay(kept.result().iterator().next(), fingerprint));
            }
            return conn.preparedQuery(CREATE_AND_KEEP)
                .execute(Tuple.of(key, Buffer.buffer(fingerprint), user.username(), user.firstName(),
                    user.lastName(), user.email(), user.phone()).addDouble(ttlSeconds).addString(owner))
                .map(rows -> answer(rows.iterator().next(), false));
          });
        })
        .recover(DbFailures::translate);
  }

  private static KeyedCreate replay(Row kept, byte[] fingerprint) {
    if (!Arrays.equals(kept.getBuffer(0).getBytes(), fingerprint)) {
      return new KeyedCreate.KeyReused();
    }
    return answer(kept, true);
  }

  /** The answer a kept (status, user id) stands for: the same bytes the first request got. */
  private static KeyedCreate answer(Row row, boolean replayed) {
    int status = row.getShort("status");
    byte[] body = status == 200
        ? UserJsonWriter.message("user created", row.getLong("user_id"))
        : UserJsonWriter.message(new UsernameTakenException().getMessage(), null);
    return new KeyedCreate.Answer(status, body, replayed);
  }

  /** Removes up to {@code batch} expired keys; several instances may run this at once. */
  public Future<Integer> removeExpired(int batch) {
    return pool.preparedQuery(REMOVE_EXPIRED).execute(Tuple.of(batch)).map(rows -> rows.rowCount());
  }
}
