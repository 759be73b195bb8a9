package dev.userservice;

import dev.userservice.config.Config;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * `java -XX:AOTCacheOutput=app.aot -jar user-service.jar train`: the training run of the JDK's
 * ahead-of-time cache (JEP 483/514), done when the image is built. It starts the service on a
 * throwaway embedded database, sends every kind of request a few hundred times, and stops;
 * the JVM then writes the classes it loaded and linked, and the profiles it gathered, so the
 * real start skips that work.
 */
final class Training {
  private static final int ROUNDS = 300;

  private Training() {
  }

  static void run() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("user-service-training");
    Map<String, String> env = new HashMap<>(Map.of("PORT", "0", "BIND_ADDRESS", "127.0.0.1",
        "DATA_DIR", dir.resolve("data").toString(), "SHUTDOWN_DRAIN_MS", "0"));
    UserService service = UserService.start(Config.from(env));
    try {
      exercise(URI.create("http://127.0.0.1:" + service.port()));
    } finally {
      service.stop();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void exercise(URI base) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < ROUNDS; i++) {
      String body = "{\"username\":\"training-" + i + "\",\"email\":\"t" + i + "@example.com\",\"phone\":\"+1 555 0100\"}";
      String created = send(http, base, "POST", "/user", body);
      String id = created.replaceAll(".*\"id\":(\\d+).*", "$1");
      send(http, base, "GET", "/user/" + id, null);
      send(http, base, "PUT", "/user/" + id, body.replace("training-", "trained-"));
      send(http, base, "DELETE", "/user/" + id, null);
      send(http, base, "GET", "/user/1", null);
      send(http, base, "GET", "/user/not-a-number", null);
      send(http, base, "POST", "/user", "{\"username\":\"\"}");
      send(http, base, "GET", "/ready", null);
      send(http, base, "GET", "/health", null);
      if (i % 50 == 0) {
        send(http, base, "GET", "/metrics", null);
      }
    }
  }

  private static String send(HttpClient http, URI base, String method, String path, String json)
      throws IOException, InterruptedException {
    var request = HttpRequest.newBuilder(base.resolve(path)).method(method,
        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("content-type", "application/json");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}
