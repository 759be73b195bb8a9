package dev.userservice.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.userservice.support.CrdSchemas;
import dev.userservice.support.RenderedChart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** backup.*: what the chart renders for each database mode, and what it refuses (docs/backup.md). */
class BackupChartTest {
  private static final String APP = RenderedChart.RELEASE;
  private static final String DB = APP + "-postgresql";
  static final String[] VOLUME = {"backup.enabled", "true", "networkPolicy.enabled", "true"};
  static final String[] VOLUME_RESTORE = {"backup.enabled", "true", "backup.recovery.enabled", "true",
      "backup.recovery.targetTime", "2026-12-07 10:00:00+00"};
  static final String[] S3 = {"database.mode", "cloudnative-pg", "backup.enabled", "true",
      "backup.destination", "s3://backups/user-service", "backup.endpointURL", "http://minio.minio.svc:9000",
      "backup.credentialsSecret", "backup-store", "networkPolicy.enabled", "true"};
  static final String[] S3_RESTORE = Stream.concat(Stream.of(S3), Stream.of("backup.recovery.enabled", "true",
      "backup.recovery.clusterName", "user-service-pg-restored", "backup.recovery.targetTime", "2026-12-07T10:00:00Z"))
      .toArray(String[]::new);

  @Test
  void bundledArchivesEveryWalFileToAVolumeOfItsOwnThatOutlivesTheRelease() throws Exception {
    var chart = RenderedChart.render(VOLUME);
    JsonNode claim = chart.get("PersistentVolumeClaim", DB + "-backup");
    assertThat(claim.at("/metadata/annotations/helm.sh~1resource-policy").asText()).isEqualTo("keep");
    assertThat(claim.at("/spec/resources/requests/storage").asText()).isEqualTo("5Gi");

    JsonNode statefulSet = chart.get("StatefulSet", DB);
    assertThat(statefulSet.at("/spec/volumeClaimTemplates")).as("unchanged: helm upgrade cannot change them").hasSize(1);
    JsonNode postgres = statefulSet.at("/spec/template/spec/containers/0");
    assertThat(texts(postgres.path("args"))).containsSequence("-c", "archive_mode=on")
        .containsSequence("-c", "archive_command=/opt/backup/archive-wal.sh %p %f")
        .containsSequence("-c", "archive_timeout=60").containsSequence("-c", "hba_file=/opt/backup/pg_hba.conf")
        .startsWith("postgres");
    assertThat(texts(postgres.path("volumeMounts"), "mountPath")).contains("/backup", "/opt/backup");
    assertThat(statefulSet.at("/spec/template/spec/initContainers").isMissingNode()).as("no restore unless asked").isTrue();

    JsonNode scripts = chart.get("ConfigMap", DB + "-backup");
    for (String script : List.of("archive-wal.sh", "base-backup.sh", "restore.sh")) {
      assertThat(scripts.at("/data/" + script).asText())
          .isEqualTo(Files.readString(Path.of("helm/user-service/files/backup", script)));
    }
    assertThat(scripts.at("/data/pg_hba.conf").asText()).contains("host replication postgres all scram-sha-256");

    JsonNode cronJob = chart.get("CronJob", DB + "-base-backup");
    assertThat(cronJob.at("/spec/schedule").asText()).isEqualTo("0 3 * * *");
    assertThat(cronJob.at("/spec/concurrencyPolicy").asText()).isEqualTo("Forbid");
    JsonNode pod = cronJob.at("/spec/jobTemplate/spec/template/spec");
    JsonNode env = pod.at("/containers/0/env");
    assertThat(find(env, "PGPASSWORD").at("/valueFrom/secretKeyRef/key").asText()).as("from the Secret, never a value")
        .isEqualTo("postgres-password");
    assertThat(find(env, "BACKUP_RETENTION_DAYS").path("value").asText()).isEqualTo("7");
    assertThat(pod.at("/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/0/labelSelector/matchLabels"))
        .as("on the database's node, where the ReadWriteOnce volume is").isEqualTo(
            statefulSet.at("/spec/selector/matchLabels"));

    JsonNode dbPolicy = chart.get("NetworkPolicy", DB);
    assertThat(dbPolicy.at("/spec/ingress/0/from").findValuesAsText("app.kubernetes.io/component")).contains("backup");
    assertThat(cronJob.at("/spec/jobTemplate/spec/template/metadata/labels/app.kubernetes.io~1component").asText())
        .isEqualTo("backup");
  }

