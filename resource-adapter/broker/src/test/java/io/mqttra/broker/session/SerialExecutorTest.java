package io.mqttra.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

    /**
     * A session that follows a new connection to its event loop writes the CONNACK from a batch on the former loop,
     * which Netty queues as a task on the new loop. A message offered afterwards from a task of the new loop (a
     * publisher's connection there) must not be written before it [MQTT-3.2.0-1], so it must not run inline.
     */
    @Test
    void afterAMove_aTaskOfferedOnTheNewLoop_runsAfterWhatTheFormerLoopQueuedThere() throws Exception {
        EventLoop former = new DefaultEventLoop();
        EventLoop next = new DefaultEventLoop();
        try {
            SerialExecutor session = new SerialExecutor(former, () -> {});
            List<String> written = new CopyOnWriteArrayList<>();
            CountDownLatch attached = new CountDownLatch(1);
            CountDownLatch offered = new CountDownLatch(1);
            // The new loop is busy (reading a publisher's packets) while the former one runs the attach.
            next.execute(() -> {
                await(attached);
                session.execute(() -> written.add("PUBLISH"));
                offered.countDown();
            });
            session.execute(() -> {
                session.moveTo(next);
                next.execute(() -> written.add("CONNACK")); // what channel.write does from another thread
            });
            former.submit(() -> {}).get(5, TimeUnit.SECONDS); // the attach batch is over
            attached.countDown();
            assertThat(offered.await(5, TimeUnit.SECONDS)).isTrue();
            next.submit(() -> {}).get(5, TimeUnit.SECONDS);
            next.submit(() -> {}).get(5, TimeUnit.SECONDS);
            assertThat(written).containsExactly("CONNACK", "PUBLISH");

            // Once a batch ran on the new loop, tasks there run inline again (no hop per message).
            List<Boolean> inline = new CopyOnWriteArrayList<>();
            next.submit(() -> {
                        Thread caller = Thread.currentThread();
                        session.execute(() -> inline.add(Thread.currentThread() == caller && written.add("inline")));
                        inline.add(written.contains("inline"));
                    })
                    .get(5, TimeUnit.SECONDS);
            assertThat(inline).containsExactly(true, true);
        } finally {
            former.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            next.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
