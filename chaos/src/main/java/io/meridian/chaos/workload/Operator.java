package io.meridian.chaos.workload;

import io.meridian.chaos.history.History;
import io.meridian.chaos.history.Op;
import io.meridian.chaos.workload.HttpApi.Answer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The operator of the workload: every 6-12 s either migrates a tenant to another replica region (two times in three)
 * or fails a primary region over by hand to another region ({@code force}, so the inhibit window never refuses it).
 * Admin requests go to any node (they are forwarded to the controller); an answer that did not come is retried on
 * another node, a {@code 503} after its {@code Retry-After}. Used by one thread.
 */
final class Operator {
    private static final int ATTEMPTS = 5;

    private final GoodClient client;
    private final History history;
    private final Tenants tenants;
    private final Random random;

    Operator(GoodClient client, History history, Tenants tenants, Random random) {
        this.client = client;
        this.history = history;
        this.tenants = tenants;
        this.random = random;
    }

    void step(AtomicBoolean running) {
        long wakeAt = System.nanoTime() + Duration.ofMillis(6_000 + random.nextInt(6_000)).toNanos();
        while (System.nanoTime() < wakeAt) {
            if (!running.get()) {
                return;
            }
            GoodClient.pause(Duration.ofMillis(200));
        }
        String tenant = tenants.names().get(random.nextInt(tenants.names().size()));
        Answer placement = admin("GET", "/admin/tenants/" + tenant + "/placement", null);
        String primary = placement.json().path("primary").asText("");
        if (primary.isEmpty()) {
            return;
        }
        List<String> others = tenants.regions().stream().filter(r -> !r.equals(primary)).toList();
        String target = others.get(random.nextInt(others.size()));
        if (random.nextInt(3) < 2) {
            long start = history.now();
            Answer answer = admin("POST", "/admin/tenants/" + tenant + "/migrate",
                    "{\"to_region\":\"" + target + "\"}");
            String id = answer.json().path("id").asText("");
            record("migrate", tenant, start, answer, id.isEmpty() ? answer.ioError() : id);
        } else {
            long start = history.now();
            Answer answer = admin("POST", "/admin/replication/failover",
                    "{\"region\":\"" + primary + "\",\"target\":\"" + target + "\",\"force\":true}");
            record("failover", tenant, start, answer, primary + "->" + target);
        }
    }

    private void record(String kind, String tenant, long start, Answer answer, String detail) {
        String outcome = answer.ok() ? Op.OK : answer.status() == 503 || answer.status() == HttpApi.IO_ERROR
                ? Op.INFO : Op.FAIL;
        history.record(new Op(history.nextId(), kind, tenant, "", "", "", start, history.now(), outcome,
                answer.status(), answer.code(), "", "", "", 1, detail));
    }

    /** One admin request to a random node, retried on other nodes while none answers or a 503 says to. */
    Answer admin(String method, String path, String body) {
        Answer answer = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            String region = tenants.regions().get(random.nextInt(tenants.regions().size()));
            answer = client.api().send(method, client.nodeUrl(region, random) + path, body, Map.of());
            if (answer.status() != 503 && answer.status() != HttpApi.IO_ERROR) {
                return answer;
            }
            GoodClient.pause(Duration.ofSeconds(Math.max(1, answer.retryAfterSeconds())));
        }
        return answer;
    }
}
