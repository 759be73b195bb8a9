package dev.userservice.support;

/**
 * One running service for every test class that needs nothing special, started on first use
 * and stopped when the test JVM exits. Tests keep to their own users (unique usernames).
 * With the system property {@value #EXTERNAL_URL} set, those tests talk to a service running
 * elsewhere instead (the container in ImageIT), over the same database.
 */
public final class SharedService {
  public static final String EXTERNAL_URL = "userservice.external.url";
  private static TestService service;

  private SharedService() {
  }

  public static synchronized ApiClient api() {
    String external = System.getProperty(EXTERNAL_URL);
    if (external != null) {
      return new ApiClient(external);
    }
    if (service == null) {
      service = TestService.start();
      Runtime.getRuntime().addShutdownHook(new Thread(service::close));
    }
    return service.api;
  }
}
