package dev.userservice;

import java.lang.reflect.InvocationTargetException;

/**
 * The jar's entry point, compiled for Java 17 (see the pom) so that an older java can load it
 * and say in one line what is wrong, instead of an UnsupportedClassVersionError. On Java 25 or
 * later it hands over to {@link Main}, which it reaches by name so that nothing compiled for 25
 * is loaded before the check.
 */
public final class Launcher {
  static final int REQUIRED = 25;

  private Launcher() {
  }

  public static void main(String[] args) throws Throwable {
    int feature = Runtime.version().feature();
    if (feature < REQUIRED) {
      System.err.println(tooOld(feature, System.getProperty("java.home")));
      System.exit(1);
    }
    try {
      Class.forName("dev.userservice.Main").getMethod("main", String[].class).invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      throw e.getCause(); // Main's own failure, as if it had been called directly
    }
  }

  static String tooOld(int feature, String javaHome) {
    return "user-service needs Java " + REQUIRED + " or later, but this is Java " + feature + " at " + javaHome
        + ". Install a JDK " + REQUIRED + " (Debian/Ubuntu: apt install openjdk-" + REQUIRED + "-jdk-headless;"
        + " elsewhere: your vendor's JDK " + REQUIRED + " or SDKMAN) and start it with ./run.sh, which finds it,"
        + " or with that JDK's bin/java -jar.";
  }
}
