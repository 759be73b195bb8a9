package dev.userservice.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.userservice.support.ApiClient;
import dev.userservice.support.OpenApiValidation;
import dev.userservice.support.Response;
import dev.userservice.support.SharedService;
import org.junit.jupiter.api.Test;

/** /openapi.yaml, /openapi.json and /docs as served, with their metrics. */
class DocumentationEndpointsTest {
  private static final ApiClient api = SharedService.api();

  @Test
  void theYamlIsTheDocumentAsWritten() {
    Response yaml = api.get("/openapi.yaml");
    assertThat(yaml.status()).isEqualTo(200);
    assertThat(yaml.header("content-type")).isEqualTo("application/yaml; charset=utf-8");
    assertThat(yaml.body()).isEqualTo(OpenApiValidation.readDocument());
  }

  @Test
  void theJsonIsTheSameDocument() throws Exception {
    Response json = api.get("/openapi.json");
    assertThat(json.status()).isEqualTo(200);
    assertThat(json.header("content-type")).isEqualTo("application/json; charset=utf-8");
    var fromYaml = new ObjectMapper(new YAMLFactory()).readTree(OpenApiValidation.readDocument());
    assertThat(new ObjectMapper().readTree(json.body())).isEqualTo(fromYaml);
    assertThat(fromYaml.get("openapi").asText()).isEqualTo("3.1.0");
  }

  @Test
  void theDocsPageLoadsOnlyFromThisHost() {
    Response page = api.get("/docs");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(page.header("content-security-policy")).contains("default-src 'self'", "connect-src 'self'");
    assertThat(page.body()).contains("/docs/swagger-ui-bundle.js", "/docs/init.js").doesNotContain("http");
    assertThat(api.get("/docs/init.js").body()).contains("url: \"/openapi.json\"", "validatorUrl: null");
    for (String asset : new String[] {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"}) {
      assertThat(api.get("/docs/" + asset).status()).as(asset).isEqualTo(200);
    }
    assertThat(api.get("/docs/swagger-ui-bundle.js").header("content-type")).startsWith("text/javascript");
  }

  @Test
  void onlyTheListedAssetsAreServed() {
    for (String path : new String[] {"/docs/index.html", "/docs/..%2Fopenapi.yaml", "/docs/swagger-initializer.js",
        "/docs/oauth2-redirect.html"}) {
      assertThat(api.get(path).status()).as(path).isEqualTo(404);
    }
  }

  @Test
  void theDocumentRoutesAppearInTheMetricsUnderTheirTemplates() {
    api.get("/openapi.yaml");
    api.get("/openapi.json");
    api.get("/docs");
    api.get("/docs/init.js");
    for (String uri : new String[] {"/openapi.yaml", "/openapi.json", "/docs", "/docs/{file}"}) {
      assertThat(api.metric("http_server_requests_seconds_count", "uri", uri, "status", "200")).as(uri)
          .isPositive();
    }
    Response wrongMethod = api.request("POST", "/openapi.json", new byte[0]);
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.header("allow")).isEqualTo("GET, HEAD");
  }
}
