package io.meridian.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteConcern;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.serde.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code PUT /admin/tenants/{tenant}/placement}, validated:
 * {@code {"primary":"us-east","replicas":["us-east","eu-west"],"strategy":"reject","mode":"single-primary"}}.
 * {@code strategy} defaults to {@code reject}, {@code mode} to {@code single-primary}; other fields are refused.
 * Every region must be configured. The optional {@code write_concern} ({@code local|majority|all|regions=N}) is the
 * tenant's default write concern; {@code writeConcern} is null when the request names none (a new tenant gets
 * {@code local}, a changed one keeps its own). {@code preferred_primary} (optional, {@code null} or absent: none)
 * names the region failback returns the tenant to; it must be one of the replicas. Immutable.
 */
public record PlacementRequest(String primary, List<String> replicas, ConflictStrategy strategy,
                               ReplicationMode mode, WriteConcern writeConcern, String preferredPrimary) {
    static final List<String> FIELDS = List.of("primary", "replicas", "strategy", "mode", "write_concern",
            "preferred_primary");

    public PlacementRequest {
        replicas = List.copyOf(replicas);
    }

    /** A request that names no write concern and no preferred primary. */
    public PlacementRequest(String primary, List<String> replicas, ConflictStrategy strategy, ReplicationMode mode) {
        this(primary, replicas, strategy, mode, null, null);
    }

    /**
     * @param knownRegions the configured regions
     * @throws ApiException {@code malformed_json}, {@code invalid_placement} or {@code unknown_region}
     */
    public static PlacementRequest parse(byte[] body, Set<String> knownRegions) {
        JsonNode node;
        try {
            node = Json.readTree(body);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.MALFORMED_JSON, "the body is not valid JSON (" + e.getMessage() + ")");
        }
        return parse(node, knownRegions);
    }

    /** The API's camelCase names of the fields whose first, snake_case names are deprecated (still accepted). */
    static final java.util.Map<String, String> ALIASES = java.util.Map.of("writeConcern", "write_concern",
            "preferredPrimary", "preferred_primary");

    public static PlacementRequest parse(JsonNode body, Set<String> knownRegions) {
        JsonNode node = RequestParsing.withAliases(body, ALIASES, PlacementRequest::invalid);
        if (!node.isObject()) {
            throw invalid("the body must be a JSON object like " + example());
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw invalid("unknown field '" + name + "': the fields are " + FIELDS + ", e.g. " + example());
            }
        }
        String primary = region(requiredText(node, "primary"), "primary", knownRegions);
        JsonNode replicasNode = node.get("replicas");
        if (replicasNode == null || !replicasNode.isArray() || replicasNode.isEmpty()) {
            throw invalid("'replicas' must be a non-empty array of region names, e.g. " + example());
        }
        List<String> replicas = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode replica : replicasNode) {
            if (!replica.isTextual()) {
                throw invalid("'replicas' must hold region names (strings), got " + replica);
            }
            String region = region(replica.asText(), "replicas", knownRegions);
            if (!seen.add(region)) {
                throw invalid("'replicas' names region " + region + " twice");
            }
            replicas.add(region);
        }
        if (!replicas.contains(primary)) {
            throw invalid("the primary " + primary + " must also be one of the replicas " + replicas
                    + ": add it to 'replicas'");
        }
        ConflictStrategy strategy = ConflictStrategy.REJECT;
        ReplicationMode mode = ReplicationMode.SINGLE_PRIMARY;
        try {
            if (node.has("strategy")) {
                strategy = ConflictStrategy.fromWire(requiredText(node, "strategy"));
            }
            if (node.has("mode")) {
                mode = ReplicationMode.fromWire(requiredText(node, "mode"));
            }
        } catch (ApiException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        String preferred = null;
        JsonNode preferredNode = node.get("preferred_primary");
        if (preferredNode != null && !preferredNode.isNull()) {
            if (!preferredNode.isTextual()) {
                throw invalid("'preferred_primary' must be a region name (a string) or null, got " + preferredNode);
            }
            preferred = region(preferredNode.asText(), "preferred_primary", knownRegions);
            if (!replicas.contains(preferred)) {
                throw ApiException.of(ErrorCode.INVALID_PREFERRED_PRIMARY, "the preferred primary " + preferred
                        + " must be one of the replicas " + replicas + ": add it to 'replicas' or prefer one of them");
            }
        }
        WriteConcern writeConcern = node.has("write_concern") ? writeConcern(node, replicas) : null;
        return new PlacementRequest(primary, replicas, strategy, mode, writeConcern, preferred);
    }

    private static WriteConcern writeConcern(JsonNode node, List<String> replicas) {
        JsonNode value = node.get("write_concern");
        WriteConcern concern;
        try {
            if (!value.isTextual()) {
                throw new IllegalArgumentException("'write_concern' must be a string, got " + value);
            }
            concern = WriteConcern.parse(value.asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_WRITE_CONCERN, e.getMessage()
                    + ", e.g. \"write_concern\":\"majority\"; nothing was changed");
        }
        if (!concern.satisfiableWith(replicas.size())) {
            throw unsatisfiable(concern, replicas);
        }
        return concern;
    }

    private static ApiException unsatisfiable(WriteConcern concern, List<String> replicas) {
        return ApiException.of(ErrorCode.WRITE_CONCERN_UNSATISFIABLE, "write concern " + concern + " needs "
                + concern.regionsRequired(replicas.size()) + " regions, but the placement has " + replicas.size()
                + " replicas " + replicas + "; nothing was changed: ask for fewer regions or add replicas", null,
                java.util.Map.of("writeConcern", concern.wireName(), "replicas", replicas), null);
    }

    /** The write concern the placement gets: the requested one, else the current one's (local when new). */
    WriteConcern writeConcernGiven(Placement current) {
        if (writeConcern != null) {
            return writeConcern;
        }
        return current == null ? WriteConcern.LOCAL : current.writeConcern();
    }

    /**
     * The placement this request asks for, given the tenant's current one: the epoch after the current one (1 when
     * new), the writes state kept (active when new).
     */
    public Placement toPlacement(String tenant, Placement current) {
        Placement next = current == null
                ? new Placement(tenant, primary, replicas, 1, WriteState.ACTIVE, strategy, mode)
                : new Placement(tenant, primary, replicas, current.epoch() + 1, current.writes(), strategy, mode);
        WriteConcern concern = writeConcernGiven(current);
        // A kept concern must still fit: fewer replicas than it needs would refuse every write.
        if (!concern.satisfiableWith(replicas.size())) {
            throw unsatisfiable(concern, replicas);
        }
        Placement withConcern = concern.equals(next.writeConcern()) ? next : next.withWriteConcern(concern, next.epoch());
        return preferredPrimary == null ? withConcern
                : withConcern.withPreferredPrimary(preferredPrimary, withConcern.epoch());
    }

    /** Whether the current placement already is what this request asks for (replica order aside). */
    public boolean isSatisfiedBy(Placement current) {
        return current != null && current.primary().equals(primary)
                && Set.copyOf(current.replicas()).equals(Set.copyOf(replicas))
                && current.strategy() == strategy && current.mode() == mode
                && current.writeConcern().equals(writeConcernGiven(current))
                && java.util.Objects.equals(current.preferredPrimary(), preferredPrimary);
    }

    private static String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw invalid("'" + field + "' must be a string, e.g. " + example());
        }
        return value.asText();
    }

    private static String region(String name, String field, Set<String> knownRegions) {
        if (!knownRegions.contains(name)) {
            throw ApiException.of(ErrorCode.UNKNOWN_REGION, "'" + field + "' names unknown region '" + name
                    + "': the regions of this deployment are " + String.join(", ", knownRegions));
        }
        return name;
    }

    private static ApiException invalid(String message) {
        return ApiException.of(ErrorCode.INVALID_PLACEMENT, message);
    }

    private static String example() {
        return "{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"],\"strategy\":\"reject\","
                + "\"mode\":\"single-primary\"}";
    }
}
