package io.meridian.chaos.check;

import io.meridian.chaos.workload.GoodClient;
import io.meridian.infra.model.Position;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * After the faults healed: every key the run wrote, read in every region that holds its tenant, each with a
 * read-your-writes token at or past everything the run may have written (so a region answers only once it applied
 * it). Eight reads in flight at a time. Immutable once read.
 */
public final class FinalReads {
    /** What a region holds for a key: {@code status} 200 with the value's id and position, 404, or an error. */
    public record Doc(int status, String value, String position, String code) {
        public boolean present() {
            return status == 200;
        }

        public boolean readable() {
            return status == 200 || status == 404;
        }
    }

    /** (tenant, key) → region → what it holds. */
    private final Map<String, Map<String, Doc>> docs = new ConcurrentHashMap<>();

    private FinalReads() {
    }

    static String id(String tenant, String key) {
        return tenant + "/" + key;
    }

    /**
     * @param keys   per tenant, every key written (any outcome)
     * @param tokens per tenant, the read-your-writes token to send
     */
    public static FinalReads read(GoodClient client, Map<String, Set<String>> keys, Map<String, Position> tokens,
                                  List<String> regions) {
        FinalReads reads = new FinalReads();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> pending = new ArrayList<>();
            keys.forEach((tenant, tenantKeys) -> {
                String token = tokens.containsKey(tenant) ? tokens.get(tenant).toString() : "";
                for (String key : tenantKeys) {
                    for (String region : regions) {
                        pending.add(pool.submit(() -> reads.readOne(client, tenant, key, region, token)));
                    }
                }
            });
            for (Future<?> future : pending) {
                future.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a final read failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the final reads", e);
        } finally {
            pool.shutdownNow();
        }
        return reads;
    }

    private void readOne(GoodClient client, String tenant, String key, String region, String token) {
        var result = client.read(tenant, key, region, token);
        Doc doc = new Doc(result.status(), result.value(), result.position(), result.code());
        docs.computeIfAbsent(id(tenant, key), k -> new ConcurrentHashMap<>()).put(region, doc);
    }

    public Map<String, Doc> of(String tenant, String key) {
        return docs.getOrDefault(id(tenant, key), Map.of());
    }
}
