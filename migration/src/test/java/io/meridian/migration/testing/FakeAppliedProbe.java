package io.meridian.migration.testing;

import io.meridian.migration.AppliedProbe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every question the executor asks; a test answers (or fails) each by hand. Thread-safe. */
public final class FakeAppliedProbe implements AppliedProbe {

    /** One question, answered through {@link #answer}. */
    public record Question(String region, int partition, long minOffset, Duration maxWait,
                           CompletableFuture<Answer> answer) {
        /** Answers as {@code node} of the asked region and partition. */
        public void answer(String node, long offset) {
            answer.complete(new Answer(region, node, partition, offset));
        }
    }

    public final List<Question> questions = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<Answer> awaitApplied(String region, int partition, long minOffset, Duration maxWait) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        questions.add(new Question(region, partition, minOffset, maxWait, answer));
        return answer;
    }

    public Question last() {
        return questions.get(questions.size() - 1);
    }
}
