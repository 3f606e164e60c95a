package io.meridian.chaos.workload;

import java.util.List;

/**
 * The tenants of one run: one per region as first primary, each replicated to every region (strategy
 * {@code reject}: a write that raced a fence is dropped everywhere, so "acknowledged" is the only thing that
 * must survive), named after the run so that runs on one deployment never share a tenant.
 */
public record Tenants(List<String> names, List<String> regions) {

    public static Tenants of(String runName, List<String> regions) {
        List<String> names = regions.stream().map(r -> runName + "-" + r.replace("-", "")).toList();
        return new Tenants(names, regions);
    }

    /** The region each tenant starts with as primary. */
    public String firstPrimary(String tenant) {
        return regions.get(names.indexOf(tenant));
    }

    public String placementBody(String tenant) {
        return "{\"primary\":\"" + firstPrimary(tenant) + "\",\"replicas\":[" + String.join(",",
                regions.stream().map(r -> "\"" + r + "\"").toList()) + "],\"strategy\":\"reject\"}";
    }
}
