import io.meridian.infra.model.WalRecord;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalHeaders;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** tools/fullsync/measure: appends N puts of one tenant to the WAL directly (as its primary us-east at epoch 1 would). */
public class Load {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0], tenant = args[1];
        int count = Integer.parseInt(args[2]);
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("linger.ms", "10");
        p.put("batch.size", "262144");
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        try (KafkaProducer<String, WalRecord> producer = new KafkaProducer<>(p, Topics.WAL.keySerde().serializer(),
                Topics.WAL.valueSerde().serializer())) {
            for (int i = 0; i < count; i++) {
                String json = "{\"n\":" + i + ",\"name\":\"document number " + i + "\",\"pad\":\"" + "x".repeat(60) + "\"}";
                WalRecord.Put put = new WalRecord.Put(tenant, "k" + i, RawJson.parse(json),
                        1, "us-east", i + 1, "load-" + i);
                RecordHeaders headers = new RecordHeaders();
                WalHeaders.markGeneratedId(headers);
                producer.send(new ProducerRecord<>(Topics.WAL.name(), null, tenant, put, headers), (m, e) -> {
                    if (e != null) errors.incrementAndGet();
                });
            }
            producer.flush();
        }
        System.out.printf("appended %d puts in %.1f s, %d errors%n", count, (System.nanoTime() - start) / 1e9, errors.get());
    }
}
