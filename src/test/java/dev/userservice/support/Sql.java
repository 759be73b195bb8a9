package dev.userservice.support;

import dev.userservice.db.DbSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Straight to PostgreSQL over JDBC, past the service: what a test reads to check what was stored. */
public final class Sql {
  private Sql() {
  }

  /** Every row of a query with {@code ?} parameters, each row as its columns' text (null stays null). */
  public static List<List<String>> rows(DbSettings db, String sql, Object... parameters) {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
         PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        s.setObject(i + 1, parameters[i]);
      }
      List<List<String>> rows = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        int columns = r.getMetaData().getColumnCount();
        while (r.next()) {
          String[] row = new String[columns];
          for (int i = 0; i < columns; i++) {
            row[i] = r.getString(i + 1);
          }
          rows.add(Arrays.asList(row));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** The single value of a query that returns one row of one column. */
  public static String value(DbSettings db, String sql, Object... parameters) {
    return rows(db, sql, parameters).getFirst().getFirst();
  }

  /** Runs a statement that returns no rows (DDL, an update). */
  public static void execute(DbSettings db, String sql) {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
         var s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
