package io.meridian.infra.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The keys of who may use a node and how much: the admin tokens, the data API's keys and the per-tenant and
 * per-client rate limits. Read through {@link MeridianConfig}'s accessors.
 */
public final class SecurityConfigs {
    public static final String ADMIN_TOKEN = "admin.token";
    public static final String ADMIN_READ_TOKEN = "admin.read.token";
    public static final String ADMIN_TOKEN_FILE = "admin.token.file";
    public static final String DATA_AUTH_ENABLED = "data.auth.enabled";
    public static final String DATA_API_KEYS_FILE = "data.api.keys.file";
    public static final String RATE_LIMIT_TENANT_PER_SECOND = "rate.limit.tenant.per.second";
    public static final String RATE_LIMIT_TENANT_BURST = "rate.limit.tenant.burst";
    public static final String RATE_LIMIT_CLIENT_PER_SECOND = "rate.limit.client.per.second";
    public static final String RATE_LIMIT_CLIENT_BURST = "rate.limit.client.burst";

    private SecurityConfigs() {
    }

    static ConfigDef define(ConfigDef def) {
        def.define(ADMIN_TOKEN, Type.PASSWORD, "", Importance.HIGH,
                "Bearer token that admin requests (/admin/...) must carry. Empty: the admin API answers 401 to"
                        + " everyone (unless admin.read.token or admin.token.file names tokens).");
        def.define(ADMIN_READ_TOKEN, Type.PASSWORD, "", Importance.MEDIUM,
                "A read-only admin token: GET admin requests only; any other method answers 403 read_only_token."
                        + " Empty: none.");
        def.define(ADMIN_TOKEN_FILE, Type.STRING, "", Importance.MEDIUM,
                "A file of admin tokens, one a line: '<token>' or 'full <token>' (full), 'read <token>'"
                        + " (read-only); '#' starts a comment. Read again when it changes (checked at most once a"
                        + " second), so tokens rotate without a restart: add the new one, move clients, remove the"
                        + " old. Accepted besides admin.token and admin.read.token. Empty: none.");
        def.define(DATA_AUTH_ENABLED, Type.BOOLEAN, false, Importance.HIGH,
                "Whether the document API needs 'Authorization: Bearer <API key>' (a key created with POST"
                        + " /admin/api-keys or of data.api.keys.file that grants the tenant, or a full admin"
                        + " token): 401 without one, 403"
                        + " tenant_not_allowed for a key of other tenants. Off: anyone may read and write any"
                        + " tenant, as before.");
        def.define(DATA_API_KEYS_FILE, Type.STRING, "", Importance.MEDIUM,
                "The data API's keys, stored hashed: one a line, 'sha256:<hex of the key> <tenant>[,<tenant>...]|*"
                        + " [name]' ('meridianctl apikey create --offline' makes a key and its line). Read again"
                        + " when it changes: add a line to create a key, remove it to revoke. Same file on every"
                        + " node. Keys created through the admin API (meridian.api-keys) work as well.");
        def.define(RATE_LIMIT_TENANT_PER_SECOND, Type.DOUBLE, 0.0, Range.atLeast(0.0), Importance.MEDIUM,
                "Document requests a tenant may make a second on one node; over it: 429 rate_limited with"
                        + " Retry-After. 0: no limit.");
        def.define(RATE_LIMIT_TENANT_BURST, Type.INT, 0, Range.atLeast(0), Importance.LOW,
                "Requests a tenant may make at once above its rate (the bucket size); 0: one second's worth.");
        def.define(RATE_LIMIT_CLIENT_PER_SECOND, Type.DOUBLE, 0.0, Range.atLeast(0.0), Importance.MEDIUM,
                "Document requests a client (its API key's name, else its address) may make a second on one"
                        + " node; over it: 429 rate_limited with Retry-After. 0: no limit.");
        def.define(RATE_LIMIT_CLIENT_BURST, Type.INT, 0, Range.atLeast(0), Importance.LOW,
                "Requests a client may make at once above its rate (the bucket size); 0: one second's worth.");
        return def;
    }
}
