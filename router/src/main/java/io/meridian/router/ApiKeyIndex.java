package io.meridian.router;

import io.meridian.infra.model.ApiKeyRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link ApiKeyStore}'s live keys, by name and by digest, and its lookups. Changes ({@link #hold}, {@link #drop})
 * come from one writer at a time (the store's reader); lookups from any thread. A replaced or revoked key leaves the
 * digest index before its name changes, so it never works longer than it is listed.
 */
abstract class ApiKeyIndex implements ApiKeyStore {
    private final Map<String, ApiKeyRecord> byName = new ConcurrentHashMap<>();
    private final Map<String, ApiKeyRecord> byDigest = new ConcurrentHashMap<>();

    @Override
    public Optional<ApiKeyRecord> byDigest(String digest) {
        return Optional.ofNullable(byDigest.get(digest));
    }

    @Override
    public Optional<ApiKeyRecord> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    @Override
    public List<ApiKeyRecord> all() {
        return List.copyOf(new TreeMap<>(byName).values());
    }

    final int size() {
        return byName.size();
    }

    /** Holds {@code key} under its name; returns the key that name held before, or null. */
    final ApiKeyRecord hold(ApiKeyRecord key) {
        ApiKeyRecord previous = drop(key.name());
        byName.put(key.name(), key);
        byDigest.put(key.digest(), key);
        return previous;
    }

    /** Drops the key named {@code name}; returns it, or null when there was none. */
    final ApiKeyRecord drop(String name) {
        ApiKeyRecord previous = byName.get(name);
        if (previous != null) {
            byDigest.remove(previous.digest(), previous);
            byName.remove(name, previous);
        }
        return previous;
    }
}
