package io.meridian.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.api.RegionHealthReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that read a whole paged list ({@code GET /admin/tenants}, {@code GET /admin/migrations}) see the items
 * beyond the first page. The stub node pages like a node does ({@code limit}, {@code cursor} = the last tenant of the
 * previous page, {@code next} absent on the last page), with pages of at most {@value #PAGE}, so a few hundred
 * tenants make several pages.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PagingTest {
    /** The stub's largest page (a node's is 1,000), whatever {@code limit} asks for. */
    static final int PAGE = 100;

    @TempDir
    Path home;

    private StubNode node;
    private Cli cli;

    @BeforeEach
    void start() {
        node = new StubNode();
        cli = new Cli(Map.of("MERIDIAN_URL", node.url(), "MERIDIAN_ADMIN_TOKEN", "secret"), home);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    static String tenant(int i) {
        return String.format("t-%05d", i);
    }

    static String placement(int i, String primary) {
        return "{\"tenant\":\"" + tenant(i) + "\",\"primary\":\"" + primary + "\",\"replicas\":[\"us-east\","
                + "\"eu-west\"],\"epoch\":1,\"writes\":\"active\",\"strategy\":\"reject\","
                + "\"mode\":\"single-primary\"}";
    }

    /** The page of {@code items} (JSON objects, keyed by {@code keys}) that {@code query} asks for. */
    static StubNode.Answer page(String field, List<String> keys, List<String> items, String query) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                params.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        int limit = Math.min(PAGE, params.containsKey("limit") ? Integer.parseInt(params.get("limit")) : PAGE);
        int from = params.containsKey("cursor") ? keys.indexOf(params.get("cursor")) + 1 : 0;
        int to = Math.min(keys.size(), from + limit);
        return new StubNode.Answer(200, "{\"" + field + "\":[" + String.join(",", items.subList(from, to)) + "]"
                + (to < keys.size() ? ",\"next\":\"" + keys.get(to - 1) + "\"" : "") + "}");
    }

    /** {@code count} tenants, all with their primary in us-east, answered page by page. */
    private List<String> tenants(int count) {
        List<String> keys = new ArrayList<>();
        List<String> placements = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(tenant(i));
            placements.add(placement(i, "us-east"));
        }
        node.compute("GET", "/admin/tenants", r -> {
            if (r.path().equals("/admin/tenants")) {
                return page("tenants", keys, placements, r.query());
            }
            String[] parts = r.path().split("/");  // /admin/tenants/{tenant}/{what}
            if (parts.length == 5 && parts[4].equals("verify")) {
                return new StubNode.Answer(200, "{\"tenant\":\"" + parts[3] + "\",\"status\":\"consistent\","
                        + "\"message\":\"same documents\",\"regions\":{},\"differences\":[]}");
            }
            if (parts.length == 5 && parts[4].equals("migrations")) {
                String state = parts[3].equals(tenant(count - 1)) ? "draining" : "completed";
                return new StubNode.Answer(200, "{\"migrations\":[{\"id\":\"m-" + parts[3] + "\",\"tenant\":\""
                        + parts[3] + "\",\"state\":\"" + state + "\",\"active\":" + state.equals("draining") + "}]}");
            }
            return new StubNode.Answer(404, "{\"error\":{\"code\":\"not_found\",\"message\":\"no\"}}");
        });
        return keys;
    }

    private long tenantPagesRead() {
        return node.requests().stream().filter(r -> r.path().equals("/admin/tenants")).count();
    }

    @Test
    void verifyChecksTheTenantsOfEveryPageAndReportsItsProgressOnStderr() {
        List<String> tenants = tenants(250);

        Cli.Result result = cli.run("verify");

        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(3, tenantPagesRead(), "three pages of tenants: " + node.requests().size());
        assertTrue(result.out().matches("(?s).*\\nt-00249\\s+consistent.*"), "the last page's tenant was checked");
        assertEquals(250, node.requests().stream().filter(r -> r.path().endsWith("/verify")).count());
        // At most 25 tenants (a tenth) apart, sooner every 5 s on a slow machine; none after the last.
        assertTrue(result.err().matches("(checked \\d+/250 tenants\n)+"), result::err);
        assertTrue(result.err().lines().count() >= 9, result::err);
        assertFalse(result.out().contains("checked"), "progress goes to stderr, stdout is the result");
        assertEquals(tenants.size() + 1, result.lines().size(), "a header and a row per tenant");
    }

    @Test
    void failoverDryRunShowsTheRegionsPrimariesOfEveryPage() {
        tenants(250);
        Map<String, RegionHealthReport> regions = new LinkedHashMap<>();
        regions.put("us-east", new RegionHealthReport("unhealthy", false, false, false, null, null, null, 42_000L,
                List.of()));
        regions.put("eu-west", new RegionHealthReport("healthy", true, false, false, null, 0L, 0.0, 200L, List.of()));
        node.answer("GET", "/v1/replication/health", 200, CommandsTest.health("unhealthy",
                CommandsTest.FAILOVER_ON, regions));

        Cli.Result result = cli.run("replication", "failover", "us-east", "--dry-run");

        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(3, tenantPagesRead(), node.requests().toString());
        assertTrue(node.requests().stream().filter(r -> r.path().equals("/admin/tenants"))
                .allMatch(r -> r.query().startsWith("primary=us-east")), "the node filters by primary");
        assertTrue(result.out().matches("(?s).*t-00249\\s+us-east,eu-west\\s+eu-west\\s+moves.*"), result::toString);
        assertEquals(250, result.lines().stream().filter(l -> l.matches("t-\\d{5}\\s.*moves")).count());
        assertTrue(node.requests().stream().allMatch(r -> r.method().equals("GET")), "a dry run sends no change");
    }

    @Test
    void migrateListActiveReadsEveryPageOfActiveMigrations() {
        List<String> ids = new ArrayList<>();
        List<String> migrations = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            ids.add("m-" + i);
            migrations.add("{\"id\":\"m-" + i + "\",\"tenant\":\"" + tenant(i) + "\",\"state\":\"draining\","
                    + "\"active\":true}");
        }
        node.compute("GET", "/admin/migrations", r -> page("migrations", ids, migrations, r.query()));

        Cli.Result result = cli.run("-o", "json", "migrate", "list", "--active");

        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(2, node.requests().size(), "two pages " + node.requests());
        assertEquals("state=active&limit=1000&cursor=m-99", node.requests().get(1).query());
        assertTrue(result.out().contains("\"id\":\"m-149\""), "the second page's migration");
    }

    @Test
    void migrateListActiveOfANodeWithoutTheListAsksEveryTenantOfEveryPage() {
        tenants(150);  // the last tenant's migration is the active one

        Cli.Result result = cli.run("migrate", "list", "--active");

        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(2, tenantPagesRead(), "two pages " + node.requests().size());
        assertEquals(2, result.lines().size(), result::toString);
        assertTrue(result.lines().get(1).startsWith("m-t-00149"), result::toString);
    }
}
