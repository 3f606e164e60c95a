package io.meridian.router;

import io.meridian.infra.model.ApiKeyRecord;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The data API keys created through the admin API ({@code POST /admin/api-keys}), as read from
 * {@code meridian.api-keys}, and the way to create and revoke them. Every node holds one ({@link KafkaApiKeyStore}), so
 * a key created on one node works on every node once they read it (within about a second); {@link InMemoryApiKeyStore}
 * for tests and tools. Only digests are held, never keys. Implementations are thread-safe.
 */
public interface ApiKeyStore {

    /** The key whose digest is {@code digest} ({@code sha256:<hex>}), if it is known and not revoked. */
    Optional<ApiKeyRecord> byDigest(String digest);

    /** The key named {@code name}, if it is known and not revoked. */
    Optional<ApiKeyRecord> byName(String name);

    /** Every known key, by name. */
    List<ApiKeyRecord> all();

    /**
     * Publishes {@code key}; completes once this node has read it back (so the answer and every later request to this
     * node agree), or exceptionally when Kafka refused it.
     */
    CompletableFuture<Void> publish(ApiKeyRecord key);

    /** Publishes the revocation of the key named {@code name} (a tombstone); completes once read back. */
    CompletableFuture<Void> revoke(String name);

    /** Completes once this node has read every key any node published before the call. */
    CompletableFuture<Void> caughtUp();
}
