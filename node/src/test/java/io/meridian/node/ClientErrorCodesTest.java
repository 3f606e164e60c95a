package io.meridian.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.client.ConflictException;
import io.meridian.client.InvalidRequestException;
import io.meridian.client.MeridianException;
import io.meridian.client.TenantNotFoundException;
import io.meridian.client.UnavailableException;
import io.meridian.client.internal.Errors;
import io.meridian.client.internal.KnownCode;
import io.meridian.router.internal.ErrorCode;
import org.junit.jupiter.api.Test;

/**
 * The client library names some of the API's error codes and maps all of them to its exceptions without depending on
 * the router; this keeps the two in step: every code the client acts on exists with the status it expects, and every
 * code the router answers with ends as the exception its retriability and status call for.
 */
class ClientErrorCodesTest {

    @Test
    void shouldKnowEveryCodeItActsOnByTheRoutersNameAndStatus() {
        for (KnownCode known : KnownCode.values()) {
            ErrorCode code = ErrorCode.fromWire(known.wireName()).orElseThrow(
                    () -> new AssertionError("the router has no error code " + known.wireName()));
            assertEquals(code.status(), known.status(), known.wireName());
        }
    }

    @Test
    void shouldMapEveryRouterCodeToTheExceptionItsStatusAndRetriabilityCallFor() {
        for (ErrorCode code : ErrorCode.values()) {
            // The router sends Retry-After exactly on retriable answers.
            Class<? extends MeridianException> type = Errors.typeOf(code.status(), code.wireName(), code.retriable());
            Class<? extends MeridianException> expected;
            if (code.retriable() || code == ErrorCode.PLACEMENT_CHANGED) {
                expected = UnavailableException.class;
            } else if (code == ErrorCode.PRECONDITION_FAILED || code == ErrorCode.WRITE_CONFLICT) {
                expected = ConflictException.class;
            } else if (code == ErrorCode.TENANT_NOT_FOUND) {
                expected = TenantNotFoundException.class;
            } else if (code.status() >= 400 && code.status() < 500) {
                expected = InvalidRequestException.class;
            } else {
                expected = MeridianException.class;
            }
            assertEquals(expected, type, code.wireName());
            assertTrue(code.status() != 503 || code.retriable(), code + ": every 503 is retried");
        }
    }
}
