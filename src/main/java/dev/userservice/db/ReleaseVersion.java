package dev.userservice.db;

import java.util.Arrays;

/** Release versions (major.minor.patch, anything after a '-' ignored), compared as numbers: 1.10.0 is after 1.9.0. */
public final class ReleaseVersion {
  private ReleaseVersion() {
  }

  public static int compare(String a, String b) {
    return Arrays.compare(parts(a), parts(b));
  }

  private static int[] parts(String version) {
    String core = version.contains("-") ? version.substring(0, version.indexOf('-')) : version;
    return Arrays.stream(core.split("\\.")).mapToInt(Integer::parseInt).toArray();
  }
}
