package dev.userservice.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calls the chart's `lookup` makes, answered on 127.0.0.1: API discovery for v1 and apps/v1,
 * GET of a Secret (404 unless a test put one there) and of the running Deployment (404: nothing
 * runs, so no downgrade is seen). helm-java's template, unlike the helm
 * command, asks the cluster for lookups; without this it would call whatever listens on
 * localhost:8080. A test can also put an existing Secret here to see the chart keep its password.
 */
public final class FakeKubernetesApi {
  /** The kubeconfig the test JVM's KUBECONFIG names (set in the POM). */
  private static final Path KUBECONFIG = Path.of(System.getProperty("fake.kubeconfig", "target/fake-kubeconfig.yaml"));
  private static final Map<String, JsonObject> SECRETS = new ConcurrentHashMap<>();
  private static HttpServer server;

  private FakeKubernetesApi() {
  }

  public static synchronized void ensureStarted() {
    if (server != null) {
      return;
    }
    server = Vertx.vertx().createHttpServer().requestHandler(request -> {
      String path = request.path();
      var response = request.response().putHeader("content-type", "application/json");
      if (path.equals("/api/v1")) {
        response.end(new JsonObject().put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", "v1")
            .put("resources", new JsonArray().add(new JsonObject().put("name", "secrets").put("singularName", "secret")
                .put("namespaced", true).put("kind", "Secret")
                .put("verbs", new JsonArray().add("get").add("list")))).encode());
      } else if (path.equals("/apis/apps/v1")) {
        response.end(new JsonObject().put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", "apps/v1")
            .put("resources", new JsonArray().add(new JsonObject().put("name", "deployments").put("singularName", "deployment")
                .put("namespaced", true).put("kind", "Deployment")
                .put("verbs", new JsonArray().add("get").add("list")))).encode());
      } else if (SECRETS.containsKey(path)) {
        response.end(SECRETS.get(path).encode());
      } else {
        response.setStatusCode(404).end(new JsonObject().put("kind", "Status").put("apiVersion", "v1")
            .put("status", "Failure").put("reason", "NotFound").put("code", 404).encode());
      }
    }).listen(0, "127.0.0.1").await();
    try {
      Files.createDirectories(KUBECONFIG.toAbsolutePath().getParent());
      Files.writeString(KUBECONFIG, """
          apiVersion: v1
          kind: Config
          clusters:
            - name: fake
              cluster:
                server: http://127.0.0.1:%d
          contexts:
            - name: fake
              context:
                cluster: fake
                user: fake
          current-context: fake
          users:
            - name: fake
              user:
                token: fake
          """.formatted(server.actualPort()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Makes `lookup "v1" "Secret" namespace name` find a Secret with this data (values base64). */
  public static void putSecret(String namespace, String name, Map<String, String> data) {
    SECRETS.put("/api/v1/namespaces/" + namespace + "/secrets/" + name, new JsonObject()
        .put("kind", "Secret").put("apiVersion", "v1")
        .put("metadata", new JsonObject().put("name", name).put("namespace", namespace))
        .put("type", "Opaque").put("data", JsonObject.of().mergeIn(new JsonObject(Map.copyOf(data)))));
  }

  public static void clear() {
    SECRETS.clear();
  }
}
