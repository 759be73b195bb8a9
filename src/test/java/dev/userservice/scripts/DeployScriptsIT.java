package dev.userservice.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.userservice.config.BuildInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * install.sh and uninstall.sh without a cluster: kubectl and helm are replaced by scripts that
 * log their arguments (and answer "nothing installed yet"), so the order, the pinned versions
 * and the behaviour when sourced can be checked. shellcheck runs on every script.
 */
class DeployScriptsIT {
  private static final List<String> SCRIPTS = List.of("install.sh", "uninstall.sh", "scripts/common.sh",
      "scripts/podman-image.sh", "scripts/keycloak-local.sh");

  @TempDir
  Path bin;

  @Test
  void scriptsAreShellcheckClean() throws Exception {
    boolean available = run(List.of("sh", "-c", "command -v shellcheck"), Map.of()).exitCode() == 0;
    // CI installs shellcheck; a developer machine without it skips this one check.
    assumeTrue(available || System.getenv("CI") != null, "shellcheck is not installed");
    var result = run(concat(List.of("shellcheck", "-x"), SCRIPTS), Map.of());
    assertThat(result.exitCode()).as(result.output()).isZero();
  }

  @Test
  void sourcedInstallWithoutKubectlSaysSoAndLeavesTheShellAlone() throws Exception {
    Path empty = Files.createDirectories(bin.resolve("empty"));
    link(empty, "dirname");
    var result = run(List.of("/bin/bash", "-c", ". ./install.sh; echo \"status=$?\"; false; echo still-here"),
        Map.of("PATH", empty.toString()));
    assertThat(result.output()).contains("kubectl is not installed", "status=1", "still-here");
  }

  @Test
  void installRunsTheReleasesInOrderWithPinnedVersionsAndCanBeSourced() throws Exception {
    Path log = fakeTools();
    var result = run(List.of("/bin/bash", "-c", ". ./install.sh; echo \"status=$?\"; false; echo still-here"),
        fakeEnv(log));
    assertThat(result.output()).as(result.output()).contains("status=0", "still-here", "Grafana:", "test.sh");
    List<String> calls = Files.readAllLines(log);
    List<String> installs = helmInstalls(calls);
    assertThat(installs).hasSize(4);
    assertThat(installs.get(0)).contains("kube-prometheus-stack", "--version 82.6.0", "--namespace monitoring",
        "searchNamespace=ALL", "serviceMonitorSelectorNilUsesHelmValues=false", "ruleSelectorNilUsesHelmValues=false");
    assertThat(installs.get(1)).contains("ingress-nginx", "--version 4.14.3", "--namespace ingress-nginx",
        "controller.metrics.serviceMonitor.enabled=true");
    assertThat(installs.get(2)).contains("helm/user-service", "--namespace hw3", "--wait-for-jobs")
        .doesNotContain("--create-namespace");
    assertThat(installs.get(3)).contains("prometheus-postgres-exporter", "--version 6.10.2", "--namespace hw3",
        "passwordSecret.name=user-service-db", "disableCollectorBgwriter=true", "serviceMonitor.enabled=true");
    assertThat(calls).anyMatch(c -> c.startsWith("kubectl apply -f -"));
    assertThat(String.join("\n", calls)).as("no tracing unless asked").doesNotContain("tempo", "opentelemetry",
        "tracing.enabled");
  }

  @Test
  void cloudNativePgInstallsTheOperatorFirstAndNoSeparateExporter() throws Exception {
    Path log = fakeTools();
    var result = run(List.of("/bin/bash", "-c", "DATABASE=cloudnative-pg . ./install.sh; echo \"status=$?\""),
        fakeEnv(log));
    assertThat(result.output()).as(result.output()).contains("status=0", "No separate postgres exporter");
    List<String> installs = helmInstalls(Files.readAllLines(log));
    assertThat(installs).hasSize(4);
    assertThat(installs.get(2)).contains("cnpg cnpg/cloudnative-pg", "--version 0.29.0", "--namespace cnpg-system");
    assertThat(installs.get(3)).contains("helm/user-service", "database.mode=cloudnative-pg");
    assertThat(String.join("\n", installs)).doesNotContain("prometheus-postgres-exporter");

    var wrong = run(List.of("/bin/bash", "./install.sh"), fakeEnv(log, "DATABASE", "mysql"));
    assertThat(wrong.exitCode()).isNotZero();
    assertThat(wrong.output()).contains("DATABASE must be bundled or cloudnative-pg");
  }

