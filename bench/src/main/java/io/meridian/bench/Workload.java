package io.meridian.bench;

import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.RawJson;
import java.util.List;
import java.util.Map;

/**
 * What every target writes: write {@code seq} goes to tenant {@code seq % tenants} and key
 * {@code seq / tenants % keysPerTenant}, with the same JSON document of about {@code valueBytes}. Round-robin over
 * tenants that were picked to cover every WAL partition evenly, so every partition (and with Kafka's default
 * partitioner, every partition of the 12-partition bench topic too) gets the same share. Immutable.
 *
 * @param epochs each tenant's current placement epoch, for records written straight to the WAL
 */
record Workload(List<String> tenants, Map<String, Long> epochs, int keysPerTenant, byte[] body, RawJson value) {

    static final String REGION = "us-east";

    static Workload of(List<String> tenants, Map<String, Long> epochs, int keysPerTenant, int valueBytes) {
        String empty = "{\"bench\":\"\"}";
        String body = "{\"bench\":\"" + "x".repeat(Math.max(0, valueBytes - empty.length())) + "\"}";
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new Workload(List.copyOf(tenants), Map.copyOf(epochs), keysPerTenant, bytes, RawJson.of(Json.readTree(bytes)));
    }

    String tenant(long seq) {
        return tenants.get((int) (seq % tenants.size()));
    }

    String key(long seq) {
        return "k" + (seq / tenants.size()) % keysPerTenant;
    }

    long epoch(String tenant) {
        Long epoch = epochs.get(tenant);
        if (epoch == null) {
            throw new IllegalStateException("no placement epoch known for tenant " + tenant);
        }
        return epoch;
    }
}