  @Test
  void aBundledRestoreRunsOncePerTargetBeforePostgresStartsAndKeepsTheDatabaseItReplaces() {
    JsonNode restore = RenderedChart.render(VOLUME_RESTORE).get("StatefulSet", DB).at("/spec/template/spec/initContainers/0");
    assertThat(texts(restore.path("command"))).containsExactly("/opt/backup/restore.sh", "/var/lib/postgresql/18/docker",
        "2026-12-07 10:00:00+00");
    assertThat(find(restore.path("env"), "RESTORE_MOVE_ASIDE").path("value").asText()).isEqualTo("true");
    assertThat(find(restore.path("env"), "RESTORE_MARKER").path("value").asText()).startsWith("/var/lib/postgresql/restored-");
    String latestMarker = find(RenderedChart.render("backup.enabled", "true", "backup.recovery.enabled", "true")
        .get("StatefulSet", DB).at("/spec/template/spec/initContainers/0/env"), "RESTORE_MARKER").path("value").asText();
    assertThat(latestMarker).as("another target restores again").isNotEqualTo(
        find(restore.path("env"), "RESTORE_MARKER").path("value").asText());
  }

  @Test
  void cloudNativePgArchivesThroughTheBarmanCloudPluginAndBacksUpFromAStandby() {
    var chart = RenderedChart.render(S3);
    JsonNode store = chart.get("ObjectStore", APP + "-backups");
    assertThat(store.at("/spec/configuration/destinationPath").asText()).isEqualTo("s3://backups/user-service");
    assertThat(store.at("/spec/configuration/endpointURL").asText()).isEqualTo("http://minio.minio.svc:9000");
    assertThat(store.at("/spec/configuration/s3Credentials/secretAccessKey/name").asText()).isEqualTo("backup-store");
    assertThat(store.at("/spec/retentionPolicy").asText()).isEqualTo("7d");

    JsonNode cluster = chart.get("Cluster", APP + "-pg");
    JsonNode plugin = cluster.at("/spec/plugins/0");
    assertThat(plugin.path("name").asText()).isEqualTo("barman-cloud.cloudnative-pg.io");
    assertThat(plugin.path("isWALArchiver").asBoolean()).isTrue();
    assertThat(plugin.at("/parameters/barmanObjectName").asText()).isEqualTo(APP + "-backups");
    assertThat(plugin.at("/parameters/serverName").asText()).isEqualTo(APP + "-pg");
    assertThat(cluster.at("/spec/postgresql/parameters/archive_timeout").asText()).isEqualTo("60s");
    assertThat(cluster.at("/spec/bootstrap/initdb/database").asText()).isEqualTo("users");
    assertThat(cluster.at("/spec/backup").isMissingNode()).as("not the deprecated in-tree barmanObjectStore").isTrue();

    JsonNode scheduled = chart.get("ScheduledBackup", APP + "-pg-daily");
    assertThat(scheduled.at("/spec/method").asText()).isEqualTo("plugin");
    assertThat(scheduled.at("/spec/target").asText()).isEqualTo("prefer-standby");
    assertThat(scheduled.at("/spec/schedule").asText()).isEqualTo("0 0 3 * * *");
    assertThat(scheduled.at("/spec/cluster/name").asText()).isEqualTo(APP + "-pg");

    JsonNode egress = chart.get("NetworkPolicy", APP + "-pg-backup-egress");
    assertThat(egress.at("/spec/egress").findValuesAsText("port")).contains("9000");
    assertThat(chart.find("PersistentVolumeClaim", DB + "-backup")).isEmpty();
  }

