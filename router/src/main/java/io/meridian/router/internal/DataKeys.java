package io.meridian.router.internal;

import io.meridian.infra.model.ApiKeyRecord;
import io.meridian.router.ApiKeyStore;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Every data API key a node knows: those of {@code data.api.keys.file} ({@link ApiKeys}, source {@code file}) and those
 * created through the admin API ({@link ApiKeyStore}, read from {@code meridian.api-keys}, source {@code admin}). A
 * key of either grants what its source says. Thread-safe.
 */
public final class DataKeys {
    /** Where a key comes from. */
    public enum Source {
        /** A line of {@code data.api.keys.file}. */
        FILE,
        /** {@code POST /admin/api-keys}, kept in {@code meridian.api-keys}. */
        ADMIN;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A known key as listed: never the key, its digest only. */
    record Known(String name, String digest, List<String> tenants, Source source, ApiKeyRecord record) {
    }

    private final ApiKeys file;
    private final ApiKeyStore store;

    /** @param file the file's keys, or null when {@code data.api.keys.file} is not set */
    public DataKeys(ApiKeys file, ApiKeyStore store) {
        this.file = file;
        this.store = Objects.requireNonNull(store, "store");
    }

    ApiKeyStore store() {
        return store;
    }

    /** The grant of {@code key}, from the file or the admin API's keys. */
    Optional<ApiKeys.Grant> grant(String key) {
        byte[] digest = ApiKeys.sha256(key);
        Optional<ApiKeys.Grant> fromFile = file == null ? Optional.empty() : file.grantOf(digest);
        if (fromFile.isPresent()) {
            return fromFile;
        }
        return store.byDigest(ApiKeys.PREFIX + HexFormat.of().formatHex(digest)).map(DataKeys::grant);
    }

    private static ApiKeys.Grant grant(ApiKeyRecord record) {
        return record.allTenants() ? new ApiKeys.Grant(record.name(), Set.of(), true)
                : new ApiKeys.Grant(record.name(), Set.copyOf(record.tenants()), false);
    }

    /** Every known key: the file's (in file order), then the admin API's (by name). */
    List<Known> all() {
        List<Known> all = new ArrayList<>();
        for (ApiKeys.Entry entry : fileEntries()) {
            ApiKeys.Grant grant = entry.grant();
            all.add(new Known(grant.name(), entry.digestText(), grant.all() ? List.of(ApiKeyRecord.ALL_TENANTS)
                    : grant.tenants().stream().sorted().toList(), Source.FILE, null));
        }
        for (ApiKeyRecord record : store.all()) {
            all.add(new Known(record.name(), record.digest(), record.tenants(), Source.ADMIN, record));
        }
        return all;
    }

    /** Whether a line of the file names a key {@code name}. */
    boolean inFile(String name) {
        return fileEntries().stream().anyMatch(e -> e.grant().name().equals(name));
    }

    /** How many keys {@code source} holds now. */
    public int count(Source source) {
        return source == Source.FILE ? fileEntries().size() : store.all().size();
    }

    private List<ApiKeys.Entry> fileEntries() {
        return file == null ? List.of() : file.entries();
    }
}
