package io.meridian.chaos.workload;

import io.meridian.chaos.history.History;
import io.meridian.chaos.history.Op;
import io.meridian.chaos.workload.GoodClient.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The load of one run: {@code writers} closed-loop writer threads, writer i on tenant i mod tenants (unique keys
 * and overwrites of a few shared keys per tenant, each write with its own Idempotency-Key, a third of the acknowledged ones read back at once in a random
 * region with the write's position as read-your-writes token), and one operator thread that migrates tenants back
 * and forth and fails regions over by hand. Everything lands in the {@link History}. Start once; stop is idempotent.
 */
public final class Workload implements AutoCloseable {
    static final int SHARED_KEYS = 4;
    private static final Duration THINK = Duration.ofMillis(20);
    /**
     * A read-back in a region whose node is down (or paused) cannot check anything; waiting the whole operation
     * deadline for it would block the writer, and its tenant would look unavailable because of the harness.
     */
    public static final Duration READ_DEADLINE = Duration.ofSeconds(5);

    private final GoodClient client;
    private final GoodClient reader;
    private final History history;
    private final Tenants tenants;
    private final String runName;
    private final int writers;
    private final long seed;
    private final boolean operator;
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param client for writes and the operator
     * @param reader for the read-backs: short HTTP timeout and deadline ({@link #READ_DEADLINE}), so a read in a region
     *               whose node is down or stopped does not hold its writer up
     */
    public Workload(GoodClient client, GoodClient reader, History history, Tenants tenants, String runName,
                    int writers, long seed, boolean operator) {
        this.client = client;
        this.reader = reader;
        this.history = history;
        this.tenants = tenants;
        this.runName = runName;
        this.writers = writers;
        this.seed = seed;
        this.operator = operator;
    }

    public void start() {
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("the workload of " + runName + " runs already");
        }
        for (int i = 0; i < writers; i++) {
            int writer = i;
            threads.add(daemon("chaos-writer-" + i, () -> writeLoop(writer)));
        }
        if (operator) {
            Operator op = new Operator(client, history, tenants, new Random(seed ^ 0x5DEECE66DL));
            threads.add(daemon("chaos-operator", () -> {
                while (running.get()) {
                    op.step(running);
                }
            }));
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void writeLoop(int writer) {
        Random random = new Random(seed * 1_000_003L + writer);
        long seq = 0;
        while (running.get()) {
            seq++;
            // Each writer keeps to one tenant: a closed-loop writer stuck on a paused or failed-over tenant must not
            // starve the others, or their unavailability would be the harness's, not Meridian's.
            String tenant = tenants.names().get(writer % tenants.names().size());
            boolean shared = random.nextInt(10) < 4;
            String key = shared ? "s" + random.nextInt(SHARED_KEYS) : "u" + writer + "-" + seq;
            String writeId = runName + "-w" + writer + "-" + seq;
            String value = "{\"id\":\"" + writeId + "\"}";
            long start = history.now();
            Result result = client.write(tenant, key, value, writeId);
            String outcome = result.status() == 201 || result.status() == 200 ? Op.OK
                    : result.gaveUp() || result.status() == 503 || result.status() == HttpApi.IO_ERROR ? Op.INFO
                    : Op.FAIL;
            String position = result.position();
            history.record(new Op(history.nextId(), "write", tenant, key, writeId, writeId, start, history.now(),
                    outcome, result.status(), result.code(), Op.OK.equals(outcome) ? position : "", "",
                    result.region(), result.attempts(), result.ioError()));
            if (Op.OK.equals(outcome) && random.nextInt(3) == 0) {
                readYourWrite(tenant, key, position, random);
            }
            GoodClient.pause(THINK);
        }
    }

    private void readYourWrite(String tenant, String key, String position, Random random) {
        String region = tenants.regions().get(random.nextInt(tenants.regions().size()));
        long start = history.now();
        Result result = reader.read(tenant, key, region, position);
        String outcome = result.status() == 200 || result.status() == 404 ? Op.OK
                : result.status() >= 400 && result.status() < 500 ? Op.FAIL : Op.INFO;
        history.record(new Op(history.nextId(), "read", tenant, key, "", result.value(), start, history.now(),
                outcome, result.status(), result.code(), result.position(), position, region, result.attempts(),
                result.ioError()));
    }

    /** Stops every thread, letting each finish (or give up on) the operation it is in. */
    @Override
    public void close() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        for (Thread thread : threads) {
            try {
                thread.join(Duration.ofSeconds(60).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
