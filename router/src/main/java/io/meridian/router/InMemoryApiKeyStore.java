package io.meridian.router;

import io.meridian.infra.model.ApiKeyRecord;
import java.util.concurrent.CompletableFuture;

/**
 * {@link ApiKeyStore} in memory, for tests and tools: changes take effect at once; nothing is kept beyond the JVM,
 * nothing is shared with other nodes. Thread-safe.
 */
public final class InMemoryApiKeyStore extends ApiKeyIndex {

    @Override
    public synchronized CompletableFuture<Void> publish(ApiKeyRecord key) {
        hold(key);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Void> revoke(String name) {
        drop(name);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> caughtUp() {
        return CompletableFuture.completedFuture(null);
    }
}
