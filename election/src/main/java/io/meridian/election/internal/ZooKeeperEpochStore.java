package io.meridian.election.internal;

import io.meridian.election.ElectionCandidate;
import io.meridian.election.ElectionException;
import io.meridian.infra.serde.Json;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The controller epoch, kept in one persistent znode ({@code <root>/controller/epoch}) as JSON
 * {@code {"epoch":N,"leader":{candidate},"claimedAtMs":T}}.
 *
 * <p>{@link #claim} is a compare-and-set: read the node and its version, then in ONE ZooKeeper transaction check that
 * the claimant's latch node still exists and write {@code N+1} with the version read. So a new epoch is strictly
 * greater than every earlier one, two claimants cannot both get the same epoch, and a claimant whose session (and
 * with it its latch node) is gone cannot claim at all. Thread-safe (stateless besides the client).
 */
final class ZooKeeperEpochStore {
    private static final int MAX_ATTEMPTS = 50;

    private final CuratorFramework client;
    private final String epochPath;
    private final Clock clock;

    ZooKeeperEpochStore(CuratorFramework client, String epochPath, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.epochPath = Objects.requireNonNull(epochPath, "epochPath");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    String path() {
        return epochPath;
    }

    /**
     * Claims the next epoch for {@code leader}, provided {@code latchNodePath} (the claimant's latch node) exists.
     *
     * @throws NotLatchHolderException when the latch node is gone (the claimant no longer takes part)
     * @throws IllegalStateException   when the epoch node holds something that is not an epoch record
     * @throws ElectionException       ZooKeeper errors after Curator's retries (connection loss, ...)
     * @throws InterruptedException    when interrupted; the flag is cleared as usual
     */
    long claim(String latchNodePath, ElectionCandidate leader) throws NotLatchHolderException, InterruptedException {
        if (latchNodePath == null) {
            throw new NotLatchHolderException("no latch node yet");
        }
        try {
            String parent = epochPath.substring(0, epochPath.lastIndexOf('/'));
            if (!parent.isEmpty() && client.checkExists().forPath(parent) == null) {
                try {
                    // Persistent, unlike the container parents the latch creates.
                    client.create().creatingParentsIfNeeded().forPath(parent);
                } catch (KeeperException.NodeExistsException e) {
                    // Created concurrently: fine.
                }
            }
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                Stat stat = new Stat();
                byte[] current;
                try {
                    current = client.getData().storingStatIn(stat).forPath(epochPath);
                } catch (KeeperException.NoNodeException e) {
                    current = null;
                }
                long next = (current == null ? 0 : EpochRecord.parse(current, epochPath).epoch()) + 1;
                byte[] record = Json.write(new EpochRecord(next, leader, clock.millis()));
                CuratorOp guard = client.transactionOp().check().forPath(latchNodePath);
                CuratorOp write = current == null
                        ? client.transactionOp().create().forPath(epochPath, record)
                        : client.transactionOp().setData().withVersion(stat.getVersion()).forPath(epochPath, record);
                try {
                    client.transaction().forOperations(guard, write);
                    return next;
                } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException e) {
                    // Someone else moved the epoch between our read and write: read again.
                } catch (KeeperException.NoNodeException e) {
                    if (client.checkExists().forPath(latchNodePath) == null) {
                        throw new NotLatchHolderException("latch node " + latchNodePath + " is gone");
                    }
                    // The epoch node vanished between read and write (deleted by an operator): start over.
                }
            }
        } catch (NotLatchHolderException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // Curator declares Exception; ZooKeeper's are the only checked ones left here.
            throw new ElectionException("cannot claim a controller epoch at " + epochPath + ": " + e, -1, e);
        }
        throw new IllegalStateException("could not claim a controller epoch at " + epochPath + " in " + MAX_ATTEMPTS
                + " attempts: too much contention");
    }

    /**
     * The current record, empty when no epoch was ever claimed.
     *
     * @throws ElectionException on ZooKeeper errors
     */
    Optional<EpochRecord> read() throws InterruptedException {
        try {
            return Optional.of(EpochRecord.parse(client.getData().forPath(epochPath), epochPath));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new ElectionException("cannot read the controller epoch at " + epochPath + ": " + e, -1, e);
        }
    }

    /** The content of the epoch znode. */
    record EpochRecord(long epoch, ElectionCandidate leader, long claimedAtMs) {
        EpochRecord {
            if (epoch < 1) {
                throw new IllegalArgumentException("epoch must be positive, got " + epoch);
            }
            Objects.requireNonNull(leader, "leader");
        }

        static EpochRecord parse(byte[] data, String path) {
            try {
                return Json.read(data, EpochRecord.class);
            } catch (IllegalArgumentException e) {
                // Never fall back to 0: that would hand out epochs that were used before.
                throw new IllegalStateException("znode " + path + " does not hold a controller epoch record ("
                        + e.getMessage() + "); repair it by hand with a larger epoch than any used before", e);
            }
        }
    }

    /** The claimant's latch node is gone: it no longer takes part in the election. */
    static final class NotLatchHolderException extends Exception {
        private static final long serialVersionUID = 1L;

        NotLatchHolderException(String message) {
            super(message);
        }
    }
}
