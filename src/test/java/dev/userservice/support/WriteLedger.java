package dev.userservice.support;

import dev.userservice.db.DbSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a load run was told about every user it wrote, kept per username so it can be checked
 * against the database afterwards. A write answered 200 fixes the row's state; a write answered
 * otherwise (5xx, connection reset, killed server) leaves two states possible, before and after,
 * and the row must be exactly one of them: never lost, never half-applied.
 */
public final class WriteLedger {
  /** The writable fields of a user as the client sent them; absent means "no such row". */
  public record Row(String username, String firstName, String lastName, String email, String phone) {
  }

  /** A state the database may show for one username. Empty: the row must not exist. */
  private record Entry(List<Optional<Row>> allowed) {
  }

  private final String prefix;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  /** The id each acknowledged create was answered with: the row must carry exactly that id. */
  private final Map<String, Long> createdIds = new ConcurrentHashMap<>();
  private final AtomicLong acknowledgedWrites = new AtomicLong();
  private final AtomicLong unacknowledgedWrites = new AtomicLong();
  /** When (System.nanoTime) each username's last write was acknowledged: how old a lost write was. */
  private final Map<String, Long> acknowledgedAt = new ConcurrentHashMap<>();

  public WriteLedger(String prefix) {
    this.prefix = prefix;
  }

  public String prefix() {
    return prefix;
  }

  /** A write that got its 200: the row is now exactly {@code after} (empty when deleted). */
  public void acknowledged(String username, Optional<Row> after) {
    acknowledgedWrites.incrementAndGet();
    entries.put(username, new Entry(List.of(after)));
    acknowledgedAt.put(username, System.nanoTime());
  }

  /** A create that got its 200 (perhaps after retries with its key): the row is {@code row} under this id. */
  public void acknowledgedCreate(String username, Row row, long id) {
    acknowledged(username, Optional.of(row));
    createdIds.put(username, id);
  }

  /**
   * A write whose outcome the client does not know. The row is either what it was before or
   * what was sent; the client never touches this username again, so that stays true.
   */
  public void unknown(String username, Optional<Row> before, Optional<Row> attempted) {
    unacknowledgedWrites.incrementAndGet();
    entries.put(username, new Entry(List.of(before, attempted)));
  }

  public long acknowledgedWrites() {
    return acknowledgedWrites.get();
  }

  public long unacknowledgedWrites() {
    return unacknowledgedWrites.get();
  }

  /**
   * A copy of what the ledger holds now: the state the database must show when it is brought back
   * to this moment (a point-in-time restore), while this ledger goes on recording later writes.
   */
  public WriteLedger snapshot() {
    WriteLedger copy = new WriteLedger(prefix);
    copy.entries.putAll(entries);
    copy.createdIds.putAll(createdIds);
    copy.acknowledgedAt.putAll(acknowledgedAt);
    copy.acknowledgedWrites.set(acknowledgedWrites.get());
    copy.unacknowledgedWrites.set(unacknowledgedWrites.get());
    return copy;
  }

  /** A user that exists with a known state and id: one a later write can change. */
  public record Live(String username, long id, Row row) {
  }

  public List<Live> live() {
    List<Live> live = new ArrayList<>();
    entries.forEach((username, entry) -> {
      Long id = createdIds.get(username);
      if (id != null && entry.allowed().size() == 1 && entry.allowed().getFirst().isPresent()) {
        live.add(new Live(username, id, entry.allowed().getFirst().get()));
      }
    });
    return live;
  }

  /** When the last write to {@code username} was acknowledged (System.nanoTime), if one was. */
  public Optional<Long> acknowledgedAtNanos(String username) {
    return Optional.ofNullable(acknowledgedAt.get(username));
  }

  /** What the check found: users compared, every row that broke a promise, and whose rows they were. */
  public record Verdict(int users, int acknowledgedRows, List<String> violations, List<String> violatingUsers) {
  }

  /** Reads every row of this ledger's users straight from PostgreSQL and compares. */
  public Verdict verify(DbSettings db) {
    Map<String, Long> ids = new HashMap<>();
    Map<String, Row> rows = readRows(db, ids);
    List<String> violations = new ArrayList<>();
    List<String> violatingUsers = new ArrayList<>();
    int acknowledgedRows = 0;
    for (var e : entries.entrySet()) {
      Optional<Row> actual = Optional.ofNullable(rows.remove(e.getKey()));
      List<Optional<Row>> allowed = e.getValue().allowed();
      if (allowed.size() == 1) {
        acknowledgedRows++;
      }
      if (!allowed.contains(actual)) {
        violations.add(e.getKey() + ": database has " + actual + ", allowed " + allowed);
        violatingUsers.add(e.getKey());
      }
      Long createdId = createdIds.get(e.getKey());
      Long actualId = ids.get(e.getKey());
      if (createdId != null && actualId != null && !createdId.equals(actualId)) {
        violations.add(e.getKey() + ": created as id " + createdId + " but the row has id " + actualId);
        violatingUsers.add(e.getKey());
      }
    }
    rows.forEach((name, row) -> {
      violations.add(name + ": row no client wrote: " + row);
      violatingUsers.add(name);
    });
    return new Verdict(entries.size(), acknowledgedRows, violations, violatingUsers);
  }

  private Map<String, Row> readRows(DbSettings db, Map<String, Long> ids) {
    Map<String, Row> rows = new HashMap<>();
    for (List<String> r : Sql.rows(db,
        "SELECT username, first_name, last_name, email, phone, id FROM \"user\" WHERE starts_with(username, ?)", prefix)) {
      rows.put(r.get(0), new Row(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)));
      ids.put(r.get(0), Long.parseLong(r.get(5)));
    }
    return rows;
  }
}
