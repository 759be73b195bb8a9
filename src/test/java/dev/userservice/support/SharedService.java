package dev.userservice.support;

/**
 * One running service for every test class that needs nothing special, started on first use
 * and stopped when the test JVM exits. Tests keep to their own users (unique usernames).
 */
public final class SharedService {
  private static TestService service;

  private SharedService() {
  }

  public static synchronized ApiClient api() {
    if (service == null) {
      service = TestService.start();
      Runtime.getRuntime().addShutdownHook(new Thread(service::close));
    }
    return service.api;
  }
}
