package io.meridian.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.model.Position;
import io.meridian.infra.serde.Json;
import io.meridian.streams.TenantDigest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The consistency check of one tenant (like Vitess VDiff): asks every replica region for the tenant's digest at one
 * WAL position and, when they differ, for every document's digest, and lists the keys that differ.
 *
 * <p>Position: the regions are first asked as they are; the largest position answered becomes the target, and every
 * region is asked again to digest once it applied the target ({@code min_position}, a bounded wait). Writes to the
 * tenant's partition may move a region past the target meanwhile; up to {@value #ROUNDS} rounds are tried. The verdict:
 * <ul>
 *   <li>{@link Status#CONSISTENT}: every region's digest is the same (whatever their positions: same content);</li>
 *   <li>{@link Status#DIVERGENT}: at the SAME position the digests differ: the differing keys are listed;</li>
 *   <li>{@link Status#UNCONFIRMED}: the digests differ but the regions answered at different positions (writes kept
 *   coming, or a region could not reach the target in time): the keys are listed, but may be writes a region has
 *   not applied yet;</li>
 *   <li>{@link Status#INCOMPLETE}: a region did not answer (its error is in the report).</li>
 * </ul>
 * Regions still syncing the tenant (full sync) are left out: their copy is incomplete by design. Digests are computed
 * on demand by each region from its store (a scan of the tenant's documents), not kept by the appliers. Thread-safe.
 */
public final class ReplicaVerifier {
    static final int ROUNDS = 3;

    /** The verdict of one check. */
    public enum Status {
        CONSISTENT, DIVERGENT, UNCONFIRMED, INCOMPLETE;

        @com.fasterxml.jackson.annotation.JsonValue
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One region's answer. */
    public record RegionDigest(String region, String digest, long documents, Position position, boolean stable,
                               SortedMap<String, TenantDigest.KeyDigest> keys) {
    }

    /** A key whose documents differ: per region the document's digest and position, {@code null} where absent. */
    public record Difference(String key, Map<String, TenantDigest.KeyDigest> versions) {
    }

    /** What {@code GET /admin/tenants/{tenant}/verify} answers and {@code meridianctl verify} prints. */
    public record Report(String tenant, Status status, String message, Map<String, Object> regions,
                         List<Difference> differences) {
        public boolean divergent() {
            return status == Status.DIVERGENT;
        }
    }

    /** Asks one region for the tenant's digest (at or after {@code minPosition}, when not null). */
    public interface DigestSource {
        CompletableFuture<RegionDigest> digest(String region, String tenant, Position minPosition, boolean keys);
    }

    private final DigestSource source;
    private final Duration timeout;

    /** @param timeout how long one round may take (each region's answer, its wait for the position included) */
    public ReplicaVerifier(DigestSource source, Duration timeout) {
        this.source = source;
        this.timeout = timeout;
    }

    /** Checks {@code tenant} across {@code regions} (its replicas that are not syncing); blocks up to a few rounds. */
    public Report verify(String tenant, Collection<String> regions) {
        if (regions.size() < 2) {
            return new Report(tenant, Status.CONSISTENT, "fewer than two replica regions to compare: " + regions,
                    Map.of(), List.of());
        }
        Map<String, Object> errors = new TreeMap<>();
        Set<String> behind = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Map<String, RegionDigest> answers = ask(tenant, regions, null, false, errors, behind);
        // Rounds until one position; not again once a region could not reach the target: it will not by waiting.
        for (int round = 0; errors.isEmpty() && behind.isEmpty() && round < ROUNDS && !samePosition(answers);
                round++) {
            answers = ask(tenant, regions, target(answers), false, errors, behind);
        }
        if (!errors.isEmpty()) {
            return new Report(tenant, Status.INCOMPLETE, "not every replica region answered", summary(answers, errors),
                    List.of());
        }
        if (sameDigest(answers)) {
            return new Report(tenant, Status.CONSISTENT, "every replica region holds the same documents"
                    + (samePosition(answers) ? " at " + target(answers) : ""), summary(answers, errors), List.of());
        }
        // Those that could not reach the target are asked as they are at once.
        Map<String, RegionDigest> withKeys = new TreeMap<>();
        List<String> reaching = regions.stream().filter(r -> !behind.contains(r)).toList();
        List<String> lagging = regions.stream().filter(behind::contains).toList();
        withKeys.putAll(ask(tenant, reaching, target(answers), true, errors, behind));
        withKeys.putAll(ask(tenant, lagging, null, true, errors, behind));
        if (!errors.isEmpty()) {
            return new Report(tenant, Status.INCOMPLETE, "not every replica region answered the per-key digests",
                    summary(withKeys, errors), List.of());
        }
        List<Difference> differences = differences(withKeys);
        if (sameDigest(withKeys) || differences.isEmpty()) {
            return new Report(tenant, Status.CONSISTENT, "every replica region holds the same documents",
                    summary(withKeys, errors), List.of());
        }
        boolean same = samePosition(withKeys);
        return new Report(tenant, same ? Status.DIVERGENT : Status.UNCONFIRMED, same
                ? differences.size() + " key(s) differ at the same WAL position " + target(withKeys)
                : differences.size() + " key(s) differ, but the regions answered at different positions: they may be"
                        + " writes a region has not applied yet; run the check again", summary(withKeys, errors),
                differences);
    }

    private Map<String, RegionDigest> ask(String tenant, Collection<String> regions, Position min, boolean keys,
                                          Map<String, Object> errors, Set<String> behind) {
        Map<String, CompletableFuture<RegionDigest>> calls = new LinkedHashMap<>();
        regions.forEach(region -> {
            CompletableFuture<RegionDigest> call = source.digest(region, tenant, min, keys);
            if (min != null) {
                // A region that cannot reach the target in time (lagging, paused) still tells what it holds: the
                // verdict is then at most UNCONFIRMED, with the keys that differ.
                call = call.exceptionallyCompose(e -> {
                    behind.add(region);
                    return source.digest(region, tenant, null, keys);
                });
            }
            calls.put(region, call);
        });
        Map<String, RegionDigest> answers = new TreeMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        calls.forEach((region, call) -> {
            try {
                answers.put(region, call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                errors.put(region, "interrupted");
            } catch (ExecutionException e) {
                errors.put(region, String.valueOf(e.getCause().getMessage()));
            } catch (TimeoutException e) {
                call.cancel(true);
                errors.put(region, "no answer within " + timeout.toMillis() + " ms");
            }
        });
        return answers;
    }

    static boolean samePosition(Map<String, RegionDigest> answers) {
        return answers.values().stream().allMatch(RegionDigest::stable)
                && answers.values().stream().map(RegionDigest::position).distinct().count() == 1;
    }

    private static boolean sameDigest(Map<String, RegionDigest> answers) {
        return answers.values().stream().map(RegionDigest::digest).distinct().count() == 1;
    }

    /** The largest position answered (null when no region has applied anything of the partition). */
    static Position target(Map<String, RegionDigest> answers) {
        return answers.values().stream().map(RegionDigest::position).filter(p -> p != null)
                .max(Comparator.naturalOrder()).orElse(null);
    }

    static List<Difference> differences(Map<String, RegionDigest> answers) {
        Set<String> keys = new TreeSet<>();
        answers.values().forEach(a -> keys.addAll(a.keys() == null ? Set.of() : a.keys().keySet()));
        List<Difference> out = new ArrayList<>();
        for (String key : keys) {
            Map<String, TenantDigest.KeyDigest> versions = new TreeMap<>();
            Set<String> distinct = new HashSet<>();
            answers.forEach((region, a) -> {
                TenantDigest.KeyDigest version = a.keys() == null ? null : a.keys().get(key);
                versions.put(region, version);
                distinct.add(version == null ? "" : version.digest());
            });
            if (distinct.size() > 1) {
                out.add(new Difference(key, versions));
            }
        }
        return out;
    }

    private static Map<String, Object> summary(Map<String, RegionDigest> answers, Map<String, Object> errors) {
        Map<String, Object> regions = new TreeMap<>();
        answers.forEach((region, a) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("digest", a.digest());
            entry.put("documents", a.documents());
            entry.put("position", a.position() == null ? null : a.position().toString());
            entry.put("positionStable", a.stable());
            regions.put(region, entry);
        });
        errors.forEach((region, error) -> regions.put(region, Map.of("error", error)));
        return regions;
    }

    /**
     * Asks the regions over HTTP: {@code GET <region url>/admin/tenants/{tenant}/digest?min_position=&keys=} with the
     * admin token; a non-200 answer fails with its code and message.
     */
    public static DigestSource overHttp(Map<String, URI> regionUrls, HttpClient http, String adminToken,
                                        Duration positionWait, Duration requestTimeout) {
        return overHttp(regionUrls, http, () -> adminToken, positionWait, requestTimeout);
    }

    /** As above, with the admin token in force at each request (tokens rotate: {@link AdminAuth#nodeToken()}). */
    public static DigestSource overHttp(Map<String, URI> regionUrls, HttpClient http,
                                        java.util.function.Supplier<String> adminTokens, Duration positionWait,
                                        Duration requestTimeout) {
        return (region, tenant, min, keys) -> {
            String adminToken = adminTokens.get();
            URI base = regionUrls.get(region);
            if (base == null) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("no URL configured for region "
                        + region));
            }
            String query = "keys=" + keys + (min == null ? ""
                    : "&min_position=" + min + "&wait_ms=" + positionWait.toMillis());
            URI uri = base.resolve("/admin/tenants/" + URLEncoder.encode(tenant, StandardCharsets.UTF_8)
                    + "/digest?" + query);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(requestTimeout).GET();
            if (adminToken != null && !adminToken.isEmpty()) {
                request.header("Authorization", "Bearer " + adminToken);
            }
            return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
                JsonNode body = Json.readTree(response.body());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(response.statusCode() + " " + body.path("code").asText()
                            + ": " + body.path("message").asText());
                }
                return parse(region, body);
            });
        };
    }

    static RegionDigest parse(String region, JsonNode body) {
        SortedMap<String, TenantDigest.KeyDigest> keys = null;
        if (body.hasNonNull("keys")) {
            keys = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) body.get("keys")::fields) {
                keys.put(e.getKey(), new TenantDigest.KeyDigest(e.getValue().path("digest").asText(),
                        e.getValue().path("position").asText()));
            }
        }
        String position = body.path("position").isTextual() ? body.get("position").asText() : null;
        return new RegionDigest(region, body.path("digest").asText(), body.path("documents").asLong(),
                position == null ? null : Position.parse(position), body.path("position_stable").asBoolean(true),
                keys);
    }
}
