package io.meridian.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.Json;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every endpoint shares, on a router without Kafka ({@link StubRouter}): {@code Allow} on {@code 405},
 * {@code WWW-Authenticate} on {@code 401}, {@code Retry-After} that fits the case on {@code 503}, and the paged list
 * of active migrations.
 */
class HttpConventionsTest {
    private static final String TOKEN = RouterHarness.TOKEN;
    private final StubRouter router = StubRouter.started(Map.of());

    @AfterEach
    void close() {
        router.close();
    }

    private static JsonNode json(HttpResponse<String> response) {
        return Json.readTree(response.body().getBytes());
    }

    private static String code(HttpResponse<String> response) {
        return json(response).path("error").path("code").asText();
    }

    @Test
    void shouldAnswer405WithAllowForAKnownPathAndAWrongMethodAnd404ForAnUnknownPath() {
        HttpResponse<String> collection = router.send("DELETE", "/admin/tenants", TOKEN, null);
        assertEquals(405, collection.statusCode(), collection.body());
        assertEquals("method_not_allowed", code(collection));
        assertEquals("GET, PUT", collection.headers().firstValue("Allow").orElse(null));

        HttpResponse<String> document = router.send("POST", "/v1/tenants/acme/docs/k1", null, "{}");
        assertEquals(405, document.statusCode(), document.body());
        assertEquals("DELETE, GET, PUT", document.headers().firstValue("Allow").orElse(null));

        HttpResponse<String> unknown = router.send("GET", "/v2/nothing/here", null, null);
        assertEquals(404, unknown.statusCode());
        assertEquals("not_found", code(unknown));
        assertFalse(unknown.headers().firstValue("Allow").isPresent());
    }

    @Test
    void shouldChallengeWithWwwAuthenticateOnEvery401() {
        for (String token : new String[] {null, "wrong"}) {
            HttpResponse<String> response = router.send("GET", "/admin/tenants", token, null);
            assertEquals(401, response.statusCode());
            assertEquals("unauthorized", code(response));
            assertEquals("Bearer realm=\"meridian\"", response.headers().firstValue("WWW-Authenticate").orElse(null));
        }
    }

    @Test
    void shouldAskClientsToWaitAboutACoordinationSessionWhenThereIsNoController() {
        router.controlPlane.controller = false;
        router.controlPlane.controllerUrl = null;
        HttpResponse<String> response = router.send("POST", "/admin/tenants/acme/migrate", TOKEN,
                "{\"toRegion\":\"eu-west\"}");
        assertEquals(503, response.statusCode(), response.body());
        assertEquals("no_controller", code(response));
        // zookeeper.session.timeout.ms defaults to 10 s: a new controller is elected within about that.
        assertEquals("10", response.headers().firstValue("Retry-After").orElse(null));
    }

    @Test
    void shouldAnswerNotReadyWithRetryAfter() {
        router.ready = false;
        HttpResponse<String> response = router.send("GET", "/health/ready", null, null);
        assertEquals(503, response.statusCode());
        assertTrue(response.headers().firstValue("Retry-After").isPresent(), response.headers().toString());
    }

    @Test
    void shouldPageThroughTheActiveMigrationsOldestFirst() {
        List<String> started = new ArrayList<>();
        for (String tenant : List.of("t-a", "t-b", "t-c")) {
            started.add(router.migrations.start(tenant, "eu-west", "test").id());
        }
        HttpResponse<String> first = router.send("GET", "/admin/migrations?state=active&limit=2", TOKEN, null);
        assertEquals(200, first.statusCode(), first.body());
        JsonNode page = json(first);
        assertEquals(2, page.path("migrations").size());
        assertTrue(page.has("next"), first.body());
        HttpResponse<String> second = router.send("GET", "/admin/migrations?limit=2&cursor="
                + page.path("next").asText(), TOKEN, null);
        assertEquals(200, second.statusCode(), second.body());
        JsonNode last = json(second);
        assertEquals(1, last.path("migrations").size());
        assertFalse(last.has("next"), second.body());
        List<String> seen = new ArrayList<>();
        page.path("migrations").forEach(m -> seen.add(m.path("id").asText()));
        last.path("migrations").forEach(m -> seen.add(m.path("id").asText()));
        assertEquals(started.stream().sorted().toList(), seen.stream().sorted().toList());

        for (String list : List.of("/admin/failbacks?", "/admin/syncs?")) {
            for (String bad : List.of("limit=1001", "cursor=NOT A TENANT", "state=active")) {
                HttpResponse<String> refused = router.send("GET", list + bad.replace(" ", "%20"), TOKEN, null);
                assertEquals(400, refused.statusCode(), list + bad);
                assertEquals("invalid_page", code(refused), list + bad);
            }
        }
        for (String bad : List.of("state=ended", "limit=0", "cursor=nope", "page=2")) {
            HttpResponse<String> refused = router.send("GET", "/admin/migrations?" + bad, TOKEN, null);
            assertEquals(400, refused.statusCode(), bad);
            assertEquals("invalid_page", code(refused), bad);
        }
    }

    @Test
    void shouldTakeCamelCaseMigrationFieldsAndTheirDeprecatedSnakeCaseNamesButNotBoth() {
        HttpResponse<String> camel = router.send("POST", "/admin/tenants/acme/migrate", TOKEN,
                "{\"toRegion\":\"eu-west\",\"dryRun\":true}");
        assertEquals(200, camel.statusCode(), camel.body());
        HttpResponse<String> snake = router.send("POST", "/admin/tenants/acme/migrate", TOKEN,
                "{\"to_region\":\"eu-west\",\"dry_run\":true}");
        assertEquals(200, snake.statusCode(), snake.body());
        HttpResponse<String> both = router.send("POST", "/admin/tenants/acme/migrate", TOKEN,
                "{\"toRegion\":\"eu-west\",\"to_region\":\"eu-west\"}");
        assertEquals(400, both.statusCode(), both.body());
        assertEquals("invalid_migration", code(both));
    }
}