  @Test
  void tracingOptInAddsTempoAndPointsTheServiceAndTheIngressAtIt() throws Exception {
    Path log = fakeTools();
    var result = run(List.of("/bin/bash", "-c", "TRACING=1 . ./install.sh; echo \"status=$?\""),
        fakeEnv(log));
    assertThat(result.output()).as(result.output()).contains("status=0", "data source Tempo");
    List<String> calls = Files.readAllLines(log);
    List<String> installs = helmInstalls(calls);
    assertThat(installs).hasSize(5);
    assertThat(installs.get(0)).contains("kube-prometheus-stack", "exemplar-storage",
        "exemplarTraceIdDestinations.datasourceUid=tempo", "traceIdLabelName=trace_id");
    assertThat(installs.get(1)).contains("tempo grafana-community/tempo", "--version 1.26.1", "--namespace monitoring",
        "otlp.protocols.http.endpoint=0.0.0.0:4318");
    assertThat(installs.get(2)).contains("ingress-nginx", "enable-opentelemetry=true",
        "otlp-collector-host=tempo.monitoring.svc", "otlp-collector-port=4317");
    assertThat(installs.get(3)).contains("helm/user-service", "tracing.enabled=true",
        "tracing.endpoint=http://tempo.monitoring.svc:4318");
    assertThat(calls).anyMatch(c -> c.startsWith("helm repo add grafana-community"));
  }

  @Test
  void uninstallKeepsTheDataUnlessAskedAndRemovesInReverseOrder() throws Exception {
    Path log = fakeTools();
    var kept = run(List.of("/bin/bash", "./uninstall.sh"), fakeEnv(log, "FAKE_INSTALLED", "1"));
    assertThat(kept.exitCode()).as(kept.output()).isZero();
    List<String> calls = Files.readAllLines(log);
    List<String> removed = calls.stream().filter(c -> c.startsWith("helm uninstall")).toList();
    assertThat(removed).hasSize(6);
    assertThat(removed.get(0)).contains("postgres-exporter");
    assertThat(removed.get(1)).contains("user-service");
    assertThat(removed.get(2)).contains("ingress-nginx");
    assertThat(removed.get(3)).contains("tempo");
    assertThat(removed.get(4)).contains("kube-prometheus-stack");
    assertThat(removed.get(5)).contains("cnpg", "cnpg-system");
    assertThat(calls).anyMatch(c -> c.contains("delete configmap tempo-datasource"));
    assertThat(calls).noneMatch(c -> c.contains("delete namespace hw3"));
    assertThat(kept.output()).contains("Kept: namespace hw3");

    Files.writeString(log, "");
    var purged = run(List.of("/bin/bash", "./uninstall.sh", "--purge-data"),
        fakeEnv(log, "FAKE_INSTALLED", "1"));
    assertThat(purged.exitCode()).isZero();
    List<String> purgeCalls = Files.readAllLines(log);
    assertThat(purgeCalls).anyMatch(c -> c.contains("delete namespace hw3"));
    int namespaceGone = purgeCalls.indexOf(purgeCalls.stream().filter(c -> c.contains("delete namespace hw3")).findFirst().orElseThrow());
    int operatorGone = purgeCalls.indexOf(purgeCalls.stream().filter(c -> c.startsWith("helm uninstall cnpg")).findFirst().orElseThrow());
    assertThat(namespaceGone).as("the data goes while the operator can still take its Cluster down").isLessThan(operatorGone);
  }

