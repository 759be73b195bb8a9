package dev.userservice.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.RenderedChart;
import dev.userservice.support.Sql;
import dev.userservice.support.TestDatabase;
import dev.userservice.support.TestService;
import dev.userservice.support.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The chart's first-start script for the bundled PostgreSQL, run for real with psql against a
 * real server: the role it creates is no superuser and owns only its database, and that is
 * enough for the service to migrate and serve.
 */
class LeastPrivilegeIT {

  @Test
  void theChartsAppRoleOwnsOnlyItsDatabaseAndIsEnoughToMigrateAndServe() throws Exception {
    Tools.require("psql");
    DbSettings server = TestDatabase.settings(); // its superuser is "postgres", as in the image
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String user = "app_" + suffix;
    String database = "users_" + suffix;
    String password = "pw-" + suffix;

    String script = RenderedChart.render().get("ConfigMap", RenderedChart.RELEASE + "-postgresql-init")
        .at("/data/create-app-role.sh").asText();
    Path file = Files.createTempFile(Files.createDirectories(Path.of("target")), "create-app-role", ".sh");
    Files.writeString(file, script);
    Tools.Result run = Tools.run(Path.of("."), 60, "env", "PGHOST=" + server.host(), "PGPORT=" + server.port(),
        "POSTGRES_USER=" + server.user(), "APP_DB_USER=" + user, "APP_DB_PASSWORD=" + password,
        "APP_DB_NAME=" + database, "sh", file.toString());
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).doesNotContain(password);

    List<String> role = rows(server, "SELECT rolsuper::text, rolcreatedb::text, rolcreaterole::text, rolbypassrls::text "
        + "FROM pg_roles WHERE rolname = '" + user + "'");
    assertThat(role).as("no superuser, no CREATEDB, CREATEROLE or BYPASSRLS").containsExactly("false,false,false,false");
    List<String> owned = rows(server, "SELECT datname FROM pg_database d JOIN pg_roles r ON d.datdba = r.oid "
        + "WHERE r.rolname = '" + user + "'");
    assertThat(owned).as("databases it owns").containsExactly(database);

    DbSettings app = new DbSettings(server.host(), server.port(), database, user, password);
    Migrations.migrate(app, 0);
    try (TestService service = TestService.start(app, Map.of())) {
      assertThat(service.api.get("/ready").status()).isEqualTo(200);
      assertThat(service.api.get("/user/1").status()).isEqualTo(200);
      assertThat(service.api.createUser("least-privilege")).isPositive();
    }
    List<String> tables = rows(app, "SELECT tablename || ':' || tableowner FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    assertThat(tables).as("everything the migration made belongs to the role")
        .allSatisfy(t -> assertThat(t).endsWith(":" + user)).isNotEmpty();
    System.out.printf("least privilege: role %s (no superuser, CREATEDB, CREATEROLE) owns %s and its tables %s; "
        + "migrate and serve work as it%n", user, owned, tables);
  }

  /** Each row's columns joined with commas. */
  private static List<String> rows(DbSettings db, String sql) {
    return Sql.rows(db, sql).stream().map(row -> String.join(",", row)).toList();
  }
}
