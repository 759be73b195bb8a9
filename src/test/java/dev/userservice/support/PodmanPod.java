package dev.userservice.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chart's rendered Deployment as {@code podman run} arguments: the user, file system,
 * capabilities, limits, /tmp and environment that the kubelet would give its container, read
 * from {@code helm template} rather than written a second time. What Podman cannot take from a
 * cluster, the test supplies: the Secret behind each {@code secretKeyRef} and the addresses of
 * the database and the port on this machine ({@code overrides}).
 */
public record PodmanPod(List<String> runArguments, List<String> containerArgs, int terminationGraceSeconds,
    Map<String, String> env) {

  /** The pod of the chart's only object of this kind: Deployment (the service) or Job (the migration). */
  public static PodmanPod from(RenderedChart chart, String kind, Map<String, String> overrides) {
    JsonNode workload = chart.ofKind(kind).getFirst();
    JsonNode pod = workload.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    var args = new ArrayList<String>();

    JsonNode podSecurity = pod.path("securityContext");
    JsonNode security = container.path("securityContext");
    long user = podSecurity.path("runAsUser").asLong(-1);
    if (podSecurity.path("runAsNonRoot").asBoolean() && user == 0) {
      throw new IllegalStateException("runAsNonRoot with runAsUser 0");
    }
    if (user >= 0) {
      args.add("--user=" + user + ":" + podSecurity.path("runAsGroup").asLong(user));
    }
    if (security.path("readOnlyRootFilesystem").asBoolean()) {
      args.add("--read-only");
    }
    for (JsonNode dropped : security.at("/capabilities/drop")) {
      args.add("--cap-drop=" + dropped.asText());
    }
    if (!security.path("allowPrivilegeEscalation").asBoolean(true)) {
      args.add("--security-opt=no-new-privileges");
    }
    JsonNode limits = container.at("/resources/limits");
    if (limits.has("memory")) {
      args.add("--memory=" + mebibytes(limits.get("memory").asText()) + "m");
      args.add("--memory-swap=" + mebibytes(limits.get("memory").asText()) + "m"); // no swap, as on a node
    }
    if (limits.has("cpu")) {
      args.add("--cpus=" + cores(limits.get("cpu").asText()));
    }
    for (JsonNode mount : container.path("volumeMounts")) {
      JsonNode volume = findVolume(pod, mount.get("name").asText());
      if (!volume.has("emptyDir")) {
        throw new IllegalStateException("only emptyDir volumes are run here: " + volume);
      }
      String size = volume.at("/emptyDir/sizeLimit").asText("");
      args.add("--tmpfs=" + mount.get("mountPath").asText() + ":rw,nosuid,nodev"
          + (size.isEmpty() ? "" : ",size=" + mebibytes(size) + "m"));
    }

    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode source : container.path("envFrom")) {
      String configMap = source.at("/configMapRef/name").asText();
      chart.get("ConfigMap", configMap).path("data").fields()
          .forEachRemaining(entry -> env.put(entry.getKey(), entry.getValue().asText()));
    }
    for (JsonNode variable : container.path("env")) {
      String name = variable.get("name").asText();
      if (variable.has("value")) {
        env.put(name, variable.get("value").asText());
      } else if (!overrides.containsKey(name)) {
        throw new IllegalStateException(name + " comes from " + variable.get("valueFrom")
            + ", which Podman cannot read: the test must give it");
      }
    }
    env.putAll(overrides);
    env.forEach((name, value) -> args.add("--env=" + name + "=" + value));
    if (container.has("command")) {
      throw new IllegalStateException("the chart keeps the image's entrypoint; a command would replace it");
    }
    var containerArgs = new ArrayList<String>();
    container.path("args").forEach(arg -> containerArgs.add(arg.asText()));
    int grace = pod.path("terminationGracePeriodSeconds").asInt(30); // Kubernetes' default
    return new PodmanPod(List.copyOf(args), List.copyOf(containerArgs), grace, Map.copyOf(env));
  }

  private static JsonNode findVolume(JsonNode pod, String name) {
    for (JsonNode volume : pod.path("volumes")) {
      if (volume.path("name").asText().equals(name)) {
        return volume;
      }
    }
    throw new IllegalStateException("no volume " + name);
  }

  /** A Kubernetes quantity of bytes (Mi or Gi, as the chart writes them) in MiB. */
  public static long mebibytes(String quantity) {
    if (quantity.endsWith("Mi")) {
      return Long.parseLong(quantity.substring(0, quantity.length() - 2));
    }
    if (quantity.endsWith("Gi")) {
      return Long.parseLong(quantity.substring(0, quantity.length() - 2)) * 1024;
    }
    throw new IllegalArgumentException("a quantity in Mi or Gi, not " + quantity);
  }

  /** A Kubernetes CPU quantity ("1", "500m") in cores. */
  static String cores(String quantity) {
    return quantity.endsWith("m")
        ? Double.toString(Long.parseLong(quantity.substring(0, quantity.length() - 1)) / 1000.0) : quantity;
  }
}
