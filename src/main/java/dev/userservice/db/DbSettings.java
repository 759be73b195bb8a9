package dev.userservice.db;

import dev.userservice.config.Config;

/** Where the database is and who we are to it. The password never leaves through toString. */
public record DbSettings(String host, int port, String database, String user, String password) {

  public static DbSettings of(Config config) {
    return new DbSettings(config.dbHost().orElseThrow(), config.dbPort(), config.dbName(),
        config.dbUser(), config.dbPassword());
  }

  public String jdbcUrl() {
    String literalHost = host.contains(":") ? "[" + host + "]" : host; // IPv6 literal
    return "jdbc:postgresql://" + literalHost + ":" + port + "/" + database;
  }

  @Override
  public String toString() {
    return "DbSettings[" + user + "@" + host + ":" + port + "/" + database + "]";
  }
}
