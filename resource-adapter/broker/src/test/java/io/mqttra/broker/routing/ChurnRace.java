package io.mqttra.broker.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Races writers that churn a topic tree against a watcher that reads it, each on its own thread, for the
 * concurrency tests of the trees. Everyone stops at the first failure, so that it is reported as it happened.
 */
final class ChurnRace {

    /** One round of a writer: change the tree, check what it now shows, report what is wrong. */
    interface Round {
        void run(int round, Collection<String> failures);
    }

    /** One look of the watcher at what must stay in place; reports what is wrong. */
    interface Check {
        void run(Collection<String> failures);
    }

    private ChurnRace() {}

    /** Runs every writer for {@code rounds} rounds while the watcher looks again and again; returns the failures. */
    static Collection<String> run(int rounds, List<Round> writers, Check watcher) throws InterruptedException {
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(writers.size());
        List<Thread> threads = new ArrayList<>();
        for (Round writer : writers) {
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < rounds && failures.isEmpty(); i++) {
                        writer.run(i, failures);
                    }
                } finally {
                    done.countDown();
                }
            }));
        }
        threads.add(new Thread(() -> {
            while (!stop.get() && failures.isEmpty()) {
                watcher.run(failures);
            }
        }));
        threads.forEach(Thread::start);
        boolean finished = done.await(120, TimeUnit.SECONDS);
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertThat(finished).as("churn finished in time").isTrue();
        return failures;
    }
}
