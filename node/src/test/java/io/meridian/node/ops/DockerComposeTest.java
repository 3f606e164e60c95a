package io.meridian.node.ops;

import static io.meridian.node.ops.OpsFiles.elements;
import static io.meridian.node.ops.OpsFiles.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.node.Meridian;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docker-compose.yaml, the Dockerfile and the Prometheus/Grafana provisioning agree with each other and with the
 * code: mounted paths exist, referenced services exist, every {@code MERIDIAN_*} variable is a declared configuration
 * key and the nodes' configurations are valid, regions/ports/racks line up, and the image builds and runs what
 * node/pom.xml produces. Runs without Docker: it reads the files.
 */
class DockerComposeTest {
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{[^}]*}");
    /** bin/meridian's build of the node module: the image must build exactly what `bin/meridian node` runs. */
    private static final String MAVEN_BUILD = "mvn -B -DskipTests -pl node -am package";

    private final JsonNode compose = OpsFiles.yaml(OpsFiles.COMPOSE);
    private final Map<String, JsonNode> services = fields(compose.get("services"));

    @Test
    void shouldMountOnlyHostPathsThatExistInTheRepository() {
        List<String> missing = new ArrayList<>();
        services.forEach((service, def) -> bindMounts(def).forEach((host, container) -> {
            if (!Files.exists(OpsFiles.root().resolve(host).normalize())) {
                missing.add(service + ": " + host + " (mounted at " + container + ")");
            }
        }));
        assertTrue(missing.isEmpty(), "bind-mounted host paths that do not exist: " + missing);
        assertFalse(bindMounts(services.get("prometheus")).isEmpty(), "prometheus mounts its configuration");
        assertFalse(bindMounts(services.get("grafana")).isEmpty(), "grafana mounts its provisioning");
    }

    @Test
    void shouldDeclareEveryNamedVolume() {
        Set<String> declared = fields(compose.get("volumes")).keySet();
        services.forEach((service, def) -> elements(def.get("volumes")).forEach(v -> {
            String source = volumeSource(v);
            if (!isBindSource(source)) {
                assertTrue(declared.contains(source), service + " uses volume '" + source
                        + "' that the top-level volumes section does not declare: " + declared);
            }
        }));
    }

    @Test
    void shouldDependOnlyOnExistingServices() {
        services.forEach((service, def) -> {
            JsonNode dependsOn = def.get("depends_on");
            Set<String> names = dependsOn == null ? Set.of() : dependsOn.isArray()
                    ? elements(dependsOn).stream().map(JsonNode::asText).collect(Collectors.toSet())
                    : fields(dependsOn).keySet();
            for (String name : names) {
                assertTrue(services.containsKey(name), service + " depends_on '" + name + "', which is no service: "
                        + services.keySet());
            }
        });
    }

    @Test
    void shouldSetOnlyDeclaredConfigurationKeys() {
        Set<String> keys = MeridianConfig.DEF.names();
        Map<String, String> variables = new LinkedHashMap<>();
        services.forEach((service, def) -> environment(def).forEach((name, value) -> {
            if (name.startsWith(MeridianConfig.ENV_PREFIX)) {
                variables.put(service + ": " + name, name);
            }
        }));
        dockerfileEnv().forEach((name, value) -> {
            if (name.startsWith(MeridianConfig.ENV_PREFIX)) {
                variables.put("Dockerfile: " + name, name);
            }
        });
        assertFalse(variables.isEmpty(), "the nodes are configured with MERIDIAN_* variables");
        variables.forEach((where, name) -> {
            String key = MeridianConfig.fromEnvironment(Map.of(name, "x")).keySet().iterator().next();
            assertTrue(keys.contains(key), where + " sets '" + key + "', which MeridianConfig.DEF does not declare;"
                    + " declared keys: " + new TreeSet<>(keys));
        });
    }

    @Test
    void shouldGiveEveryNodeAValidConfiguration() {
        Map<String, JsonNode> nodes = nodeServices();
        assertEquals(3, nodes.size(), "one node per region: " + nodes.keySet());
        Set<String> regions = new LinkedHashSet<>();
        Set<String> nodeIds = new LinkedHashSet<>();
        Map<String, URI> regionUrls = null;
        for (Map.Entry<String, JsonNode> e : nodes.entrySet()) {
            String service = e.getKey();
            MeridianConfig config = nodeConfig(e.getValue());
            assertTrue(regions.add(config.region()), service + " serves region " + config.region() + " twice");
            assertTrue(nodeIds.add(config.nodeId()), service + " reuses node id " + config.nodeId());
            if (regionUrls == null) {
                regionUrls = config.regionUrls();
            }
            assertEquals(regionUrls, config.regionUrls(), service + ": every node must name the same regions/URLs");
            assertEquals(config.httpPort(), regionUrls.get(config.region()).getPort(),
                    service + ": the URL of its region in MERIDIAN_REGIONS must use its MERIDIAN_HTTP_PORT");
            assertTrue(publishedPorts(e.getValue()).contains(config.httpPort() + ":" + config.httpPort()),
                    service + " must publish port " + config.httpPort() + " as itself, so the URLs in"
                            + " MERIDIAN_REGIONS (where redirects send clients) reach it: " + publishedPorts(e.getValue()));
            assertEquals(3, config.replicationFactor(), service + ": replication factor");
            assertEquals(2, config.minInsyncReplicas(), service + ": min.insync.replicas");
            assertTrue(config.stateDir().isAbsolute(), service + ": state.dir on a volume, not relative to the jar");
            assertTrue(mountTargets(e.getValue()).stream().anyMatch(t -> config.stateDir().startsWith(t)),
                    service + ": state.dir " + config.stateDir() + " must be on a mounted volume: "
                            + mountTargets(e.getValue()));
        }
        assertEquals(regionUrls.keySet(), regions, "MERIDIAN_REGIONS names exactly the regions that have a node");
    }

    @Test
    void shouldPointNodesAtTheKafkaAndZooKeeperServices() {
        for (Map.Entry<String, JsonNode> e : nodeServices().entrySet()) {
            Map<String, String> env = environment(e.getValue());
            String bootstrap = env.get("MERIDIAN_KAFKA_BOOTSTRAP_SERVERS");
            assertTrue(bootstrap != null && !bootstrap.isBlank(), e.getKey() + ": MERIDIAN_KAFKA_BOOTSTRAP_SERVERS");
            Set<String> brokers = new LinkedHashSet<>();
            for (String server : bootstrap.split(",")) {
                HostPort hp = HostPort.parse(server.trim());
                JsonNode broker = services.get(hp.host);
                assertTrue(broker != null, e.getKey() + " bootstraps from '" + hp.host + "', which is no service");
                String advertised = environment(broker).getOrDefault("KAFKA_ADVERTISED_LISTENERS", "");
                assertTrue(advertised.contains("//" + hp.host + ":" + hp.port), e.getKey() + " bootstraps from "
                        + server + " but " + hp.host + " advertises " + advertised);
                brokers.add(hp.host);
            }
            assertEquals(kafkaServices().keySet(), brokers, e.getKey() + " lists every broker in its bootstrap");

            String zookeeper = env.get("MERIDIAN_ZOOKEEPER_CONNECT");
            assertTrue(zookeeper != null && !zookeeper.isBlank(), e.getKey() + ": MERIDIAN_ZOOKEEPER_CONNECT");
            for (String server : zookeeper.split(",")) {
                HostPort hp = HostPort.parse(server.trim());
                JsonNode zk = services.get(hp.host);
                assertTrue(zk != null, e.getKey() + " connects to ZooKeeper '" + hp.host + "', which is no service");
                assertTrue(zk.path("image").asText().startsWith("zookeeper:"), hp.host + " runs ZooKeeper");
                assertEquals(2181, hp.port, e.getKey() + ": ZooKeeper's client port");
            }
        }
    }

    @Test
    void shouldNameAComposeServiceInEveryUrlANodeAdvertisesOrRoutesTo() {
        Map<String, JsonNode> nodes = nodeServices();
        Map<String, String> serviceOfRegion = new LinkedHashMap<>();
        nodes.forEach((service, def) -> serviceOfRegion.put(environment(def).get("MERIDIAN_REGION"), service));
        for (Map.Entry<String, JsonNode> e : nodes.entrySet()) {
            String service = e.getKey();
            MeridianConfig config = nodeConfig(e.getValue());
            assertTrue(environment(e.getValue()).containsKey("MERIDIAN_ADVERTISED_URL"),
                    service + " sets MERIDIAN_ADVERTISED_URL: where the other nodes forward admin and data requests");
            URI advertised = config.advertisedUrl();
            assertEquals(service, advertised.getHost(), service + " advertises " + advertised
                    + ": the other containers reach it by its service name, not localhost");
            assertEquals(config.httpPort(), advertised.getPort(), service + " advertises the port it listens on");
            assertEquals(service + ":" + config.httpPort(), config.nodeEndpoint(),
                    service + ": Kafka Streams' application.server, which the region's nodes route data requests to");
            config.regionUrls().forEach((region, url) -> {
                String target = serviceOfRegion.get(region);
                assertEquals(target, url.getHost(), service + " routes region " + region + " (redirects, read"
                        + " concerns, drain checks) to " + url + ", which must name the service of that region's"
                        + " node");
                assertEquals(nodeConfig(nodes.get(target)).httpPort(), url.getPort(),
                        service + ": the port of region " + region + "'s URL is its node's MERIDIAN_HTTP_PORT");
            });
        }
    }

    @Test
    void shouldLetComposeCommandsRunWithoutAnyVariableSet() {
        Matcher required = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*:?\\?[^}]*}").matcher(
                OpsFiles.text(OpsFiles.COMPOSE));
        assertFalse(required.find(), "${VAR:?...} makes 'docker compose ps/logs/down' fail when VAR is unset: "
                + (required.hitEnd() ? "" : required.group()) + "; give it a default (an empty admin token refuses"
                + " every admin request, which is safe)");
    }

    @Test
    void shouldLimitEveryContainersMemoryAndFitEveryJvmHeapInIt() {
        Map<String, String> heapVariables = Map.of("apache/kafka:", "KAFKA_HEAP_OPTS", "zookeeper:", "JVMFLAGS",
                "meridian-node:", "JAVA_TOOL_OPTIONS");
        services.forEach((service, def) -> {
            String limit = def.path("deploy").path("resources").path("limits").path("memory").asText("");
            assertFalse(limit.isEmpty(), service + " has no memory limit (deploy.resources.limits.memory): a JVM in it"
                    + " would size itself from the whole host");
            long limitBytes = bytes(limit);
            heapVariables.forEach((image, variable) -> {
                if (def.path("image").asText().startsWith(image)) {
                    String options = environment(def).getOrDefault(variable, "");
                    Matcher xmx = Pattern.compile("-Xmx(\\d+[kKmMgG]?)").matcher(options);
                    assertTrue(xmx.find(), service + " sets its JVM's heap with -Xmx in " + variable + ": " + options);
                    long heap = bytes(xmx.group(1));
                    assertTrue(heap <= limitBytes * 3 / 4, service + ": heap " + xmx.group(1) + " leaves too little"
                            + " of the " + limit + " limit for metaspace, threads and off-heap memory");
                }
            });
        });
    }

    @Test
    void shouldRunAZooKeeperEnsembleOfThreeThatEveryNodeConnectsTo() {
        Map<String, JsonNode> members = new LinkedHashMap<>();
        services.forEach((name, def) -> {
            if (def.path("image").asText().startsWith("zookeeper:")) {
                members.put(name, def);
            }
        });
        assertEquals(3, members.size(), "three ZooKeeper members, so restarting one keeps the quorum: "
                + members.keySet());
        Set<String> ids = new TreeSet<>();
        Set<String> ensembles = new TreeSet<>();
        members.forEach((name, def) -> {
            ids.add(environment(def).get("ZOO_MY_ID"));
            ensembles.add(environment(def).get("ZOO_SERVERS"));
        });
        assertEquals(3, ids.size(), "every member has its own ZOO_MY_ID: " + ids);
        assertEquals(1, ensembles.size(), "every member names the same ensemble: " + ensembles);
        Set<String> named = new TreeSet<>();
        for (String server : ensembles.iterator().next().split("\\s+")) {
            String address = server.substring(server.indexOf('=') + 1);
            named.add(address.substring(0, address.indexOf(':')));
            assertTrue(ids.contains(server.substring("server.".length(), server.indexOf('='))), server);
        }
        assertEquals(new TreeSet<>(members.keySet()), named, "ZOO_SERVERS names exactly the ZooKeeper services");
        nodeServices().forEach((service, def) -> {
            Set<String> connected = new TreeSet<>();
            for (String server : environment(def).get("MERIDIAN_ZOOKEEPER_CONNECT").split(",")) {
                connected.add(HostPort.parse(server.trim()).host);
            }
            assertEquals(new TreeSet<>(members.keySet()), connected, service + " connects to every member");
            Set<String> awaited = fields(def.get("depends_on")).keySet();
            assertTrue(awaited.containsAll(members.keySet()), service + " waits for every member: " + awaited);
        });
    }

    /** {@code 512m}, {@code 1g}, {@code 1536M}, plain bytes. */
    private static long bytes(String size) {
        String s = size.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = s.endsWith("k") ? 1L << 10 : s.endsWith("m") ? 1L << 20 : s.endsWith("g") ? 1L << 30 : 1;
        return Long.parseLong(unit == 1 ? s : s.substring(0, s.length() - 1)) * unit;
    }

    @Test
    void shouldRunOneKafkaBrokerPerRegionRackOnTheProjectsKafkaVersion() {
        Set<String> regions = nodeServices().values().stream().map(n -> environment(n).get("MERIDIAN_REGION"))
                .collect(Collectors.toCollection(TreeSet::new));
        Map<String, JsonNode> brokers = kafkaServices();
        String kafkaVersion = pomProperty(OpsFiles.text("pom.xml"), "kafka.version");
        Set<String> racks = new TreeSet<>();
        Set<String> clusterIds = new TreeSet<>();
        Set<String> voters = new TreeSet<>();
        brokers.forEach((service, def) -> {
            Map<String, String> env = environment(def);
            assertEquals("apache/kafka:" + kafkaVersion, def.path("image").asText(),
                    service + ": the broker image is the Kafka version of the build (kafka.version in pom.xml)");
            racks.add(env.get("KAFKA_BROKER_RACK"));
            assertEquals("2", env.get("KAFKA_MIN_INSYNC_REPLICAS"), service + ": min.insync.replicas");
            assertTrue(env.getOrDefault("KAFKA_PROCESS_ROLES", "").contains("broker"), service + " is a broker");
            clusterIds.add(env.get("CLUSTER_ID"));
            voters.add(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"));
        });
        assertEquals(regions, racks, "one broker rack per region (KAFKA_BROKER_RACK)");
        assertEquals(1, clusterIds.size(), "every broker formats the same CLUSTER_ID: " + clusterIds);
        assertEquals(1, voters.size(), "every broker names the same controller quorum: " + voters);
        for (String voter : voters.iterator().next().split(",")) {
            String host = HostPort.parse(voter.substring(voter.indexOf('@') + 1)).host;
            assertTrue(services.containsKey(host), "controller quorum voter " + voter + " is no service");
        }
    }

    @Test
    void shouldScrapeEveryNodeServiceOnItsPort() {
        JsonNode prometheus = OpsFiles.yaml(OpsFiles.PROMETHEUS_CONFIG);
        Map<String, String> jobByNodeService = new LinkedHashMap<>();
        for (JsonNode job : elements(prometheus.get("scrape_configs"))) {
            String jobName = job.path("job_name").asText();
            for (JsonNode staticConfig : elements(job.get("static_configs"))) {
                for (JsonNode target : elements(staticConfig.get("targets"))) {
                    HostPort hp = HostPort.parse(target.asText());
                    if (hp.host.equals("localhost") && jobName.equals("prometheus")) {
                        continue; // Prometheus scraping itself
                    }
                    JsonNode service = services.get(hp.host);
                    assertTrue(service != null, "prometheus.yml job " + jobName + " scrapes '" + hp.host
                            + "', which is no service: " + services.keySet());
                    Map<String, String> env = environment(service);
                    if (env.containsKey("MERIDIAN_HTTP_PORT")) {
                        assertEquals(env.get("MERIDIAN_HTTP_PORT"), Integer.toString(hp.port),
                                "prometheus.yml scrapes " + hp.host + " on the port its MERIDIAN_HTTP_PORT sets");
                        assertEquals(env.get("MERIDIAN_REGION"), staticConfig.path("labels").path("region").asText(),
                                "the region label of target " + target.asText() + " (the absence alerts use it)");
                        jobByNodeService.put(hp.host, jobName);
                    }
                }
            }
        }
        assertEquals(nodeServices().keySet(), jobByNodeService.keySet(), "Prometheus scrapes every node");
        assertEquals(Set.of("meridian-node"), Set.copyOf(jobByNodeService.values()),
                "nodes are scraped by job meridian-node, the job the alert rules select on");
    }

    @Test
    void shouldMountThePrometheusConfigurationAndRulesWhereTheyAreRead() {
        JsonNode prometheus = services.get("prometheus");
        Map<String, String> mounts = bindMounts(prometheus);
        String configFile = elements(prometheus.get("command")).stream().map(JsonNode::asText)
                .filter(a -> a.startsWith("--config.file=")).map(a -> a.substring("--config.file=".length()))
                .findFirst().orElse("/etc/prometheus/prometheus.yml");
        assertEquals(Optional.of(Path.of(OpsFiles.PROMETHEUS_CONFIG)), hostPathOf(mounts, configFile),
                "the prometheus service reads " + configFile + ", which must be prometheus/prometheus.yml");
        Path configDir = Path.of(configFile).getParent();
        for (JsonNode ruleFile : elements(OpsFiles.yaml(OpsFiles.PROMETHEUS_CONFIG).get("rule_files"))) {
            Path inContainer = configDir.resolve(ruleFile.asText());
            Optional<Path> hostDir = hostPathOf(mounts, inContainer.getParent().toString());
            assertTrue(hostDir.isPresent(), "rule_files " + ruleFile.asText() + " (" + inContainer
                    + " in the container) is on no mount: " + mounts);
            Path dir = OpsFiles.root().resolve(hostDir.get());
            assertTrue(Files.isDirectory(dir), "rule_files " + ruleFile.asText() + " reads " + hostDir.get()
                    + ", which is no directory");
            PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + inContainer.getFileName());
            try (Stream<Path> files = Files.list(dir)) {
                List<Path> matched = files.filter(f -> glob.matches(f.getFileName())).toList();
                assertTrue(matched.contains(OpsFiles.path(OpsFiles.ALERT_RULES)),
                        "rule_files " + ruleFile.asText() + " loads " + OpsFiles.ALERT_RULES + ": " + matched);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void shouldWireGrafanaToThePrometheusServiceAndTheDashboard() {
        JsonNode datasource = elements(OpsFiles.yaml(OpsFiles.GRAFANA_DATASOURCE).get("datasources")).get(0);
        URI url = URI.create(datasource.path("url").asText());
        assertTrue(services.containsKey(url.getHost()), "the Grafana datasource points at '" + url.getHost()
                + "', which is no service: " + services.keySet());
        assertEquals(9090, url.getPort(), "Prometheus listens on 9090");

        Map<String, String> mounts = bindMounts(services.get("grafana"));
        assertEquals(Optional.of(Path.of("grafana/provisioning")), hostPathOf(mounts, "/etc/grafana/provisioning"),
                "grafana/provisioning is mounted where Grafana reads provisioning");
        String dashboardsPath = elements(OpsFiles.yaml(OpsFiles.GRAFANA_DASHBOARDS_PROVIDER).get("providers")).get(0)
                .path("options").path("path").asText();
        Optional<Path> dashboards = hostPathOf(mounts, dashboardsPath);
        assertEquals(Optional.of(Path.of(OpsFiles.DASHBOARD).getParent()), dashboards,
                "the dashboard provider's path " + dashboardsPath + " is the mount of grafana/dashboards");

        // Every query of the dashboard uses the DS_PROMETHEUS variable, whose default is the provisioned uid.
        JsonNode dashboard = OpsFiles.json(OpsFiles.DASHBOARD);
        String uid = datasource.path("uid").asText();
        JsonNode variable = elements(dashboard.path("templating").path("list")).stream()
                .filter(v -> v.path("name").asText().equals("DS_PROMETHEUS")).findFirst().orElseThrow();
        assertEquals("datasource", variable.path("type").asText());
        assertEquals(uid, variable.path("current").path("value").asText(),
                "the DS_PROMETHEUS variable defaults to the provisioned datasource uid");
        List<String> offenders = new ArrayList<>();
        for (JsonNode panel : elements(dashboard.get("panels"))) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            List<JsonNode> refs = new ArrayList<>(List.of(panel.path("datasource")));
            elements(panel.get("targets")).forEach(t -> refs.add(t.path("datasource")));
            for (JsonNode ref : refs) {
                if (!ref.path("uid").asText().equals("${DS_PROMETHEUS}")) {
                    offenders.add(panel.path("title").asText());
                }
            }
        }
        assertTrue(offenders.isEmpty(), "panels not on ${DS_PROMETHEUS}: " + offenders);
    }

    @Test
    void shouldBuildAndRunWhatTheNodeModuleProduces() {
        String dockerfile = OpsFiles.text(OpsFiles.DOCKERFILE);
        String nodePom = OpsFiles.text("node/pom.xml");
        String parentPom = OpsFiles.text("pom.xml");
        String javaRelease = pomProperty(parentPom, "maven.compiler.release");
        assertTrue(dockerfile.contains("FROM maven:3.9-eclipse-temurin-" + javaRelease + " AS build"),
                "the build stage runs Maven on the project's Java release " + javaRelease);
        assertTrue(dockerfile.contains("FROM eclipse-temurin:" + javaRelease + "-jre"),
                "the runtime stage runs Java " + javaRelease);
        assertTrue(dockerfileInstructions(dockerfile).stream().anyMatch(i -> i.startsWith("RUN ")
                && i.contains(MAVEN_BUILD)), "the image builds with bin/meridian's command: " + MAVEN_BUILD);

        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(nodePom);
        assertTrue(finalName.find(), "node/pom.xml sets finalName");
        String jar = finalName.group(1) + ".jar";
        assertEquals("meridian-node.jar", jar);
        assertTrue(nodePom.contains("<outputDirectory>${project.build.directory}/lib</outputDirectory>"),
                "node/pom.xml copies the runtime classpath to target/lib");
        assertTrue(nodePom.contains("<classpathPrefix>lib/</classpathPrefix>"), "the jar's manifest names lib/");
        assertTrue(dockerfile.contains("COPY --from=build /src/node/target/" + jar + " /opt/meridian/" + jar),
                "the runtime stage copies node/target/" + jar);
        assertTrue(dockerfile.contains("COPY --from=build /src/node/target/lib /opt/meridian/lib"),
                "the runtime stage copies node/target/lib next to the jar, where the manifest's lib/ points");
        assertTrue(dockerfile.contains("WORKDIR /opt/meridian"), "the jar runs from /opt/meridian");
        assertTrue(dockerfile.contains("ENTRYPOINT [\"java\", \"-jar\", \"" + jar + "\", \"node\"]"),
                "the entrypoint runs 'meridian node'");
        assertTrue(new CommandLine(new Meridian()).getSubcommands().containsKey("node"),
                "the launcher has the 'node' subcommand the entrypoint runs");

        // The build reads every module's pom and sources: .dockerignore must not drop them.
        List<PathMatcher> ignored = OpsFiles.text(OpsFiles.DOCKERIGNORE).lines().map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("!"))
                .map(l -> FileSystems.getDefault().getPathMatcher("glob:" + l)).toList();
        for (String needed : List.of("pom.xml", "node/pom.xml", "infra/pom.xml", "node/src", "infra/src",
                "node/src/main/resources/logback.xml")) {
            assertTrue(ignored.stream().noneMatch(m -> m.matches(Path.of(needed))),
                    ".dockerignore excludes " + needed + ", which the build needs");
        }
        assertTrue(ignored.stream().anyMatch(m -> m.matches(Path.of("node/target"))),
                ".dockerignore keeps local build output out of the context");

        for (JsonNode node : nodeServices().values()) {
            assertEquals(".", node.path("build").asText(), "node services build the repository's Dockerfile");
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Services that run a Meridian node: those that set MERIDIAN_REGION. */
    private Map<String, JsonNode> nodeServices() {
        Map<String, JsonNode> nodes = new LinkedHashMap<>();
        services.forEach((name, def) -> {
            if (environment(def).containsKey("MERIDIAN_REGION")) {
                nodes.put(name, def);
            }
        });
        return nodes;
    }

    private Map<String, JsonNode> kafkaServices() {
        Map<String, JsonNode> brokers = new LinkedHashMap<>();
        services.forEach((name, def) -> {
            if (def.path("image").asText().startsWith("apache/kafka:")) {
                brokers.put(name, def);
            }
        });
        return brokers;
    }

    /** The node's configuration as MeridianConfig reads it, with ${...} interpolations replaced by a test value. */
    private static MeridianConfig nodeConfig(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        environment(service).forEach((k, v) -> env.put(k, INTERPOLATION.matcher(v).replaceAll("test-value")));
        return new MeridianConfig(MeridianConfig.fromEnvironment(env));
    }

    /** The environment of a service, from the map or the list ("K=V") syntax. */
    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode node = service.get("environment");
        if (node != null && node.isArray()) {
            for (JsonNode entry : node) {
                String s = entry.asText();
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        } else {
            fields(node).forEach((k, v) -> env.put(k, v.isNull() ? "" : v.asText()));
        }
        return env;
    }

    /** The Dockerfile's instructions, continuation lines joined, comments dropped. */
    private static List<String> dockerfileInstructions(String dockerfile) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : dockerfile.lines().toList()) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                continue;
            }
            boolean continued = trimmed.endsWith("\\");
            current.append(continued ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!continued) {
                out.add(current.toString().trim().replaceAll("\\s+", " "));
                current.setLength(0);
            }
        }
        return out;
    }

    /** ENV lines of the Dockerfile, NAME=value form. */
    private static Map<String, String> dockerfileEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^ENV\\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
                .matcher(OpsFiles.text(OpsFiles.DOCKERFILE));
        while (m.find()) {
            env.put(m.group(1), m.group(2));
        }
        return env;
    }

    private static String volumeSource(JsonNode volume) {
        if (volume.isObject()) {
            return volume.path("source").asText();
        }
        String s = volume.asText();
        int colon = s.indexOf(':');
        return colon < 0 ? "" : s.substring(0, colon);
    }

    private static String volumeTarget(JsonNode volume) {
        if (volume.isObject()) {
            return volume.path("target").asText();
        }
        String[] parts = volume.asText().split(":");
        return parts.length == 1 ? parts[0] : parts[1];
    }

    private static boolean isBindSource(String source) {
        return source.startsWith(".") || source.startsWith("/") || source.startsWith("~");
    }

    /** Bind mounts of a service: host path (relative to the repository) to container path. */
    private static Map<String, String> bindMounts(JsonNode service) {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (JsonNode v : elements(service.get("volumes"))) {
            String source = volumeSource(v);
            if (isBindSource(source) || (v.isObject() && v.path("type").asText().equals("bind"))) {
                mounts.put(Path.of(source).normalize().toString(), volumeTarget(v));
            }
        }
        return mounts;
    }

    private static List<Path> mountTargets(JsonNode service) {
        return elements(service.get("volumes")).stream().map(v -> Path.of(volumeTarget(v))).toList();
    }

    /** The host path (relative to the repository) that a container path comes from, through the bind mounts. */
    private static Optional<Path> hostPathOf(Map<String, String> mounts, String containerPath) {
        Path wanted = Path.of(containerPath);
        for (Map.Entry<String, String> m : mounts.entrySet()) {
            Path target = Path.of(m.getValue());
            if (wanted.startsWith(target)) {
                return Optional.of(Path.of(m.getKey()).resolve(target.relativize(wanted)).normalize());
            }
        }
        return Optional.empty();
    }

    /** Published ports in short syntax, as "host:container" (the bind address dropped). */
    private static List<String> publishedPorts(JsonNode service) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : elements(service.get("ports"))) {
            if (p.isObject()) {
                out.add(p.path("published").asText() + ":" + p.path("target").asText());
            } else {
                String[] parts = p.asText().replace("/tcp", "").split(":");
                out.add(parts.length == 1 ? parts[0] + ":" + parts[0]
                        : parts[parts.length - 2] + ":" + parts[parts.length - 1]);
            }
        }
        return out;
    }

    private static String pomProperty(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(pom);
        assertTrue(m.find(), "pom.xml property " + name);
        return m.group(1).trim();
    }

    private record HostPort(String host, int port) {
        static HostPort parse(String s) {
            int colon = s.lastIndexOf(':');
            assertTrue(colon > 0, "'" + s + "' is not host:port");
            return new HostPort(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
        }
    }
}
