package io.meridian.infra.cluster;

import io.meridian.infra.cluster.ClusterException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.apache.kafka.server.common.TransactionVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Formats a node's KRaft storage, as {@code kafka-storage.sh format} does, once per data directory. */
final class NodeStorage {
    private static final Logger log = LoggerFactory.getLogger(NodeStorage.class);

    private NodeStorage() {
    }

    /**
     * Formats the storage of {@code node} for cluster {@code clusterId} unless it is formatted already
     * (it has a {@code meta.properties}), with the latest production {@code metadata.version} and
     * {@code transaction.version=2}.
     *
     * @throws ClusterException if the formatter fails; the message carries what it printed
     */
    static void formatIfNeeded(NodeProcess node, String clusterId) {
        Path storageDir = node.storageDir();
        if (Files.exists(storageDir.resolve("meta.properties"))) {
            return;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            Files.createDirectories(storageDir);
            new Formatter()
                    .setPrintStream(out)
                    .setNodeId(node.nodeId)
                    .setClusterId(clusterId)
                    .setDirectories(List.of(storageDir.toString()))
                    .setMetadataLogDirectory(storageDir.toString())
                    .setControllerListenerName(KafkaProcessCluster.CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    // What a real 4.1 cluster finalizes: the transaction protocol of KIP-890 (epoch bump per
                    // transaction), so transactional producers behave here as in production.
                    .setFeatureLevel(TransactionVersion.FEATURE_NAME, TransactionVersion.TV_2.featureLevel())
                    .run();
            log.debug("Formatted {}: {}", node.name, output.toString(StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot format storage of " + node.name + " in " + storageDir, e);
        } catch (Exception e) { // Formatter.run() declares Exception
            throw new ClusterException("Cannot format storage of " + node.name + " in " + storageDir + ": "
                    + e.getMessage() + "; formatter said: " + output.toString(StandardCharsets.UTF_8).trim(), e);
        }
    }
}
