package io.meridian.election;

import io.meridian.infra.config.ElectionConfigs;
import io.meridian.infra.config.MeridianConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the {@code zookeeper} backend authenticates to ZooKeeper and which ACL the znodes it creates get
 * ({@value ElectionConfigs#ZOOKEEPER_AUTH_SCHEME}, {@value ElectionConfigs#ZOOKEEPER_AUTH_FILE},
 * {@value ElectionConfigs#ZOOKEEPER_ACL}). The default, {@link #open()}, is no authentication and the open ACL.
 *
 * <p>With {@link Acl#CREATOR} or {@link Acl#CREATOR_WORLD_READ} only the identity the node authenticated as may
 * change Meridian's znodes, so every node of a deployment must authenticate as the same identity (same digest user
 * and password, same SASL principal): nodes create each other's parents and take turns writing the epoch.
 *
 * <p>Immutable. {@link #toString()} never shows the password.
 */
public final class ZooKeeperSecurity {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperSecurity.class);
    /** ZooKeeper's client property naming the JAAS section of its SASL login (ZKClientConfig.LOGIN_CONTEXT_NAME_KEY). */
    public static final String SASL_SECTION_PROPERTY = "zookeeper.sasl.clientconfig";
    /** The section ZooKeeper's client reads when {@value #SASL_SECTION_PROPERTY} is not set. */
    public static final String DEFAULT_SASL_SECTION = "Client";
    /** ZooKeeper's client property that turns SASL off (ZKClientConfig.ENABLE_CLIENT_SASL_KEY). */
    public static final String SASL_ENABLED_PROPERTY = "zookeeper.sasl.client";

    /** How the node authenticates. */
    public enum Scheme {
        NONE(ElectionConfigs.ZOOKEEPER_AUTH_NONE),
        DIGEST(ElectionConfigs.ZOOKEEPER_AUTH_DIGEST),
        SASL(ElectionConfigs.ZOOKEEPER_AUTH_SASL);

        private final String configName;

        Scheme(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        static Scheme of(String name) {
            return byConfigName(values(), Scheme::configName, ElectionConfigs.ZOOKEEPER_AUTH_SCHEME, name);
        }
    }

    /** The ACL of the znodes the node creates. */
    public enum Acl {
        /** world:anyone may do anything (ZooKeeper's OPEN_ACL_UNSAFE): the behaviour before these settings. */
        OPEN(ElectionConfigs.ZOOKEEPER_ACL_OPEN),
        /** All rights for the authenticated creator, nothing for anyone else (CREATOR_ALL_ACL). */
        CREATOR(ElectionConfigs.ZOOKEEPER_ACL_CREATOR),
        /** {@link #CREATOR}, plus read for world:anyone (what Kafka's zookeeper.set.acl did). */
        CREATOR_WORLD_READ(ElectionConfigs.ZOOKEEPER_ACL_CREATOR_WORLD_READ);

        private final String configName;

        Acl(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        static Acl of(String name) {
            return byConfigName(values(), Acl::configName, ElectionConfigs.ZOOKEEPER_ACL, name);
        }
    }

    private static final ZooKeeperSecurity OPEN = new ZooKeeperSecurity(Scheme.NONE, null, null, Acl.OPEN);

    private final Scheme scheme;
    private final String digestUser;
    private final String digestPassword;
    private final Acl acl;

    private ZooKeeperSecurity(Scheme scheme, String digestUser, String digestPassword, Acl acl) {
        this.scheme = scheme;
        this.digestUser = digestUser;
        this.digestPassword = digestPassword;
        this.acl = acl;
    }

    /** No authentication, open ACL: the default. */
    public static ZooKeeperSecurity open() {
        return OPEN;
    }

    /** Digest authentication ({@code addauth digest user:password}) and {@code acl} on created znodes. */
    public static ZooKeeperSecurity digest(String user, String password, Acl acl) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.isEmpty() || user.indexOf(':') >= 0 || password.isEmpty()) {
            throw new IllegalArgumentException("a digest user must be non-empty without ':', and the password"
                    + " non-empty");
        }
        return new ZooKeeperSecurity(Scheme.DIGEST, user, password, Objects.requireNonNull(acl, "acl"));
    }

    /** SASL through the JVM's JAAS configuration (ZooKeeper's client does the login) and {@code acl}. */
    public static ZooKeeperSecurity sasl(Acl acl) {
        return new ZooKeeperSecurity(Scheme.SASL, null, null, Objects.requireNonNull(acl, "acl"));
    }

    /**
     * The settings of {@code config}. Reads {@value ElectionConfigs#ZOOKEEPER_AUTH_FILE} (digest) or checks that the
     * JVM has a JAAS section for ZooKeeper's client (sasl).
     *
     * @throws ConfigException naming the key whose value cannot work: a file that is missing, unreadable or not one
     *                         {@code user:password} line; sasl without a JAAS {@code Client} section or with
     *                         {@code -Dzookeeper.sasl.client=false}. Never with the password in the message.
     */
    public static ZooKeeperSecurity from(MeridianConfig config) {
        Scheme scheme = Scheme.of(config.zookeeperAuthScheme());
        Acl acl = Acl.of(config.zookeeperAcl());
        // MeridianConfig checked that the scheme, the ACL and the file fit together (ElectionConfigs.check): no
        // scheme means the open ACL, and digest comes with a file.
        return switch (scheme) {
            case NONE -> OPEN;
            case DIGEST -> readDigestFile(config.zookeeperAuthFile().orElseThrow(), acl);
            case SASL -> {
                requireSaslLogin();
                yield sasl(acl);
            }
        };
    }

    public Scheme scheme() {
        return scheme;
    }

    public Acl acl() {
        return acl;
    }

    /** The digest user, empty unless the scheme is digest. */
    public Optional<String> digestUser() {
        return Optional.ofNullable(digestUser);
    }

    /**
     * The bytes ZooKeeper's {@code addAuthInfo("digest", ...)} takes: {@code user:password} in UTF-8, empty unless
     * the scheme is digest. A fresh copy each call.
     */
    public Optional<byte[]> digestAuth() {
        return scheme == Scheme.DIGEST
                ? Optional.of((digestUser + ":" + digestPassword).getBytes(StandardCharsets.UTF_8))
                : Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ZooKeeperSecurity other && scheme == other.scheme && acl == other.acl
                && Objects.equals(digestUser, other.digestUser) && Objects.equals(digestPassword, other.digestPassword);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scheme, acl, digestUser);
    }

    /** Without the password. */
    @Override
    public String toString() {
        return "ZooKeeperSecurity{scheme=" + scheme.configName() + (digestUser == null ? "" : ", user=" + digestUser)
                + ", acl=" + acl.configName() + "}";
    }

    private static ZooKeeperSecurity readDigestFile(Path file, Acl acl) {
        String key = ElectionConfigs.ZOOKEEPER_AUTH_FILE;
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            // The message names the file and the cause (NoSuchFileException, AccessDeniedException), not content.
            throw new ConfigException(key + "=" + file + ": cannot read the ZooKeeper credentials ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        List<String> credentials = lines.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        if (credentials.size() != 1) {
            throw new ConfigException(key + "=" + file + ": expected exactly one line 'user:password', found "
                    + credentials.size() + " (not counting blank lines and '#' comments)");
        }
        String line = credentials.get(0);
        int colon = line.indexOf(':');
        if (colon <= 0 || colon == line.length() - 1) {
            throw new ConfigException(key + "=" + file + ": the line is not 'user:password' (user and password both"
                    + " non-empty, the user without ':')");
        }
        warnIfOthersCanRead(file);
        return digest(line.substring(0, colon), line.substring(colon + 1), acl);
    }

    private static void warnIfOthersCanRead(Path file) {
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (view != null && view.readAttributes().permissions().contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warn("{}={} is readable by every user of this machine; chmod o-r it",
                        ElectionConfigs.ZOOKEEPER_AUTH_FILE, file);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot read the permissions of {}", file, e);
        }
    }

    private static void requireSaslLogin() {
        String key = ElectionConfigs.ZOOKEEPER_AUTH_SCHEME;
        if ("false".equals(System.getProperty(SASL_ENABLED_PROPERTY, "true").toLowerCase(Locale.ROOT))) {
            throw new ConfigException(key + "=sasl but the JVM runs with -D" + SASL_ENABLED_PROPERTY
                    + "=false, which turns ZooKeeper's SASL client off");
        }
        String section = System.getProperty(SASL_SECTION_PROPERTY, DEFAULT_SASL_SECTION);
        AppConfigurationEntry[] entries;
        try {
            entries = Configuration.getConfiguration().getAppConfigurationEntry(section);
        } catch (SecurityException e) {
            // No JAAS file configured at all, or one that does not parse.
            throw new ConfigException(key + "=sasl needs a JAAS configuration with a '" + section + "' section"
                    + " (-Djava.security.auth.login.config=FILE): " + e.getMessage());
        }
        if (entries == null || entries.length == 0) {
            throw new ConfigException(key + "=sasl needs a '" + section + "' section in the JVM's JAAS"
                    + " configuration (-Djava.security.auth.login.config="
                    + System.getProperty("java.security.auth.login.config", "FILE") + "); ZooKeeper's client would"
                    + " silently connect without SASL");
        }
    }

    private static <E> E byConfigName(E[] values, Function<E, String> configName, String key, String name) {
        return Arrays.stream(values).filter(v -> configName.apply(v).equals(name)).findFirst().orElseThrow(() ->
                new ConfigException(key, name, "expected one of " + Arrays.stream(values).map(configName).toList()));
    }
}
