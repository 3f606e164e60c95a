package io.meridian.infra.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The character tables accept exactly what the documented patterns accept. */
class NamesTest {
    private static final String ALPHABET = "azAZ09._-~:@!$&'()*+,;=/ %\u00e9\u0000\"\\?#[]{}";

    @Test
    void shouldAcceptExactlyWhatTheDocumentedPatternsAccept() {
        check(Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}"), Names::requireTenant, 70);
        check(Pattern.compile("[a-z0-9][a-z0-9-]{0,62}"), Names::requireRegion, 70);
        check(Pattern.compile("[A-Za-z0-9._~:@!$&'()*+,;=-]{1,512}"), Names::requireKey, 520);
    }

    private static void check(Pattern pattern, Function<String, String> require, int maxLength) {
        Random random = new Random(42);
        for (int n = 0; n < 20_000; n++) {
            int length = random.nextInt(4) == 0 ? maxLength - 10 + random.nextInt(15) : random.nextInt(6);
            StringBuilder name = new StringBuilder();
            for (int i = 0; i < length; i++) {
                // Mostly characters that pass, so that long valid names come up too.
                name.append(random.nextInt(10) < 8 ? "ab09-"
                        .charAt(random.nextInt(5)) : ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            String candidate = name.toString();
            boolean accepted;
            try {
                require.apply(candidate);
                accepted = true;
            } catch (IllegalArgumentException e) {
                accepted = false;
            }
            assertEquals(pattern.matcher(candidate).matches(), accepted, "'" + candidate + "'");
        }
        assertEquals(false, accepts(require, null));
    }

    private static boolean accepts(Function<String, String> require, String name) {
        try {
            require.apply(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
