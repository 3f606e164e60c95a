package io.meridian.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code meridianctl verify} against a stub node. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VerifyCommandTest {
    static final String CONSISTENT = "{\"tenant\":\"acme\",\"status\":\"consistent\",\"message\":\"every replica"
            + " region holds the same documents at 3:41\",\"regions\":{},\"differences\":[]}";
    static final String DIVERGENT = "{\"tenant\":\"globex\",\"status\":\"divergent\",\"message\":\"2 key(s) differ"
            + " at the same WAL position 5:9\",\"regions\":{},\"differences\":["
            + "{\"key\":\"k2\",\"versions\":{\"eu-west\":{\"digest\":\"sha256:aaaaaaaaaaaaaaaa\",\"position\":\"5:7\"},"
            + "\"us-east\":{\"digest\":\"sha256:bbbbbbbbbbbbbbbb\",\"position\":\"5:8\"}}},"
            + "{\"key\":\"k4\",\"versions\":{\"eu-west\":null,\"us-east\":{\"digest\":\"sha256:cccccccccccccccc\","
            + "\"position\":\"5:9\"}}}]}";

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

    @Test
    void verifyOneTenantExitsZeroWhenConsistent() {
        node.answer("GET", "/admin/tenants/acme/verify", 200, CONSISTENT);

        Cli.Result result = cli.run("verify", "--tenant", "acme");

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().contains("consistent"), result::toString);
        assertEquals("Bearer secret", node.onlyRequest().authorization());
    }

    @Test
    void verifyEveryTenantListsTheKeysThatDifferAndExitsDivergent() {
        node.answer("GET", "/admin/tenants", 200, "{\"tenants\":[{\"tenant\":\"acme\"},{\"tenant\":\"globex\"}]}");
        node.answer("GET", "/admin/tenants/acme/verify", 200, CONSISTENT);
        node.answer("GET", "/admin/tenants/globex/verify", 200, DIVERGENT);

        Cli.Result result = cli.run("verify");

        assertEquals(VerifyCommand.DIVERGENT, result.exitCode(), result::toString);
        assertTrue(result.out().contains("divergent"), result::toString);
        assertTrue(result.out().contains("eu-west=aaaaaaaaaaaa@5:7 us-east=bbbbbbbbbbbb@5:8"), result::toString);
        assertTrue(result.out().contains("eu-west=absent"), result::toString);
    }

    @Test
    void verifyExitsUnavailableWhenATenantCouldNotBeConfirmed() {
        node.answer("GET", "/admin/tenants/acme/verify", 200, CONSISTENT.replace("\"consistent\"",
                "\"unconfirmed\""));
        assertEquals(ExitCode.UNAVAILABLE, cli.run("verify", "--tenant", "acme").exitCode());
    }
}
