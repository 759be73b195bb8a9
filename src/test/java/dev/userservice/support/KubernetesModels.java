package dev.userservice.support;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Checks a rendered object against the typed models of its API: the official Kubernetes Java
 * client for core kinds (strict: unknown fields at any depth, missing required fields and wrong
 * types are errors), and fabric8's Prometheus Operator models for the monitoring kinds.
 */
public final class KubernetesModels {
  private static final ObjectMapper FABRIC8 = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  private KubernetesModels() {
  }

  /** @return the problems found; empty when the object is valid */
  public static List<String> problems(JsonNode object) {
    if (CrdSchemas.knows(object)) {
      return CrdSchemas.problems(object); // a custom resource: its operator's own schema
    }
    String kind = object.path("kind").asText();
    String apiVersion = object.path("apiVersion").asText();
    String json = RenderedChart.toJson(object);
    try {
      switch (apiVersion + "/" + kind) {
        case "v1/Namespace" -> V1Namespace.fromJson(json);
        case "v1/ConfigMap" -> V1ConfigMap.fromJson(json);
        case "v1/Secret" -> V1Secret.fromJson(json);
        case "v1/Service" -> V1Service.fromJson(json);
        case "v1/Pod" -> V1Pod.fromJson(json);
        case "apps/v1/Deployment" -> V1Deployment.fromJson(json);
        case "apps/v1/StatefulSet" -> V1StatefulSet.fromJson(json);
        case "batch/v1/Job" -> V1Job.fromJson(json);
        case "batch/v1/CronJob" -> V1CronJob.fromJson(json);
        case "v1/PersistentVolumeClaim" -> V1PersistentVolumeClaim.fromJson(json);
        case "networking.k8s.io/v1/Ingress" -> V1Ingress.fromJson(json);
        case "networking.k8s.io/v1/NetworkPolicy" -> V1NetworkPolicy.fromJson(json);
        case "policy/v1/PodDisruptionBudget" -> V1PodDisruptionBudget.fromJson(json);
        case "autoscaling/v2/HorizontalPodAutoscaler" -> V2HorizontalPodAutoscaler.fromJson(json);
        case "monitoring.coreos.com/v1/ServiceMonitor" -> {
          return unknownFields(FABRIC8.readValue(json, ServiceMonitor.class), kind);
        }
        case "monitoring.coreos.com/v1/PrometheusRule" -> {
          return unknownFields(FABRIC8.readValue(json, PrometheusRule.class), kind);
        }
        case "monitoring.coreos.com/v1/PodMonitor" -> {
          return unknownFields(FABRIC8.readValue(json, PodMonitor.class), kind);
        }
        default -> {
          return List.of("no model for " + apiVersion + " " + kind);
        }
      }
      return List.of();
    } catch (IOException | RuntimeException e) {
      return List.of(kind + ": " + e.getMessage());
    }
  }

  /**
   * fabric8's models keep fields they do not know in an additionalProperties map instead of
   * failing; walk the whole object and report any such field with its path.
   */
  private static List<String> unknownFields(Object model, String path) {
    List<String> found = new ArrayList<>();
    walk(model, path, found);
    return found;
  }

  private static void walk(Object value, String path, List<String> found) {
    if (value == null) {
      return;
    }
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        walk(item, path + "[" + i++ + "]", found);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, path + "." + k, found));
      return;
    }
    if (!value.getClass().getPackageName().startsWith("io.fabric8")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      try {
        Object child = getter.invoke(value);
        if (getter.getName().equals("getAdditionalProperties")) {
          if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
            found.add(path + ": unknown field(s) " + extra.keySet());
          }
        } else {
          walk(child, path + "." + getter.getName().substring(3), found);
        }
      } catch (ReflectiveOperationException e) {
        found.add(path + ": " + e);
      }
    }
  }
}
