package dev.userservice.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Validates a custom resource against the OpenAPI schema of its operator's CRD, vendored under
 * src/test/resources/crds (see the README there). Stricter than the API server, which would
 * silently drop an unknown field: here every object schema that lists its properties refuses
 * any other, unless the CRD says it keeps unknown fields.
 */
public final class CrdSchemas {
  private static final Map<String, String> CRD_FILES = Map.ofEntries(
      Map.entry("postgresql.cnpg.io/Cluster", "crds/postgresql.cnpg.io_clusters.yaml"),
      Map.entry("postgresql.cnpg.io/ScheduledBackup", "crds/postgresql.cnpg.io_scheduledbackups.yaml"),
      Map.entry("barmancloud.cnpg.io/ObjectStore", "crds/barmancloud.cnpg.io_objectstores.yaml"),
      Map.entry("gateway.networking.k8s.io/HTTPRoute", "crds/gateway.networking.k8s.io_httproutes.yaml"),
      Map.entry("gateway.networking.k8s.io/Gateway", "crds/gateway.networking.k8s.io_gateways.yaml"),
      Map.entry("gateway.networking.k8s.io/GatewayClass", "crds/gateway.networking.k8s.io_gatewayclasses.yaml"),
      Map.entry("gateway.envoyproxy.io/EnvoyProxy", "crds/gateway.envoyproxy.io_envoyproxies.yaml"),
      Map.entry("gateway.envoyproxy.io/BackendTrafficPolicy", "crds/gateway.envoyproxy.io_backendtrafficpolicies.yaml"),
      Map.entry("k8s.keycloak.org/Keycloak", "crds/keycloaks.k8s.keycloak.org-v1.yml"),
      Map.entry("k8s.keycloak.org/KeycloakRealmImport", "crds/keycloakrealmimports.k8s.keycloak.org-v1.yml"));

  private CrdSchemas() {
  }

  public static boolean knows(JsonNode object) {
    return CRD_FILES.containsKey(groupKind(object));
  }

  /** @return the problems found; empty when the object is valid */
  public static List<String> problems(JsonNode object) {
    String apiVersion = object.path("apiVersion").asText();
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    JsonNode crd = read(CRD_FILES.get(groupKind(object)));
    JsonNode schema = null;
    for (JsonNode served : crd.at("/spec/versions")) {
      if (served.path("name").asText().equals(version) && served.path("served").asBoolean()) {
        schema = served.at("/schema/openAPIV3Schema");
      }
    }
    if (schema == null) {
      return List.of(apiVersion + " is not a served version of " + crd.at("/metadata/name").asText());
    }
    ObjectNode root = (ObjectNode) schema.deepCopy();
    // Every object has these, whether or not its CRD lists them (Keycloak's does not).
    for (String field : new String[] {"apiVersion", "kind"}) {
      ((ObjectNode) root.with("properties")).putIfAbsent(field, JsonNodeFactory.instance.objectNode().put("type", "string"));
    }
    ((ObjectNode) root.with("properties")).putIfAbsent("metadata", JsonNodeFactory.instance.objectNode().put("type", "object"));
    var validator = Validator.create(JsonSchema.of(new JsonObject(asJsonSchema(root).toString())),
        new JsonSchemaOptions().setDraft(Draft.DRAFT7).setBaseUri("urn:crd").setOutputFormat(OutputFormat.Basic));
    OutputUnit result = validator.validate(new JsonObject(object.toString()));
    List<String> problems = new ArrayList<>();
    if (!Boolean.TRUE.equals(result.getValid())) {
      for (OutputUnit error : result.getErrors()) {
        problems.add(object.path("kind").asText() + " " + error.getInstanceLocation() + ": " + error.getError());
      }
    }
    return problems;
  }

  /**
   * The CRD's OpenAPI 3.0 schema as JSON Schema: nullable becomes a null type, int-or-string
   * becomes either, and objects with listed properties take no others.
   */
  private static JsonNode asJsonSchema(JsonNode node) {
    if (node instanceof ArrayNode array) {
      array.forEach(CrdSchemas::asJsonSchema);
      return node;
    }
    if (!(node instanceof ObjectNode schema)) {
      return node;
    }
    for (Iterator<JsonNode> children = schema.elements(); children.hasNext(); ) {
      asJsonSchema(children.next());
    }
    if (schema.path("x-kubernetes-int-or-string").asBoolean()) {
      schema.remove("type");
      ArrayNode either = schema.putArray("anyOf");
      either.addObject().put("type", "integer");
      either.addObject().put("type", "string");
    }
    if (schema.path("nullable").asBoolean() && schema.has("type")) {
      ArrayNode types = JsonNodeFactory.instance.arrayNode().add(schema.get("type").asText()).add("null");
      schema.set("type", types);
    }
    boolean listsProperties = schema.has("properties") && schema.path("properties").isObject();
    if (listsProperties && !schema.has("additionalProperties")
        && !schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
      schema.put("additionalProperties", false);
    }
    return schema;
  }

  private static String groupKind(JsonNode object) {
    String apiVersion = object.path("apiVersion").asText();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    return group + "/" + object.path("kind").asText();
  }

  private static final Map<String, JsonNode> READ = new java.util.concurrent.ConcurrentHashMap<>();

  /** A vendored CRD, parsed once (Envoy Gateway's EnvoyProxy CRD alone is 1.4 MB). */
  private static JsonNode read(String resource) {
    return READ.computeIfAbsent(resource, CrdSchemas::parse);
  }

  private static JsonNode parse(String resource) {
    try (InputStream in = CrdSchemas.class.getClassLoader().getResourceAsStream(resource)) {
      return new YAMLMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
