package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MigrationRequestTest {
    private static final Set<String> REGIONS = new LinkedHashSet<>(List.of("us-east", "eu-west"));

    private static MigrationRequest parse(String body) {
        return MigrationRequest.parse(body.getBytes(StandardCharsets.UTF_8), REGIONS);
    }

    private static ApiException refused(String body) {
        return assertThrows(ApiException.class, () -> parse(body));
    }

    @Test
    void shouldReadTheTargetAndTheDryRunFlag() {
        assertEquals(new MigrationRequest("eu-west", false), parse("{\"to_region\":\"eu-west\"}"));
        assertEquals(new MigrationRequest("eu-west", false), parse("{\"to_region\":\"eu-west\",\"dry_run\":false}"));
        assertEquals(new MigrationRequest("eu-west", true), parse("{\"dry_run\":true,\"to_region\":\"eu-west\"}"));
    }

    @Test
    void shouldRefuseUnknownFieldsWrongTypesAndAMissingTarget() {
        for (String body : List.of("{}", "{\"to_region\":null}", "{\"to_region\":7}", "{\"to_region\":{}}",
                "{\"to_region\":\"eu-west\",\"dry_run\":\"true\"}", "{\"to_region\":\"eu-west\",\"dry_run\":0}",
                "{\"toRegion\":\"eu-west\",\"dryRun\":\"yes\"}",
                "{\"toRegion\":\"eu-west\",\"to_region\":\"eu-west\"}", "{\"region\":\"eu-west\"}", "\"eu-west\"", "null",
                "{\"to_region\":\"\"}", "{\"to_region\":\"EU_WEST!\"}")) {
            ApiException e = refused(body);
            assertEquals(ErrorCode.INVALID_MIGRATION, e.code(), body + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("to_region") || e.getMessage().contains("dry_run"), e.getMessage());
        }
    }

    @Test
    void shouldTakeTheCamelCaseNamesAndTheDeprecatedSnakeCaseOnes() {
        Set<String> regions = Set.of("us-east", "eu-west");
        assertEquals(new MigrationRequest("eu-west", true), MigrationRequest.parse(
                "{\"toRegion\":\"eu-west\",\"dryRun\":true}".getBytes(StandardCharsets.UTF_8), regions));
        assertEquals(new MigrationRequest("eu-west", true), MigrationRequest.parse(
                "{\"to_region\":\"eu-west\",\"dry_run\":true}".getBytes(StandardCharsets.UTF_8), regions));
        assertEquals(new MigrationRequest("eu-west", false), MigrationRequest.parse(
                "{\"toRegion\":\"eu-west\",\"dry_run\":false}".getBytes(StandardCharsets.UTF_8), regions));
    }

    @Test
    void shouldRefuseMalformedJsonAndUnknownRegions() {
        for (String body : List.of("", "{", "{\"to_region\":\"eu-west\"} x",
                "{\"to_region\":\"eu-west\",\"to_region\":\"us-east\"}")) {
            assertEquals(ErrorCode.MALFORMED_JSON, refused(body).code(), body);
        }
        ApiException unknown = refused("{\"to_region\":\"mars\"}");
        assertEquals(ErrorCode.UNKNOWN_REGION, unknown.code());
        assertTrue(unknown.getMessage().contains("us-east, eu-west"), unknown.getMessage());
    }

    @Test
    void shouldAcceptOnlyAnEmptyCancelBody() {
        for (String body : List.of("", "  ", "{}", " { } ")) {
            assertDoesNotThrow(() -> MigrationRequest.requireEmptyCancel(body.getBytes(StandardCharsets.UTF_8)));
        }
        assertEquals(ErrorCode.INVALID_MIGRATION, assertThrows(ApiException.class,
                () -> MigrationRequest.requireEmptyCancel("{\"why\":1}".getBytes(StandardCharsets.UTF_8))).code());
        assertEquals(ErrorCode.INVALID_MIGRATION, assertThrows(ApiException.class,
                () -> MigrationRequest.requireEmptyCancel("[]".getBytes(StandardCharsets.UTF_8))).code());
        assertEquals(ErrorCode.MALFORMED_JSON, assertThrows(ApiException.class,
                () -> MigrationRequest.requireEmptyCancel("{".getBytes(StandardCharsets.UTF_8))).code());
    }
}
