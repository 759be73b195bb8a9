package dev.userservice.http;

import dev.userservice.auth.BearerAuthHandler;
import dev.userservice.auth.IssuerKeys;
import dev.userservice.auth.TokenVerifier;
import dev.userservice.config.Config;
import dev.userservice.db.LoopPools;
import dev.userservice.idempotency.IdempotentCreates;
import dev.userservice.metrics.Metrics;
import dev.userservice.tracing.RequestSpans;
import dev.userservice.user.UserRepository;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The whole HTTP API on one page: every route, its handlers, and what a request passes through. */
public final class ApiRouter {
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private final Router router;
  /** Route template to the methods it serves, for the Allow header of a 405. */
  private final Map<String, List<HttpMethod>> methodsByRoute = new LinkedHashMap<>();

  private ApiRouter(Router router) {
    this.router = router;
  }

  /** {@code issuerKeys}: the provider's keys with AUTH_MODE=oidc, else null (no route needs a token). */
  public static Router create(Vertx vertx, Config config, LoopPools pools, Metrics metrics, Readiness readiness,
      IssuerKeys issuerKeys) {
    var users = new UserHandlers(new UserRepository(pools.queries()),
        new IdempotentCreates(pools.transactions(), config.idempotencyTtl()), config.retryAfterSeconds());
    var health = new HealthHandlers(pools.queries(), readiness, config.readyTimeout());
    var metricsEndpoint = new MetricsHandler(metrics);
    var observability = new ObservabilityHandler(metrics, config.requestLog());
    var failures = new FailureHandler(config.retryAfterSeconds());
    var documentation = new DocumentationHandlers();
    Handler<RoutingContext> timeout = new RequestTimeout(config.requestTimeout().toMillis());
    Handler<RoutingContext> body = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);

    var api = new ApiRouter(Router.router(vertx));
    api.router.route().handler(observability::handle);
    api.router.route().handler(ctx -> {
      // While the service drains, each answer closes its connection, so that a client sends its
      // next request on a new connection, which the load balancer routes to another pod, rather
      // than on this one just as it closes.
      if (readiness.draining()) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        var connection = ctx.request().connection(); // the header alone does not make Vert.x close it
        ctx.addEndHandler(answered -> connection.close());
      }
      ctx.next();
    });

    api.endpoint(HttpMethod.GET, "/health", health::health);
    api.endpoint(HttpMethod.GET, "/ready", timeout, health::ready);
    api.endpoint(HttpMethod.GET, "/metrics", metricsEndpoint::handle);
    // API 1.2: with AUTH_MODE=oidc every /user route needs a bearer token, and /user/me exists.
    // With it off, no handler at all (endpoint skips a null one): nothing is added to a request.
    Handler<RoutingContext> token = issuerKeys == null ? null
        : new BearerAuthHandler(new TokenVerifier(config.auth(), issuerKeys, vertx), metrics)::handle;
    api.endpoint(HttpMethod.POST, "/user", timeout, body, token, users::create);
    if (issuerKeys != null) {
      api.endpoint(HttpMethod.GET, "/user/me", timeout, token, users::getOwn);
      api.endpoint(HttpMethod.PUT, "/user/me", timeout, body, token, users::updateOwn);
      api.endpoint(HttpMethod.DELETE, "/user/me", timeout, token, users::deleteOwn);
    }
    api.endpoint(HttpMethod.GET, "/user/{id}", timeout, token, users::get);
    api.endpoint(HttpMethod.PUT, "/user/{id}", timeout, body, token, users::update);
    api.endpoint(HttpMethod.DELETE, "/user/{id}", timeout, token, users::delete);
    api.endpoint(HttpMethod.GET, "/openapi.yaml", documentation::yaml);
    api.endpoint(HttpMethod.GET, "/openapi.json", documentation::json);
    api.endpoint(HttpMethod.GET, "/docs", documentation::page);
    api.endpoint(HttpMethod.GET, "/docs/{file}", documentation::asset);

    api.answerWrongMethods();
    api.router.route().handler(ctx -> Responses.message(ctx, 404, "not found"));
    api.router.route().failureHandler(failures::handle);
    return api.router;
  }

  @SafeVarargs
  private void endpoint(HttpMethod method, String template, Handler<RoutingContext>... handlers) {
    if (!methodsByRoute.containsKey(template)) {
      // A route of its own that only names the template for metrics and logs: Vert.x wants its
      // own handlers (timeout, body) first on a route, so this cannot share the endpoint's route.
      router.route(vertxPath(template)).handler(ctx -> {
        ctx.put(ObservabilityHandler.ROUTE, template);
        RequestSpans.nameByRoute(ctx.request().method().name(), template);
        ctx.next();
      });
    }
    var route = router.route(method, vertxPath(template));
    var methods = methodsByRoute.computeIfAbsent(template, t -> new ArrayList<>());
    methods.add(method);
    if (method == HttpMethod.GET) {
      route.method(HttpMethod.HEAD); // RFC 9110: HEAD wherever GET; Vert.x sends the head without the body
      methods.add(HttpMethod.HEAD);
    }
    for (Handler<RoutingContext> handler : handlers) {
      if (handler != null) {
        route.handler(handler);
      }
    }
  }

  /** After the real routes: a known path with another method gets 405 and the methods it has. */
  private void answerWrongMethods() {
    methodsByRoute.forEach((template, methods) -> {
      String allow = methods.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
      router.route(vertxPath(template)).handler(ctx -> {
        ctx.response().putHeader("allow", allow);
        Responses.message(ctx, 405, "method not allowed; use " + allow);
      });
    });
  }

  private static String vertxPath(String template) {
    return template.replace("{id}", ":id").replace("{file}", ":file");
  }
}
