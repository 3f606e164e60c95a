package io.meridian.infra.model;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Parses an enum from its wire name, failing with the list of valid names rather than returning null. */
final class WireNames {
    private WireNames() {
    }

    static <E extends Enum<E>> E parse(Class<E> type, E[] values, Function<E, String> wireName, String value) {
        for (E candidate : values) {
            if (wireName.apply(candidate).equals(value)) {
                return candidate;
            }
        }
        String valid = Arrays.stream(values).map(wireName).collect(Collectors.joining(", "));
        throw new IllegalArgumentException(
                "'" + value + "' is not a valid " + type.getSimpleName() + "; expected one of: " + valid);
    }
}