  @Test
  void aCloudNativePgRestoreIsANewClusterFromTheStoreAndTheServiceMovesToIt() {
    var chart = RenderedChart.render(S3_RESTORE);
    JsonNode cluster = chart.get("Cluster", "user-service-pg-restored");
    assertThat(chart.find("Cluster", APP + "-pg")).as("the Cluster it restores from is not rendered, so not changed").isEmpty();
    assertThat(cluster.at("/spec/bootstrap/recovery/source").asText()).isEqualTo("origin");
    assertThat(cluster.at("/spec/bootstrap/recovery/recoveryTarget/targetTime").asText()).isEqualTo("2026-12-07T10:00:00Z");
    assertThat(cluster.at("/spec/externalClusters/0/plugin/parameters/serverName").asText()).isEqualTo(APP + "-pg");
    assertThat(cluster.at("/spec/plugins/0/parameters/serverName").asText()).as("archives under its own name")
        .isEqualTo("user-service-pg-restored");
    assertThat(chart.get("ConfigMap", APP).at("/data/DB_HOST").asText()).isEqualTo("user-service-pg-restored-rw");
    assertThat(chart.get("Deployment", APP).findValuesAsText("name")).contains("user-service-pg-restored-app");
    assertThat(chart.get("ScheduledBackup", "user-service-pg-restored-daily").at("/spec/cluster/name").asText())
        .isEqualTo("user-service-pg-restored");
  }

  @Test
  void whatCannotWorkIsRefusedWhenRendering() {
    assertThatThrownBy(() -> RenderedChart.render(concat(VOLUME_RESTORE, "backup.recovery.targetTime", "2026-12-07 10:00:00")))
        .hasMessageContaining("a time with its zone");
    assertThatThrownBy(() -> RenderedChart.render(concat(S3, "backup.recovery.enabled", "true")))
        .hasMessageContaining("backup.recovery.clusterName is needed");
    assertThatThrownBy(() -> RenderedChart.render(concat(S3, "backup.recovery.enabled", "true",
        "backup.recovery.clusterName", APP + "-pg"))).hasMessageContaining("must differ from the Cluster it restores from");
    assertThatThrownBy(() -> RenderedChart.render("database.mode", "cloudnative-pg", "backup.enabled", "true",
        "backup.credentialsSecret", "s")).hasMessageContaining("backup.destination");
    assertThatThrownBy(() -> RenderedChart.render("database.mode", "cloudnative-pg", "backup.enabled", "true",
        "backup.destination", "s3://b/p")).hasMessageContaining("backup.credentialsSecret");
    assertThatThrownBy(() -> RenderedChart.render("postgresql.enabled", "false", "database.host", "db.example.com",
        "backup.enabled", "true")).hasMessageContaining("the provider backs the database up");
    assertThatThrownBy(() -> RenderedChart.render(concat(VOLUME, "backup.schedule", "daily")))
        .hasMessageContaining("schedule");
  }

  @Test
  void thePluginsObjectsAreCheckedAgainstTheirOwnSchemas() {
    var chart = RenderedChart.render(S3_RESTORE);
    for (String kind : List.of("ObjectStore", "ScheduledBackup", "Cluster")) {
      JsonNode object = chart.ofKind(kind).getFirst();
      assertThat(CrdSchemas.knows(object)).as(kind).isTrue();
      assertThat(CrdSchemas.problems(object)).as(kind).isEmpty();
    }
    ObjectNode misspelt = chart.ofKind("ObjectStore").getFirst().deepCopy();
    ((ObjectNode) misspelt.at("/spec/configuration")).put("destinationPat", "s3://x");
    assertThat(CrdSchemas.problems(misspelt)).isNotEmpty();
    ObjectNode wrongMethod = chart.ofKind("ScheduledBackup").getFirst().deepCopy();
    ((ObjectNode) wrongMethod.at("/spec")).put("method", "barmanCloud");
    assertThat(CrdSchemas.problems(wrongMethod)).isNotEmpty();
  }

  private static String[] concat(String[] first, String... more) {
    return Stream.concat(Stream.of(first), Stream.of(more)).toArray(String[]::new);
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(n -> texts.add(n.asText()));
    return texts;
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> texts = new ArrayList<>();
    array.forEach(n -> texts.add(n.path(field).asText()));
    return texts;
  }

  private static JsonNode find(JsonNode env, String name) {
    for (JsonNode variable : env) {
      if (variable.path("name").asText().equals(name)) {
        return variable;
      }
    }
    throw new AssertionError("no " + name + " in " + env);
  }
}