  @Test
  void onKindWithoutAnImageItBuildsWithDockerAndLoadsItOncePerVersion() throws Exception {
    Path log = fakeTools();
    var first = run(List.of("/bin/bash", "./install.sh"),
        fakeEnv(log, "USER_SERVICE_IMAGE", "", "FAKE_CONTEXT", "kind-dev", "FAKE_ENGINE", "docker"));
    assertThat(first.exitCode()).as(first.output()).isZero();
    List<String> calls = Files.readAllLines(log);
    String version = BuildInfo.get("version");
    assertThat(calls).anyMatch(c -> c.startsWith("docker build -t user-service:" + version + " --build-arg VERSION=" + version));
    assertThat(calls).contains("kind load docker-image user-service:" + version + " --name dev");
    assertThat(calls.indexOf("kind load docker-image user-service:" + version + " --name dev"))
        .as("loaded before the chart is installed").isLessThan(calls.indexOf(helmInstalls(calls).get(2)));
    assertThat(helmInstalls(calls).get(2)).contains("image.repository=user-service", "image.tag=" + version);

    Files.writeString(log, "");
    var again = run(List.of("/bin/bash", "./install.sh"), fakeEnv(log, "USER_SERVICE_IMAGE", "",
        "FAKE_CONTEXT", "kind-dev", "FAKE_ENGINE", "docker", "FAKE_IMAGE_BUILT", "1"));
    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(Files.readAllLines(log)).as("built once per version").noneMatch(c -> c.startsWith("docker build"));
  }

  @Test
  void onMinikubeWithPodmanItSavesTheImageAndLoadsItUnlessMinikubeHasIt() throws Exception {
    Path log = fakeTools();
    String image = "user-service:" + BuildInfo.get("version");
    var result = run(List.of("/bin/bash", "./install.sh"),
        fakeEnv(log, "USER_SERVICE_IMAGE", "", "FAKE_CONTEXT", "minikube", "FAKE_ENGINE", "podman"));
    assertThat(result.exitCode()).as(result.output()).isZero();
    List<String> calls = Files.readAllLines(log);
    assertThat(calls).anyMatch(c -> c.startsWith("podman build -t " + image));
    assertThat(calls).anyMatch(c -> c.startsWith("podman save -o ") && c.endsWith(" " + image));
    assertThat(calls).anyMatch(c -> c.startsWith("minikube image load /"));

    Files.writeString(log, "");
    var loaded = run(List.of("/bin/bash", "./install.sh"), fakeEnv(log, "USER_SERVICE_IMAGE", "",
        "FAKE_CONTEXT", "minikube", "FAKE_ENGINE", "podman", "FAKE_IMAGE_BUILT", "1",
        "FAKE_MINIKUBE_IMAGES", "docker.io/library/" + image));
    assertThat(loaded.exitCode()).as(loaded.output()).isZero();
    assertThat(Files.readAllLines(log)).noneMatch(c -> c.startsWith("podman build") || c.startsWith("minikube image load"));
  }

  @Test
  void authKeycloakAppliesThePinnedOperatorBeforeTheChartAndUninstallRemovesIt() throws Exception {
    Path log = fakeTools();
    var result = run(List.of("/bin/bash", "./install.sh"), fakeEnv(log, "AUTH", "keycloak"));
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("Keycloak at http://arch.homework/auth");
    List<String> calls = Files.readAllLines(log);
    String base = "https://raw.githubusercontent.com/keycloak/keycloak-k8s-resources/26.0.0/kubernetes/";
    List<String> applied = calls.stream().filter(c -> c.startsWith("kubectl -n hw3 apply -f " + base)).toList();
    assertThat(applied).containsExactly("kubectl -n hw3 apply -f " + base + "keycloaks.k8s.keycloak.org-v1.yml",
        "kubectl -n hw3 apply -f " + base + "keycloakrealmimports.k8s.keycloak.org-v1.yml",
        "kubectl -n hw3 apply -f " + base + "kubernetes.yml");
    String chart = helmInstalls(calls).get(2);
    assertThat(calls.indexOf(applied.getLast())).as("the operator and its CRDs before the chart").isLessThan(calls.indexOf(chart));
    assertThat(chart).contains("keycloak.enabled=true", "auth.enabled=true", "auth.issuerAddress=");

    Files.writeString(log, "");
    var plain = run(List.of("/bin/bash", "./install.sh"), fakeEnv(log));
    assertThat(plain.exitCode()).isZero();
    assertThat(Files.readString(log)).doesNotContain("keycloak");
    assertThat(run(List.of("/bin/bash", "./install.sh"), fakeEnv(log, "AUTH", "ldap")).output()).contains("AUTH must be keycloak");

    Files.writeString(log, "");
    var removed = run(List.of("/bin/bash", "./uninstall.sh"), fakeEnv(log, "FAKE_INSTALLED", "1", "FAKE_KEYCLOAK_OPERATOR", "1"));
    assertThat(removed.exitCode()).as(removed.output()).isZero();
    List<String> uninstall = Files.readAllLines(log);
    List<String> deleted = uninstall.stream().filter(c -> c.startsWith("kubectl -n hw3 delete -f " + base)).toList();
    assertThat(deleted).hasSize(3).first().asString().contains("/kubernetes.yml ");
    assertThat(uninstall.indexOf(deleted.getFirst())).as("after the chart, whose Keycloak the operator takes down")
        .isGreaterThan(uninstall.indexOf(uninstall.stream().filter(c -> c.startsWith("helm uninstall user-service")).findFirst().orElseThrow()));
  }

