package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/**
 * One record of a tenant's snapshot on {@code meridian.sync} (keyed by tenant, on the tenant's WAL partition number):
 * the source region's copy of the tenant as of the fence at {@code fenceOffset} that made {@code targets} start
 * syncing. A snapshot is {@code docs} and {@code ids} chunks, then one {@code end} carrying the totals and the digest of
 * the source's copy at that fence. Immutable.
 *
 * @param kind        {@code docs}, {@code ids} or {@code end}
 * @param fenceOffset the offset, in the tenant's WAL partition, of the fence the snapshot is taken at
 * @param epoch       the epoch of that fence's placement
 * @param source      the region that took the snapshot (the primary at the fence)
 * @param targets     the regions that start syncing at that fence
 * @param seq         0, 1, 2… within the snapshot
 * @param totalDocs   the snapshot's documents (known from the first chunk on)
 * @param totalBytes  the snapshot's bytes (documents as stored)
 * @param digest      on {@code end}: the source's tenant digest at the fence
 */
public record SyncRecord(
        @JsonProperty(value = "kind", required = true) String kind,
        @JsonProperty(value = "tenant", required = true) String tenant,
        @JsonProperty(value = "partition", required = true) int partition,
        @JsonProperty(value = "fenceOffset", required = true) long fenceOffset,
        @JsonProperty(value = "epoch", required = true) long epoch,
        @JsonProperty(value = "source", required = true) String source,
        @JsonProperty(value = "targets", required = true) List<String> targets,
        @JsonProperty(value = "seq", required = true) long seq,
        @JsonProperty("docs") @JsonSetter(nulls = Nulls.AS_EMPTY) @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<Doc> docs,
        @JsonProperty("ids") @JsonSetter(nulls = Nulls.AS_EMPTY) @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<WriteId> ids,
        @JsonProperty("totalDocs") long totalDocs,
        @JsonProperty("totalBytes") long totalBytes,
        @JsonProperty("digest") @JsonSetter(nulls = Nulls.AS_EMPTY) @JsonInclude(JsonInclude.Include.NON_NULL)
        String digest) {

    public static final String DOCS = "docs";
    public static final String IDS = "ids";
    public static final String END = "end";

    /** A document as the source stores it ({@code stored} is the applier's stored-document JSON). */
    public record Doc(@JsonProperty(value = "key", required = true) String key,
                      @JsonProperty(value = "stored", required = true) JsonNode stored) {
    }

    /** A remembered write id (the duplicate check's entry) and the WAL offset it is remembered at. */
    public record WriteId(@JsonProperty(value = "id", required = true) String id,
                          @JsonProperty(value = "value", required = true) String value,
                          @JsonProperty(value = "offset", required = true) long offset) {
    }

    public SyncRecord {
        if (!List.of(DOCS, IDS, END).contains(kind)) {
            throw new IllegalArgumentException("sync record kind must be docs, ids or end, got " + kind);
        }
        Names.requireTenant(tenant);
        Names.requireRegion(source);
        targets = List.copyOf(Objects.requireNonNull(targets, "targets"));
        docs = docs == null ? List.of() : List.copyOf(docs);
        ids = ids == null ? List.of() : List.copyOf(ids);
        if (digest != null && digest.isEmpty()) {
            digest = null;
        }
    }

    @JsonIgnore
    public boolean isEnd() {
        return END.equals(kind);
    }

    /** The position of the fence the snapshot is taken at. */
    @JsonIgnore
    public Position fencePosition() {
        return new Position(partition, fenceOffset);
    }
}
