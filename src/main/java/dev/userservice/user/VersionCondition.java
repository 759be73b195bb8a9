package dev.userservice.user;

/**
 * What an update or delete requires of the stored version (from an If-Match header): any
 * version at all (the user must merely exist), or one of the listed versions.
 */
public record VersionCondition(boolean anyVersion, long[] versions) {
  public static final VersionCondition ANY = new VersionCondition(true, new long[0]);

  public static VersionCondition oneOf(long[] versions) {
    return new VersionCondition(false, versions.clone());
  }
}
