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
  private static final List<String> SCRIPTS = List.of("install.sh", "uninstall.sh", "test.sh", "scripts/common.sh",
      "scripts/podman-image.sh", "scripts/keycloak-local.sh", "scripts/backup-figures.sh", "scripts/lint-migrations.sh", "scripts/build-release.sh", "scripts/upgrade-figures.sh",
      "helm/user-service/files/backup/archive-wal.sh", "helm/user-service/files/backup/base-backup.sh",
      "helm/user-service/files/backup/restore.sh");

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
    assertThat(installs.get(0)).contains("kube-prometheus-stack", "--version 88.5.3", "--namespace monitoring",
        "searchNamespace=ALL", "serviceMonitorSelectorNilUsesHelmValues=false", "ruleSelectorNilUsesHelmValues=false",
        "crds.upgradeJob.enabled=true");
    assertThat(installs.get(1)).contains("ingress-nginx", "--version 4.15.1", "--namespace ingress-nginx",
        "controller.metrics.serviceMonitor.enabled=true");
    assertThat(installs.get(2)).contains("helm/user-service", "--namespace hw3", "--wait-for-jobs")
        .doesNotContain("--create-namespace", "gateway.enabled");
    assertThat(installs.get(3)).contains("prometheus-postgres-exporter", "--version 8.2.0", "--namespace hw3",
        "passwordSecret.name=user-service-db", "disableCollectorBgwriter=true", "serviceMonitor.enabled=true");
    assertThat(String.join("\n", calls)).as("nothing of the Gateway path").doesNotContain("envoy", "--cascade=orphan");
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

    assertRefused(run(List.of("/bin/bash", "./install.sh"), fakeEnv(log, "DATABASE", "mysql")),
        "DATABASE must be bundled or cloudnative-pg");
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
    assertThat(installs.get(1)).contains("tempo grafana-community/tempo", "--version 2.2.4", "--namespace monitoring",
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
    assertThat(removed).hasSize(7);
    assertThat(removed.get(0)).contains("postgres-exporter");
    assertThat(removed.get(1)).contains("user-service");
    assertThat(removed.get(2)).contains("ingress-nginx");
    assertThat(removed.get(3)).contains("uninstall eg ", "envoy-gateway-system");
    assertThat(removed.get(4)).contains("tempo");
    assertThat(removed.get(5)).contains("kube-prometheus-stack");
    assertThat(removed.get(6)).contains("cnpg", "cnpg-system");
    assertThat(calls).anyMatch(c -> c.startsWith("kubectl delete namespace ingress-nginx envoy-gateway-system monitoring"));
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
  void backupsAreSwitchedOnPerModeAndNeverDeletedByUninstall() throws Exception {
    Path log = fakeTools();
    installed(log, "BACKUP", "volume");
    String chart = helmInstalls(Files.readAllLines(log)).get(2);
    assertThat(chart).contains("helm/user-service", "backup.enabled=true").doesNotContain("backup.destination");

    // BACKUP=s3 with CloudNativePG: cert-manager and the pinned plugin after the operator, before the chart.
    Files.writeString(log, "");
    var s3 = installed(log, "DATABASE", "cloudnative-pg", "BACKUP", "s3", "BACKUP_DESTINATION", "s3://backups/hw3",
        "BACKUP_ENDPOINT_URL", "http://minio.minio.svc:9000", "BACKUP_CREDENTIALS_SECRET", "backup-store");
    List<String> calls = Files.readAllLines(log);
    List<String> installs = helmInstalls(calls);
    assertThat(installs.get(2)).contains("upgrade --install cnpg cnpg/cloudnative-pg");
    assertThat(installs.get(3)).contains("upgrade --install cert-manager jetstack/cert-manager", "--version v1.21.1",
        "crds.enabled=true", "--wait");
    String plugin = "kubectl apply -f https://github.com/cloudnative-pg/plugin-barman-cloud/releases/download/v0.14.0/manifest.yaml";
    assertThat(calls).contains(plugin, "kubectl -n cnpg-system rollout status deployment/barman-cloud --timeout=10m");
    assertThat(calls.indexOf(plugin)).isGreaterThan(calls.indexOf(installs.get(3))).isLessThan(calls.indexOf(installs.get(4)));
    assertThat(installs.get(4)).contains("helm/user-service", "database.mode=cloudnative-pg", "backup.enabled=true",
        "backup.destination=s3://backups/hw3", "backup.endpointURL=http://minio.minio.svc:9000",
        "backup.credentialsSecret=backup-store");
    assertThat(s3.output()).contains("Backups:      WAL and daily base backups to s3://backups/hw3");
    assertThat(installs).noneMatch(c -> c.contains("prometheus-postgres-exporter"));

    assertRefused(run(List.of("/bin/bash", "./install.sh"), fakeEnv(log, "BACKUP", "s3")),
        "BACKUP=s3 needs DATABASE=cloudnative-pg");
    assertRefused(run(List.of("/bin/bash", "./install.sh"), fakeEnv(log, "DATABASE", "cloudnative-pg", "BACKUP", "volume")),
        "BACKUP=volume is for the bundled database");
    assertRefused(run(List.of("/bin/bash", "./install.sh"), fakeEnv(log, "DATABASE", "cloudnative-pg", "BACKUP", "s3",
        "BACKUP_CREDENTIALS_SECRET", "backup-store")), "BACKUP=s3 needs BACKUP_DESTINATION");
    assertRefused(run(List.of("/bin/bash", "./install.sh"), fakeEnv(log, "DATABASE", "cloudnative-pg", "BACKUP", "s3",
        "BACKUP_DESTINATION", "s3://b/p", "BACKUP_CREDENTIALS_SECRET", "gone", "FAKE_NO_BACKUP_SECRET", "1")),
        "no Secret gone in hw3; make it first");
    assertRefused(run(List.of("/bin/bash", "./install.sh"), fakeEnv(log, "BACKUP", "tape")), "BACKUP must be volume or s3");

    // --purge-data with a backup volume: the database's volumes go, the backups and the namespace stay.
    Files.writeString(log, "");
    var purged = run(List.of("/bin/bash", "./uninstall.sh", "--purge-data"),
        fakeEnv(log, "FAKE_INSTALLED", "1", "FAKE_BACKUP_VOLUME", "1"));
    assertThat(purged.exitCode()).as(purged.output()).isZero();
    assertThat(purged.output()).contains("keeping the backup volume");
    List<String> purge = Files.readAllLines(log);
    assertThat(purge).contains("kubectl -n hw3 delete statefulset,pvc -l app.kubernetes.io/component=database --ignore-not-found --wait=true")
        .noneMatch(c -> c.startsWith("kubectl delete namespace hw3"))
        .noneMatch(c -> c.contains("delete") && c.contains("component=backup"));
  }

  @Test
  void aDowngradeItCanSeeIsRefusedUnlessAllowedAndTheSummarySaysHowToRollBack() throws Exception {
    Path log = fakeTools();
    var upgrade = installed(log, "FAKE_RUNNING_IMAGE", "registry.example/user-service:1.0.0");
    assertThat(upgrade.output()).contains("Roll back:    helm rollback user-service -n hw3");
    assertThat(helmInstalls(Files.readAllLines(log)).get(2)).contains("--wait").doesNotContain("allowDowngrade");

    Files.writeString(log, "");
    assertRefused(run(List.of("/bin/bash", "./install.sh"), fakeEnv(log, "FAKE_RUNNING_IMAGE",
        "registry.example/user-service:1.10.0")), "1.1.0 is older than the running 1.10.0");
    assertThat(Files.readAllLines(log)).noneMatch(c -> c.startsWith("helm upgrade"));

    Files.writeString(log, "");
    var allowed = installed(log, "FAKE_RUNNING_IMAGE", "registry.example/user-service:1.2.0", "ALLOW_DOWNGRADE", "1");
    assertThat(allowed.output()).contains("downgrading from 1.2.0 to 1.1.0");
    assertThat(helmInstalls(Files.readAllLines(log)).get(2)).contains("upgrade.allowDowngrade=true");
  }

  @Test
  void onKindWithoutAnImageItBuildsWithDockerAndLoadsItOncePerVersion() throws Exception {
    Path log = fakeTools();
    installed(log, "USER_SERVICE_IMAGE", "", "FAKE_CONTEXT", "kind-dev", "FAKE_ENGINE", "docker");
    List<String> calls = Files.readAllLines(log);
    String version = BuildInfo.get("version");
    assertThat(calls).anyMatch(c -> c.startsWith("docker build -t user-service:" + version + " --build-arg VERSION=" + version));
    assertThat(calls).contains("kind load docker-image user-service:" + version + " --name dev");
    assertThat(calls.indexOf("kind load docker-image user-service:" + version + " --name dev"))
        .as("loaded before the chart is installed").isLessThan(calls.indexOf(helmInstalls(calls).get(2)));
    assertThat(helmInstalls(calls).get(2)).contains("image.repository=user-service", "image.tag=" + version);

    Files.writeString(log, "");
    installed(log, "USER_SERVICE_IMAGE", "", "FAKE_CONTEXT", "kind-dev", "FAKE_ENGINE", "docker", "FAKE_IMAGE_BUILT", "1");
    assertThat(Files.readAllLines(log)).as("built once per version").noneMatch(c -> c.startsWith("docker build"));
  }

  @Test
  void onMinikubeWithPodmanItSavesTheImageAndLoadsItUnlessMinikubeHasIt() throws Exception {
    Path log = fakeTools();
    String image = "user-service:" + BuildInfo.get("version");
    installed(log, "USER_SERVICE_IMAGE", "", "FAKE_CONTEXT", "minikube", "FAKE_ENGINE", "podman");
    List<String> calls = Files.readAllLines(log);
    assertThat(calls).anyMatch(c -> c.startsWith("podman build -t " + image));
    assertThat(calls).anyMatch(c -> c.startsWith("podman save -o ") && c.endsWith(" " + image));
    assertThat(calls).anyMatch(c -> c.startsWith("minikube image load /"));

    Files.writeString(log, "");
    installed(log, "USER_SERVICE_IMAGE", "",
        "FAKE_CONTEXT", "minikube", "FAKE_ENGINE", "podman", "FAKE_IMAGE_BUILT", "1",
        "FAKE_MINIKUBE_IMAGES", "docker.io/library/" + image);
    assertThat(Files.readAllLines(log)).noneMatch(c -> c.startsWith("podman build") || c.startsWith("minikube image load"));
  }

  @Test
  void authKeycloakAppliesThePinnedOperatorBeforeTheChartAndUninstallRemovesIt() throws Exception {
    Path log = fakeTools();
    var result = installed(log, "AUTH", "keycloak");
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
    installed(log);
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
  void envoyGatewayPutsTheGatewayApiPathInPlaceOfIngressNginx() throws Exception {
    Path log = fakeTools();
    var result = run(List.of("/bin/bash", "-c", "INGRESS=envoy-gateway . ./install.sh; echo \"status=$?\""),
        fakeEnv(log, "FAKE_CONTEXT", "kind-dev"));
    assertThat(result.output()).as(result.output()).contains("status=0",
        "Envoy Gateway: Gateway hw3/user-service, proxy Service envoy-gateway-system/hw3-user-service",
        "port-forward svc/hw3-user-service 8080:80");
    List<String> calls = Files.readAllLines(log);
    List<String> installs = helmInstalls(calls);
    assertThat(installs).hasSize(4);
    assertThat(installs.get(0)).contains("kube-prometheus-stack");
    // The CRDs of the pinned release, server-side, before its controller (which brings none then).
    String crds = calls.stream().filter(c -> c.startsWith("helm template eg-crds")).findFirst().orElseThrow();
    assertThat(crds).contains("oci://docker.io/envoyproxy/gateway-crds-helm", "--version v1.9.0",
        "crds.gatewayAPI.enabled=true", "crds.gatewayAPI.channel=standard", "crds.envoyGateway.enabled=true");
    assertThat(calls).contains("kubectl apply --server-side --force-conflicts -f -");
    assertThat(installs.get(1)).contains("upgrade --install eg oci://docker.io/envoyproxy/gateway-helm", "--version v1.9.0",
        "--namespace envoy-gateway-system", "--create-namespace", "crds.enabled=false", "--wait");
    assertThat(calls.indexOf(crds)).isLessThan(calls.indexOf(installs.get(1)));
    assertThat(installs.get(2)).contains("helm/user-service", "ingress.enabled=false", "gateway.enabled=true",
        "gateway.controllerNamespace=envoy-gateway-system", "gateway.metrics.labels.release=kube-prometheus-stack",
        "gateway.envoyProxy.serviceType=NodePort");
    assertThat(installs.get(3)).contains("prometheus-postgres-exporter");
    String programmed = "kubectl -n hw3 wait gateway/user-service --for=condition=Programmed --timeout=10m";
    assertThat(calls.indexOf(programmed)).as("waits for the Gateway after the chart").isGreaterThan(calls.indexOf(installs.get(2)));
    assertThat(String.join("\n", calls)).as("no ingress-nginx on this path").doesNotContain("ingress-nginx/ingress-nginx",
        "helm repo add ingress-nginx");

    // Elsewhere than kind the proxy keeps its LoadBalancer; tracing sends Envoy's spans to Tempo.
    Files.writeString(log, "");
    installed(log, "INGRESS", "envoy-gateway", "TRACING", "1");
    String chart = helmInstalls(Files.readAllLines(log)).get(3);
    assertThat(chart).contains("gateway.envoyProxy.tracing.enabled=true", "gateway.envoyProxy.tracing.backend.name=tempo",
        "gateway.envoyProxy.tracing.backend.namespace=monitoring").doesNotContain("serviceType");

    assertRefused(run(List.of("/bin/bash", "./install.sh"), fakeEnv(log, "INGRESS", "traefik")),
        "INGRESS must be ingress-nginx or envoy-gateway");
  }

  @Test
  void envoyGatewayWithAccountsGivesThePodsTheProxysAddressForTheIssuer() throws Exception {
    Path log = fakeTools();
    // The proxy Service exists (a second install): one chart install, accounts on, its ClusterIP.
    installed(log, "INGRESS", "envoy-gateway", "AUTH", "keycloak", "FAKE_GATEWAY_IP", "10.96.0.30");
    List<String> charts = helmInstalls(Files.readAllLines(log)).stream().filter(c -> c.contains("helm/user-service")).toList();
    assertThat(charts).singleElement().asString().contains("keycloak.enabled=true", "auth.issuerAddress=10.96.0.30",
        "gateway.enabled=true");

    // A first install: the Service comes with the Gateway, so the chart goes in once without
    // accounts, then, once the Gateway is programmed, with them.
    Files.writeString(log, "");
    installed(log, "INGRESS", "envoy-gateway", "AUTH", "keycloak");
    List<String> calls = Files.readAllLines(log);
    charts = helmInstalls(calls).stream().filter(c -> c.contains("helm/user-service")).toList();
    assertThat(charts).hasSize(2);
    assertThat(charts.get(0)).doesNotContain("keycloak.enabled", "auth.enabled");
    assertThat(charts.get(1)).contains("keycloak.enabled=true", "auth.enabled=true");
    assertThat(calls.indexOf("kubectl -n hw3 wait gateway/user-service --for=condition=Programmed --timeout=10m"))
        .isBetween(calls.indexOf(charts.get(0)), calls.indexOf(charts.get(1)));
  }

  @Test
  void anExporterOfChart6IsReplacedOnceForTheNewSelector() throws Exception {
    Path log = fakeTools();
    installed(log, "FAKE_OLD_EXPORTER", "1");
    List<String> calls = Files.readAllLines(log);
    String delete = "kubectl -n hw3 delete deployment -l app=prometheus-postgres-exporter,release=postgres-exporter --cascade=orphan";
    assertThat(calls).contains(delete);
    assertThat(calls.indexOf(delete)).isLessThan(calls.indexOf(helmInstalls(calls).get(3)));
  }

  @Test
  void testShFindsTheGatewaysAddressWhenTheHostDoesNotResolve() throws Exception {
    Path log = fakeTools();
    Path locust = bin.resolve("locust");
    Files.writeString(locust, "#!/bin/sh\necho \"locust HOST_HEADER=$HOST_HEADER $*\" >> \"$FAKE_LOG\"\n");
    Files.setPosixFilePermissions(locust, PosixFilePermissions.fromString("rwxr-xr-x"));
    // A host that never resolves; no ingress-nginx, a Gateway whose proxy has a load balancer.
    var result = run(List.of("/bin/bash", "-c", ". ./test.sh -t 5s; echo \"status=$?\""),
        fakeEnv(log, "INGRESS_HOST", "user-service.invalid", "FAKE_GATEWAY_LB", "203.0.113.7"));
    assertThat(result.output()).as(result.output()).contains("status=0", "sending to http://203.0.113.7");
    List<String> calls = Files.readAllLines(log);
    assertThat(calls).anyMatch(c -> c.startsWith("kubectl -n ingress-nginx get svc ingress-nginx-controller"));
    assertThat(calls).anyMatch(c -> c.startsWith("locust HOST_HEADER=user-service.invalid ")
        && c.contains("--host http://203.0.113.7 ") && c.contains("--run-time 5s"));

    Files.writeString(log, "");
    assertRefused(run(List.of("/bin/bash", "./test.sh"), fakeEnv(log, "INGRESS_HOST", "user-service.invalid")),
        "no address of ingress-nginx or the Gateway was found");
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
          # The image the running Deployment has, if the test says one runs.
          if [ "%1$s $3 $4 $5" = "kubectl get deployment user-service" ]; then echo "$FAKE_RUNNING_IMAGE"; exit 0; fi
          # The backup volume (bundled, BACKUP=volume), if the test says there is one.
          if [ "%1$s $3 $4" = "kubectl get pvc" ]; then [ -n "$FAKE_BACKUP_VOLUME" ] && echo persistentvolumeclaim/user-service-postgresql-backup; exit 0; fi
          # The object store's credentials Secret (BACKUP=s3): there unless the test says it is not.
          if [ "%1$s $3 $4" = "kubectl get secret" ] && [ -n "$FAKE_NO_BACKUP_SECRET" ]; then exit 1; fi
          # `kubectl get secret grafana-admin`: not there yet, so install.sh creates it.
          if [ "%1$s $1" = "kubectl get" ] || [ "%1$s $2" = "kubectl get" ]; then exit 1; fi
          if [ "%1$s $3 $5" = "kubectl get keycloak-operator" ]; then [ -n "$FAKE_KEYCLOAK_OPERATOR" ]; exit; fi
          # The Gateway's proxy Service: its ClusterIP and its load balancer's address, if the test gives them.
          if [ "%1$s $3 $4 $5" = "kubectl get svc hw3-user-service" ]; then
            case "$7" in
              *clusterIP*) echo "$FAKE_GATEWAY_IP" ;;
              *loadBalancer*) echo "$FAKE_GATEWAY_LB" ;;
            esac
            exit 0
          fi
          # A Deployment of prometheus-postgres-exporter's chart 6 (old labels), if the test says so.
          if [ "%1$s $3 $4 $5 $6" = "kubectl get deployment -l app=prometheus-postgres-exporter,release=postgres-exporter" ]; then
            [ -n "$FAKE_OLD_EXPORTER" ] && echo deployment.apps/postgres-exporter-prometheus-postgres-exporter; exit 0
          fi
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

  /** install.sh with the fake tools and {@code env}, which must succeed. */
  private Result installed(Path log, String... env) throws Exception {
    Result result = run(List.of("/bin/bash", "./install.sh"), fakeEnv(log, env));
    assertThat(result.exitCode()).as(result.output()).isZero();
    return result;
  }

  /** The script stopped with an error that says why. */
  private static void assertRefused(Result result, String why) {
    assertThat(result.exitCode()).as(result.output()).isNotZero();
    assertThat(result.output()).contains(why);
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
