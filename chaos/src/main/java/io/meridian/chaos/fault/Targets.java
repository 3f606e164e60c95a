package io.meridian.chaos.fault;

import io.meridian.chaos.workload.HttpApi;
import io.meridian.election.ControllerProducer;
import io.meridian.infra.topics.WalPartitioner;
import io.meridian.node.LocalDeployment;
import io.meridian.streams.RegionStreams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;

/**
 * Picks the process a fault hits, from a draw of the schedule and what the deployment looks like at that moment:
 * a broker (any, the transaction coordinator of the controller, or of an applier), a node (the controller's, a
 * tenant's primary region's, a replica region's) or one node of a region that has several (the one owning a tenant's
 * WAL partition there). Used by the scheduler's thread.
 */
final class Targets {
    private final ChaosDeployment deployment;
    private final HttpApi api;

    /** A chosen target: what it is, and why it was chosen. */
    record Target(int brokerIndex, String region, String role) {
    }

    /** One node of a region among several: node {@code index} (from 0), {@code node.id} {@code nodeId}. */
    record Member(String region, int index, String nodeId, String role) {
    }

    Targets(ChaosDeployment deployment, HttpApi api) {
        this.deployment = deployment;
        this.api = api;
    }

    /** draw % 3: 0 a random broker, 1 the controller's transaction coordinator, 2 an applier's. */
    Target broker(int draw) {
        int brokers = deployment.local().kafka().brokerCount();
        int any = (draw / 3) % brokers;
        return switch (draw % 3) {
            case 1 -> coordinatorOf(List.of(ControllerProducer.DEFAULT_TRANSACTIONAL_ID))
                    .map(i -> new Target(i, "", "coordinator of the controller's transactions"))
                    .orElse(new Target(any, "", "random (no controller coordinator found)"));
            case 2 -> coordinatorOf(applierTransactionalIds())
                    .map(i -> new Target(i, "", "coordinator of an applier's transactions"))
                    .orElse(new Target(any, "", "random (no applier coordinator found)"));
            default -> new Target(any, "", "random");
        };
    }

    /** draw % 3: 0 the controller's node, 1 the node of a tenant's primary region, 2 of a replica region. */
    Target node(int draw, List<String> tenants) {
        String tenant = tenants.get((draw / 3) % tenants.size());
        String primary = primaryOf(tenant).orElse(deployment.regions().get(0));
        return switch (draw % 3) {
            case 0 -> deployment.controllerRegion().map(r -> new Target(-1, r, "controller"))
                    .orElse(new Target(-1, primary, "primary of " + tenant + " (no controller known)"));
            case 1 -> new Target(-1, primary, "primary of " + tenant);
            default -> {
                List<String> replicas = new ArrayList<>(deployment.regions());
                replicas.remove(primary);
                yield new Target(-1, replicas.get((draw / 9) % replicas.size()), "replica of " + tenant);
            }
        };
    }

    /**
     * draw % 3: 0 and 1 the node owning a tenant's WAL partition in the tenant's primary region (the one serving its
     * writes), 2 the one owning it in a replica region (applying them, serving reads there). The owner is what the
     * region's nodes answer for the partition on {@code /v1/replication/applied} (forwarded to the owner, which names
     * itself); a node drawn at random when none answers.
     */
    Member member(int draw, List<String> tenants) {
        String tenant = tenants.get((draw / 3) % tenants.size());
        String primary = primaryOf(tenant).orElse(deployment.regions().get(0));
        int partition = WalPartitioner.partitionOf(tenant, ChaosDeployment.WAL_PARTITIONS);
        return pickMember(draw, tenant, primary, deployment.regions(), deployment.nodesPerRegion(),
                region -> ownerOf(region, partition));
    }

    /** The choice of {@link #member}, given where the tenant's primary is and who owns its partition in a region. */
    static Member pickMember(int draw, String tenant, String primary, List<String> regions, int nodesPerRegion,
                             Function<String, Optional<String>> ownerIn) {
        String region = primary;
        String role = "owner of " + tenant + "'s WAL partition in its primary region";
        if (draw % 3 == 2) {
            List<String> replicas = new ArrayList<>(regions);
            replicas.remove(primary);
            region = replicas.get((draw / 9) % replicas.size());
            role = "owner of " + tenant + "'s WAL partition in a replica region";
        }
        Optional<String> owner = ownerIn.apply(region);
        Optional<Integer> index = Optional.empty();
        for (int i = 0; i < nodesPerRegion && owner.isPresent(); i++) {
            if (LocalDeployment.nodeId(region, i).equals(owner.get())) {
                index = Optional.of(i);
            }
        }
        if (index.isEmpty()) {
            int drawn = (draw / 27) % nodesPerRegion;
            return new Member(region, drawn, LocalDeployment.nodeId(region, drawn), role + " unknown, drawn at random");
        }
        return new Member(region, index.get(), owner.get(), role);
    }

    /** The {@code node.id} of the node of {@code region} owning WAL partition {@code partition}, as its nodes say. */
    private Optional<String> ownerOf(String region, int partition) {
        for (String url : deployment.nodeUrls().get(region)) {
            var answer = api.send("GET", url + "/v1/replication/applied?position=" + partition + ":0", null, Map.of());
            String node = answer.json().path("node").asText("");
            if (answer.ok() && !node.isEmpty()) {
                return Optional.of(node);
            }
        }
        return Optional.empty();
    }

    Optional<String> primaryOf(String tenant) {
        for (String region : deployment.regions()) {
            var answer = api.send("GET", deployment.regionUrls().get(region) + "/admin/tenants/" + tenant
                    + "/placement", null, Map.of());
            if (answer.ok()) {
                return Optional.of(answer.json().path("primary").asText());
            }
        }
        return Optional.empty();
    }

    private List<String> applierTransactionalIds() {
        try (Admin admin = admin()) {
            return admin.listTransactions().all().get(10, TimeUnit.SECONDS).stream()
                    .map(TransactionListing::transactionalId)
                    .filter(id -> id.startsWith(RegionStreams.APPLICATION_ID_PREFIX)).sorted().toList();
        } catch (ExecutionException | TimeoutException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private Optional<Integer> coordinatorOf(List<String> transactionalIds) {
        if (transactionalIds.isEmpty()) {
            return Optional.empty();
        }
        try (Admin admin = admin()) {
            TransactionDescription description = admin.describeTransactions(List.of(transactionalIds.get(0)))
                    .all().get(10, TimeUnit.SECONDS).get(transactionalIds.get(0));
            return Optional.of(description.coordinatorId());
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", deployment.bootstrapServers(),
                "request.timeout.ms", 5_000, "default.api.timeout.ms", 10_000));
    }
}
