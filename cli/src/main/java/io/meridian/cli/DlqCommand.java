package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.infra.model.DeadLetter;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meridianctl dlq list|show|replay}: the dead letters of {@code meridian.dlq} (records an applier could not read
 * or would not apply), read straight from Kafka like {@code events tail}, and their replay through the normal HTTP
 * write path. A dead letter's id is its offset in {@code meridian.dlq} (one partition). A replay carries the
 * {@code Idempotency-Key} {@code dlq-<topic>-<partition>@<offset>} of the original record, so replaying it twice (or
 * replaying the copy another region's applier dead-lettered) applies it once; a second replay with another document is
 * refused by the node ({@code 422 idempotency_key_reused}).
 */
@Command(name = "dlq", description = "Dead letters: records an applier could not read or would not apply.",
        sortOptions = false)
final class DlqCommand implements Runnable {
    static final List<String> COLUMNS = List.of("id", "time", "region", "code", "source", "tenant", "key", "reason");
    private static final int REASON_WIDTH = 80;

    @Mixin
    CommandGroup group;

    @Override
    public void run() {
        throw group.missingCommand("list, show or replay");
    }

    /** A dead letter with its id and what its payload says, as far as it can be read. */
    record Letter(long id, DeadLetter letter, Decoded payload) {
    }

    /**
     * The payload of a dead letter: the original record's bytes, as JSON when they are JSON; {@code tenant},
     * {@code key}, {@code type} and {@code value} when it looks like a WAL data record; why Meridian's serde refuses
     * it, if it does.
     */
    record Decoded(byte[] bytes, JsonNode json, String type, String tenant, String key, JsonNode value,
                   String unreadable) {

        static Decoded of(DeadLetter letter) {
            byte[] bytes = Base64.getDecoder().decode(letter.payloadBase64());
            JsonNode json = null;
            try {
                json = Json.readTree(bytes);
            } catch (IllegalArgumentException e) {
                // not JSON: shown as text
            }
            String unreadable = null;
            try {
                Json.read(bytes, WalRecord.class);
            } catch (IllegalArgumentException e) {
                unreadable = e.getMessage();
            }
            if (letter.truncated()) {
                unreadable = "the payload was cut to " + DeadLetter.MAX_PAYLOAD_BYTES + " of " + letter.payloadBytes()
                        + " bytes";
            }
            return new Decoded(bytes, json, text(json, "type"), text(json, "tenant"), text(json, "key"),
                    json == null ? null : json.get("value"), unreadable);
        }

        private static String text(JsonNode json, String field) {
            return json != null && json.isObject() && json.path(field).isTextual() ? json.get(field).asText() : null;
        }
    }

    @Command(name = "list", sortOptions = false, description = "Every dead letter in meridian.dlq (read from Kafka"
            + " to its current end).")
    int list(@Option(names = "--region", paramLabel = "REGION", description = "Only those of this region's applier.")
             String region,
             @Option(names = "--code", paramLabel = "CODE", description = "Only this reason code (unreadable,"
                     + " wrong_partition, unknown_tenant, not_writable_here, epoch_ahead, processing_failed).")
             String code,
             @Option(names = "--tenant", paramLabel = "TENANT", description = "Only this tenant's.") String tenant) {
        List<Letter> letters = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        try (Tail tail = tail()) {
            tail.readToEnd(List.of(Topics.DLQ.name()), record -> {
                read(record, unreadable).filter(l -> region == null || region.equals(l.letter().region()))
                        .filter(l -> code == null || code.equalsIgnoreCase(l.letter().code().wireName()))
                        .filter(l -> tenant == null || tenant.equals(l.payload().tenant()))
                        .ifPresent(letters::add);
                return true;
            });
        }
        unreadable.forEach(u -> group.commandLine().getErr().println("note: " + u));
        group.commandLine().getErr().flush();
        Printer printer = group.root().printer();
        if (printer.json()) {
            ArrayNode all = JsonNodeFactory.instance.arrayNode();
            letters.forEach(l -> all.add(json(l)));
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.set("deadLetters", all);
            printer.json(out);
            return ExitCode.OK;
        }
        if (letters.isEmpty()) {
            printer.line("no dead letters" + (region == null && code == null && tenant == null ? "" : " that match"));
            return ExitCode.OK;
        }
        List<List<String>> rows = new ArrayList<>();
        for (Letter l : letters) {
            String reason = l.letter().reason();
            rows.add(List.of(Long.toString(l.id()), Times.when(l.letter().timestamp()), l.letter().region(),
                    l.letter().code().wireName(), l.letter().source(), orNone(l.payload().tenant()),
                    orNone(l.payload().key()),
                    reason.length() > REASON_WIDTH ? reason.substring(0, REASON_WIDTH - 3) + "..." : reason));
        }
        printer.table(COLUMNS, rows);
        printer.note("details: meridianctl dlq show <id>; re-submit: meridianctl dlq replay <id>");
        return ExitCode.OK;
    }

    @Command(name = "show", description = "One dead letter: where it came from, why, and its payload decoded.")
    int show(@Parameters(paramLabel = "<id>", description = "The id 'dlq list' shows.") long id) {
        Letter letter = find(id);
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(json(letter));
            return ExitCode.OK;
        }
        DeadLetter d = letter.letter();
        Decoded p = letter.payload();
        printer.fields(List.of(
                Map.entry("id", Long.toString(letter.id())),
                Map.entry("time", Times.when(d.timestamp())),
                Map.entry("region", d.region()),
                Map.entry("code", d.code().wireName()),
                Map.entry("reason", d.reason()),
                Map.entry("source", d.source()),
                Map.entry("payload", d.payloadBytes() < 0 ? "(null)" : d.payloadBytes() + " bytes"
                        + (d.truncated() ? ", cut to " + DeadLetter.MAX_PAYLOAD_BYTES : "")),
                Map.entry("type", orNone(p.type())),
                Map.entry("tenant", orNone(p.tenant())),
                Map.entry("key", orNone(p.key())),
                Map.entry("readable", p.unreadable() == null ? "yes (a valid WAL record)" : "no: " + p.unreadable())));
        printer.line("");
        printer.line(p.json() != null ? Json.MAPPER.valueToTree(p.json()).toPrettyString()
                : new String(p.bytes(), StandardCharsets.UTF_8));
        return ExitCode.OK;
    }

    @Command(name = "replay", sortOptions = false, description = {"Re-submit a dead letter's write through the normal"
            + " write path (PUT or DELETE /v1/tenants/{tenant}/docs/{key}, following the redirect to the primary), with"
            + " the Idempotency-Key dlq-<source>: it is applied once, however often it is replayed.",
            "The document is the payload's value, or the corrected one of --value/--value-file."})
    int replay(@Parameters(paramLabel = "<id>", description = "The id 'dlq list' shows.") long id,
               @Option(names = "--value-file", paramLabel = "FILE", description = "The corrected document (JSON).")
               Path valueFile,
               @Option(names = "--value", paramLabel = "JSON", description = "The corrected document, inline.")
               String value,
               @Option(names = "--tenant", paramLabel = "TENANT", description = "The tenant, when the payload does"
                       + " not say (or says wrong).") String tenant,
               @Option(names = "--key", paramLabel = "KEY", description = "The document key, likewise.") String key,
               @Option(names = "--delete", description = "Replay as a delete of the key.") boolean delete,
               @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.") boolean yes) {
        Letter letter = find(id);
        Decoded p = letter.payload();
        String theTenant = tenant != null ? tenant : p.tenant();
        String theKey = key != null ? key : p.key();
        if (theTenant == null || theKey == null) {
            throw new CliException(ExitCode.USAGE, "payload_unreadable", "dead letter " + id + " does not say its"
                    + " tenant and key (" + Optional.ofNullable(p.unreadable()).orElse("not a WAL data record")
                    + "): pass --tenant and --key");
        }
        boolean isDelete = delete || value == null && valueFile == null && "delete".equals(p.type());
        JsonNode document = null;
        if (!isDelete) {
            document = corrected(value, valueFile).orElse(p.value());
            if (document == null || !document.isObject()) {
                throw new CliException(ExitCode.USAGE, "no_document", "dead letter " + id + " holds no readable"
                        + " document to replay: pass the corrected one with --value-file FILE or --value JSON");
            }
        }
        String idempotencyKey = idempotencyKey(letter.letter());
        String path = "/v1/tenants/" + HttpApi.segment(theTenant) + "/docs/" + HttpApi.segment(theKey);
        if (!yes && !group.root().confirm("Replay dead letter " + id + " as " + (isDelete ? "DELETE" : "PUT") + " "
                + path + " (Idempotency-Key " + idempotencyKey + ")? [y/N] ")) {
            throw new CliException(ExitCode.ABORTED, "not_confirmed", "replay of dead letter " + id
                    + " not confirmed; nothing was sent");
        }
        HttpApi.Response response = group.root().api().idempotentWrite(isDelete ? "DELETE" : "PUT", path, document,
                idempotencyKey);
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(response.body());
            return ExitCode.OK;
        }
        printer.line("dead letter " + id + " replayed as " + (isDelete ? "a delete of " : "a write of ") + theTenant
                + "/" + theKey + " (Idempotency-Key " + idempotencyKey + "; a second replay is answered with the same"
                + " position and applies nothing):");
        printer.object(response.body());
        return ExitCode.OK;
    }

    /** {@code dlq-<topic>-<partition>@<offset>} of the original record: the same for every region's copy of it. */
    static String idempotencyKey(DeadLetter letter) {
        String key = "dlq-" + letter.source();
        return key.length() <= 128 ? key : key.substring(0, 128);
    }

    private static Optional<JsonNode> corrected(String value, Path file) {
        if (value != null && file != null) {
            throw new CliException(ExitCode.USAGE, "usage", "--value and --value-file: give one");
        }
        String text = value;
        if (file != null) {
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new CliException(ExitCode.USAGE, "usage", "cannot read --value-file " + file + ": "
                        + e.getMessage());
            }
        }
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.readTree(text.getBytes(StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, "invalid_document", "the corrected document is not JSON: "
                    + e.getMessage());
        }
    }

    private Letter find(long id) {
        List<Letter> found = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        try (Tail tail = tail()) {
            tail.readToEnd(List.of(Topics.DLQ.name()), record -> {
                if (record.offset() == id) {
                    read(record, unreadable).ifPresent(found::add);
                    return false;
                }
                return record.offset() < id;
            });
        }
        if (found.isEmpty()) {
            throw new CliException(ExitCode.SERVER_ERROR, "dead_letter_not_found", "no dead letter " + id + " in "
                    + Topics.DLQ.name() + (unreadable.isEmpty() ? "" : " (" + unreadable.get(0) + ")")
                    + "; 'meridianctl dlq list' shows the ids");
        }
        return found.get(0);
    }

    private Tail tail() {
        return new Tail(group.root().bootstrap(), group.root().kafkaSettings(), Map.of());
    }

    private static Optional<Letter> read(ConsumerRecord<byte[], byte[]> record, List<String> unreadable) {
        if (record.value() == null) {
            return Optional.empty();
        }
        try {
            DeadLetter letter = Json.read(record.value(), DeadLetter.class);
            return Optional.of(new Letter(record.offset(), letter, Decoded.of(letter)));
        } catch (IllegalArgumentException e) {
            unreadable.add("record " + record.offset() + " of " + Topics.DLQ.name() + " is no dead letter: "
                    + e.getMessage());
            return Optional.empty();
        }
    }

    private static ObjectNode json(Letter l) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("id", l.id());
        out.set("deadLetter", Json.toTree(l.letter()));
        ObjectNode payload = out.putObject("payload");
        payload.put("type", l.payload().type());
        payload.put("tenant", l.payload().tenant());
        payload.put("key", l.payload().key());
        payload.put("unreadable", l.payload().unreadable());
        if (l.payload().json() != null) {
            payload.set("json", l.payload().json());
        } else {
            payload.put("text", new String(l.payload().bytes(), StandardCharsets.UTF_8));
        }
        out.put("idempotencyKey", idempotencyKey(l.letter()));
        return out;
    }

    private static String orNone(String text) {
        return text == null ? Printer.NONE : text;
    }
}