  @Test
  void onAnyOtherClusterWithoutAnImageItAsksForOneAndInstallsNothing() throws Exception {
    Path log = fakeTools();
    var result = run(List.of("/bin/bash", "./install.sh"),
        fakeEnv(log, "USER_SERVICE_IMAGE", "", "FAKE_CONTEXT", "gke_project_zone_prod", "FAKE_ENGINE", "docker"));
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output().lines().filter(l -> l.startsWith("error:")).toList()).singleElement().asString()
        .contains("gke_project_zone_prod", "USER_SERVICE_IMAGE=");
    assertThat(Files.readAllLines(log)).noneMatch(c -> c.startsWith("helm upgrade") || c.contains(" build "));
  }

  /**
   * kubectl, helm, docker, podman, kind and minikube that append their arguments to $FAKE_LOG and
   * succeed, but for the questions the scripts ask, answered as the FAKE_* variables say.
   */
  private Path fakeTools() throws IOException {
    Path log = bin.resolve("calls.log");
    Files.writeString(log, "");
    for (String tool : List.of("kubectl", "helm", "docker", "podman", "kind", "minikube")) {
      Path script = bin.resolve(tool);
      Files.writeString(script, """
          #!/bin/sh
          echo "%1$s $*" >> "$FAKE_LOG"
          # `helm status` says whether a release exists: only when the test says so.
          if [ "%1$s $1" = "helm status" ] && [ -z "$FAKE_INSTALLED" ]; then exit 1; fi
          # `kubectl get secret grafana-admin`: not there yet, so install.sh creates it.
          if [ "%1$s $1" = "kubectl get" ] || [ "%1$s $2" = "kubectl get" ]; then exit 1; fi
          if [ "%1$s $3 $5" = "kubectl get keycloak-operator" ]; then [ -n "$FAKE_KEYCLOAK_OPERATOR" ]; exit; fi
          if [ "%1$s $1 $2" = "kubectl config current-context" ]; then
            [ -n "$FAKE_CONTEXT" ] && echo "$FAKE_CONTEXT" && exit 0; exit 1
          fi
          # The container engine that runs (FAKE_ENGINE), and whether it has the image already.
          if [ "$1" = info ]; then [ "$FAKE_ENGINE" = "%1$s" ]; exit; fi
          if [ "$1 $2" = "image inspect" ]; then [ -n "$FAKE_IMAGE_BUILT" ]; exit; fi
          if [ "%1$s $1 $2" = "minikube image ls" ]; then echo "$FAKE_MINIKUBE_IMAGES"; exit 0; fi
          cat > /dev/null 2>&1 <&0 &
          exit 0
          """.formatted(tool));
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return log;
  }

  /**
   * The fake tools first on the PATH, logging to {@code log}, an image given (as for a cluster that
   * pulls from a registry), plus the given name, value pairs.
   */
  private Map<String, String> fakeEnv(Path log, String... more) {
    Map<String, String> env = new java.util.HashMap<>(Map.of("PATH", bin + ":/usr/bin:/bin", "FAKE_LOG", log.toString(),
        "USER_SERVICE_IMAGE", "registry.example/user-service:1.1.0"));
    for (int i = 0; i < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return env;
  }

  private static List<String> helmInstalls(List<String> calls) {
    return calls.stream().filter(c -> c.startsWith("helm upgrade --install")).toList();
  }

  private static void link(Path dir, String tool) throws IOException {
    for (String prefix : List.of("/usr/bin/", "/bin/")) {
      Path target = Path.of(prefix + tool);
      if (Files.exists(target)) {
        Files.createSymbolicLink(dir.resolve(tool), target);
        return;
      }
    }
  }

  private record Result(int exitCode, String output) {
  }

  private static Result run(List<String> command, Map<String, String> env) throws Exception {
    var builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
