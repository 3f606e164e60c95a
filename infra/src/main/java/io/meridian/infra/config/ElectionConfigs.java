package io.meridian.infra.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The keys of the controller's election: its backend (ZooKeeper or Kafka), and for ZooKeeper the connection, the
 * authentication and the ACL of the znodes, with the checks that tie those together. Read through
 * {@link MeridianConfig}'s accessors.
 */
public final class ElectionConfigs {
    public static final String ZOOKEEPER_CONNECT = "zookeeper.connect";
    public static final String ELECTION_BACKEND = "election.backend";
    public static final String ELECTION_PRIORITY = "election.priority";
    public static final String ZOOKEEPER_SESSION_TIMEOUT_MS = "zookeeper.session.timeout.ms";
    public static final String ZOOKEEPER_CONNECTION_TIMEOUT_MS = "zookeeper.connection.timeout.ms";
    public static final String ZOOKEEPER_AUTH_SCHEME = "zookeeper.auth.scheme";
    public static final String ZOOKEEPER_AUTH_FILE = "zookeeper.auth.file";
    public static final String ZOOKEEPER_ACL = "zookeeper.acl";

    /** {@value #ELECTION_BACKEND} values. */
    public static final String BACKEND_ZOOKEEPER = "zookeeper";
    public static final String BACKEND_KAFKA = "kafka";

    /** {@value #ZOOKEEPER_AUTH_SCHEME} values. */
    public static final String ZOOKEEPER_AUTH_NONE = "none";
    public static final String ZOOKEEPER_AUTH_DIGEST = "digest";
    public static final String ZOOKEEPER_AUTH_SASL = "sasl";
    /** {@value #ZOOKEEPER_ACL} values. */
    public static final String ZOOKEEPER_ACL_OPEN = "open";
    public static final String ZOOKEEPER_ACL_CREATOR = "creator";
    public static final String ZOOKEEPER_ACL_CREATOR_WORLD_READ = "creator-world-read";

    private ElectionConfigs() {
    }

    static ConfigDef define(ConfigDef def) {
        def.define(ZOOKEEPER_CONNECT, Type.STRING, "", Importance.MEDIUM,
                "ZooKeeper connect string for controller election; empty when the kafka election backend is used.");
        def.define(ELECTION_BACKEND, Type.STRING, BACKEND_ZOOKEEPER,
                ConfigDef.ValidString.in(BACKEND_ZOOKEEPER, BACKEND_KAFKA), Importance.HIGH,
                "How the controller is elected: zookeeper (Curator leader latch; needs zookeeper.connect) or"
                        + " kafka (Kafka's group coordinator; no ZooKeeper needed).");
        def.define(ELECTION_PRIORITY, Type.INT, 0, Importance.LOW,
                "This node's priority as controller candidate (kafka backend: after the applied WAL position).");
        def.define(ZOOKEEPER_SESSION_TIMEOUT_MS, Type.INT, 10_000, Range.between(1_000, 120_000), Importance.MEDIUM,
                "ZooKeeper session timeout: how long a crashed controller keeps its leadership.");
        def.define(ZOOKEEPER_CONNECTION_TIMEOUT_MS, Type.INT, 5_000, Range.between(500, 120_000), Importance.LOW,
                "ZooKeeper connection timeout.");
        def.define(ZOOKEEPER_AUTH_SCHEME, Type.STRING, ZOOKEEPER_AUTH_NONE,
                ConfigDef.ValidString.in(ZOOKEEPER_AUTH_NONE, ZOOKEEPER_AUTH_DIGEST, ZOOKEEPER_AUTH_SASL),
                Importance.MEDIUM,
                "How the zookeeper election backend authenticates to ZooKeeper: none; digest (the user:password"
                        + " of zookeeper.auth.file); sasl (the JVM's JAAS 'Client' section, e.g. DIGEST-MD5 or"
                        + " Kerberos, set with -Djava.security.auth.login.config). Every node must authenticate"
                        + " as the same identity.");
        def.define(ZOOKEEPER_AUTH_FILE, Type.STRING, "", Importance.MEDIUM,
                "With zookeeper.auth.scheme=digest: a file holding one line 'user:password' ('#' starts a"
                        + " comment), read at start; keep it readable by the node's user only. Empty: none.");
        def.define(ZOOKEEPER_ACL, Type.STRING, ZOOKEEPER_ACL_OPEN,
                ConfigDef.ValidString.in(ZOOKEEPER_ACL_OPEN, ZOOKEEPER_ACL_CREATOR,
                        ZOOKEEPER_ACL_CREATOR_WORLD_READ), Importance.MEDIUM,
                "The ACL of the znodes the zookeeper election backend creates: open (anyone may do anything);"
                        + " creator (only the identity of zookeeper.auth.scheme); creator-world-read (that identity,"
                        + " and read access for everyone, so operators can inspect without credentials). A node"
                        + " that is not 'open' restricts the znodes of its tree still open (left by earlier"
                        + " versions) at start.");
        return def;
    }

    /**
     * Throws unless the ACL, the auth scheme and the auth file fit together: a restricted ACL needs an authenticated
     * client, and the file goes with the digest scheme only.
     */
    static void check(AbstractConfig config) {
        String acl = config.getString(ZOOKEEPER_ACL);
        String scheme = config.getString(ZOOKEEPER_AUTH_SCHEME);
        if (!acl.equals(ZOOKEEPER_ACL_OPEN) && scheme.equals(ZOOKEEPER_AUTH_NONE)) {
            throw new ConfigException(ZOOKEEPER_ACL + "=" + acl + " needs " + ZOOKEEPER_AUTH_SCHEME + "="
                    + ZOOKEEPER_AUTH_DIGEST + " or " + ZOOKEEPER_AUTH_SASL + " (it is " + ZOOKEEPER_AUTH_NONE
                    + "): ZooKeeper gives the creator's rights only to an authenticated client");
        }
        boolean hasFile = !config.getString(ZOOKEEPER_AUTH_FILE).isBlank();
        if (scheme.equals(ZOOKEEPER_AUTH_DIGEST) && !hasFile) {
            throw new ConfigException(ZOOKEEPER_AUTH_SCHEME + "=" + ZOOKEEPER_AUTH_DIGEST + " needs "
                    + ZOOKEEPER_AUTH_FILE + ": a file with one line user:password");
        }
        if (!scheme.equals(ZOOKEEPER_AUTH_DIGEST) && hasFile) {
            throw new ConfigException(ZOOKEEPER_AUTH_FILE + " is set but " + ZOOKEEPER_AUTH_SCHEME + "=" + scheme
                    + ": set " + ZOOKEEPER_AUTH_SCHEME + "=" + ZOOKEEPER_AUTH_DIGEST + " to use it"
                    + (scheme.equals(ZOOKEEPER_AUTH_SASL) ? " (with sasl the credentials are in the JAAS 'Client'"
                    + " section)" : ""));
        }
    }
}
