package io.mqttra.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WorkManagerExecutorTest {

    @Test
    void runsEachTaskAsAWorkAndWaitsForThemToEnd() throws Exception {
        try (ThreadPoolWorkManager workManager = new ThreadPoolWorkManager()) {
            WorkManagerExecutor executor = new WorkManagerExecutor(workManager);
            CountDownLatch release = new CountDownLatch(1);
            executor.execute(() -> await(release));
            executor.execute(() -> await(release));
            assertThat(workManager.started()).isEqualTo(2);
            assertThat(executor.running()).isEqualTo(2);
            assertThat(executor.awaitTermination(100, TimeUnit.MILLISECONDS)).isFalse();
            release.countDown();
            assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            assertThat(executor.running()).isZero();
        }
    }

    @Test
    void refusedWorkBecomesRejectedExecutionAndIsNotCounted() throws Exception {
        try (ThreadPoolWorkManager workManager = new ThreadPoolWorkManager()) {
            WorkManagerExecutor executor = new WorkManagerExecutor(workManager);
            workManager.refuse(true);
            assertThatThrownBy(() -> executor.execute(() -> {}))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("refused");
            assertThat(executor.running()).isZero();
        }
    }

    @Test
    void nettyThreadLocalsAreClearedWhenATaskEnds() throws Exception {
        FastThreadLocal<String> local = new FastThreadLocal<>();
        AtomicReference<Thread> first = new AtomicReference<>();
        AtomicReference<Thread> second = new AtomicReference<>();
        AtomicReference<Boolean> seen = new AtomicReference<>();
        try (ThreadPoolWorkManager workManager = new ThreadPoolWorkManager(1)) {
            WorkManagerExecutor executor = new WorkManagerExecutor(workManager);
            executor.execute(() -> {
                local.set("left behind");
                first.set(Thread.currentThread());
            });
            assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            // The one pooled thread runs the next Work too; it must not see the previous task's value.
            executor.execute(() -> {
                second.set(Thread.currentThread());
                seen.set(local.isSet());
            });
            assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(second.get()).isSameAs(first.get());
        assertThat(seen.get()).isFalse();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
