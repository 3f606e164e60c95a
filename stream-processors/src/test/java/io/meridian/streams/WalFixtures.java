package io.meridian.streams;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.serde.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builders for WAL records and placements, so that tests read as the log they pipe. */
final class WalFixtures {
    static final String US_EAST = "us-east";
    static final String EU_WEST = "eu-west";
    static final String AP_SOUTH = "ap-south";
    static final List<String> ALL_REGIONS = List.of(US_EAST, EU_WEST, AP_SOUTH);

    static final String ACME = "acme";

    private WalFixtures() {
    }

    /** Single-primary in us-east, replicated to us-east and eu-west (not ap-south), writes active. */
    static Placement placement(String tenant, long epoch, ConflictStrategy strategy) {
        return new Placement(tenant, US_EAST, List.of(US_EAST, EU_WEST), epoch, WriteState.ACTIVE, strategy,
                ReplicationMode.SINGLE_PRIMARY);
    }

    static Placement placement(String tenant, String primary, List<String> replicas, long epoch, WriteState writes,
                               ConflictStrategy strategy, ReplicationMode mode) {
        return new Placement(tenant, primary, replicas, epoch, writes, strategy, mode);
    }

    static WalRecord.Fence fence(Placement placement) {
        return fence(placement, 1);
    }

    static WalRecord.Fence fence(Placement placement, long controllerEpoch) {
        return new WalRecord.Fence(placement.tenant(), placement, controllerEpoch, "test", 0);
    }

    static WalRecord.Put put(String tenant, String key, String json, long epoch, String region, long hlc,
                             String writeId) {
        return new WalRecord.Put(tenant, key, json(json), epoch, region, hlc, writeId);
    }

    static WalRecord.Delete delete(String tenant, String key, long epoch, String region, long hlc, String writeId) {
        return new WalRecord.Delete(tenant, key, epoch, region, hlc, writeId);
    }

    static RawJson json(String json) {
        return RawJson.parse(json);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
