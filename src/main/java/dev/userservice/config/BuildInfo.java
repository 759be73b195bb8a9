package dev.userservice.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** What Maven wrote into build-info.properties at build time: versions of parts the jar ships. */
public final class BuildInfo {
  private BuildInfo() {
  }

  public static String get(String key) {
    String value = Holder.PROPERTIES.getProperty(key);
    if (value == null) {
      throw new IllegalStateException("build-info.properties has no " + key);
    }
    return value;
  }

  /** Read on first use, once. */
  private static final class Holder {
    static final Properties PROPERTIES = load();

    private static Properties load() {
      Properties properties = new Properties();
      try (InputStream in = BuildInfo.class.getResourceAsStream("/build-info.properties")) {
        if (in == null) {
          throw new IllegalStateException("build-info.properties is part of the build");
        }
        properties.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return properties;
    }
  }
}
