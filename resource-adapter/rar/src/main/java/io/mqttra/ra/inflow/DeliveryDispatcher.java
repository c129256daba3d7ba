package io.mqttra.ra.inflow;

import io.mqttra.broker.Delivery;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Moves deliveries from the broker's I/O thread (which must not block) to WorkManager threads, with at most
 * {@code maxConcurrency} Works per bean at a time. Each Work drains the queue, so a burst costs one
 * {@code scheduleWork} per worker, not per message, and a bean that cannot keep up holds back at most
 * {@code maxConcurrency} server threads while the rest waits in the queue (and, unacknowledged, in the broker).
 *
 * <p>QoS 1 and 2 deliveries are bounded by the broker's in-flight window of the bean's session: they wait
 * unacknowledged, nothing is lost. QoS 0 deliveries have no such window, so at most {@link #MAX_QUEUED_QOS0} of
 * them wait here; beyond that the newest is dropped and counted, as MQTT allows for QoS 0 (at most once).
 */
final class DeliveryDispatcher {

    private static final Logger LOG = Logger.getLogger(DeliveryDispatcher.class.getName());

    static final int MAX_QUEUED_QOS0 = 10_000;

    private final WorkManager workManager;
    private final EndpointInvoker invoker;
    private final int maxConcurrency;
    private final String beanName;
    private final Queue<Delivery> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedQos0 = new AtomicInteger();
    private final AtomicLong droppedQos0 = new AtomicLong();
    private final Object lock = new Object();
    private int workers;
    private volatile boolean open = true;

    DeliveryDispatcher(WorkManager workManager, EndpointInvoker invoker, int maxConcurrency, String beanName) {
        this.workManager = workManager;
        this.invoker = invoker;
        this.maxConcurrency = maxConcurrency;
        this.beanName = beanName;
    }

    /** Called on a broker I/O thread: queue and make sure a worker runs; never blocks. */
    void dispatch(Delivery delivery) {
        if (!open) {
            return; // unacknowledged: the broker keeps it for the bean's session
        }
        if (delivery.message().qos() == 0 && queuedQos0.incrementAndGet() > MAX_QUEUED_QOS0) {
            queuedQos0.decrementAndGet();
            long dropped = droppedQos0.incrementAndGet();
            if (Long.bitCount(dropped) == 1) { // 1, 2, 4, 8...: visible without flooding the log
                LOG.warning(() -> beanName + " cannot keep up: " + dropped + " QoS 0 message(s) dropped so far ("
                        + MAX_QUEUED_QOS0 + " waiting)");
            }
            return;
        }
        queue.add(delivery);
        startWorkerIfNeeded();
    }

    /** QoS 0 messages dropped because the bean could not keep up. */
    long droppedQos0() {
        return droppedQos0.get();
    }

    boolean isOpen() {
        return open;
    }

    /** Stops taking deliveries and waits for the Works in progress to end. */
    boolean close(long timeout, TimeUnit unit) throws InterruptedException {
        open = false;
        queue.clear();
        queuedQos0.set(0);
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (lock) {
            while (workers > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
        return true;
    }

    private void startWorkerIfNeeded() {
        synchronized (lock) {
            if (!open || workers >= maxConcurrency || queue.isEmpty()) {
                return;
            }
            workers++;
        }
        try {
            workManager.scheduleWork(new Worker());
        } catch (WorkException e) {
            workerEnded();
            // The deliveries stay queued; the next delivery or ending worker tries again.
            LOG.log(Level.WARNING, "The server refused a delivery thread for " + beanName + ": " + e.getMessage());
        }
    }

    private void workerEnded() {
        synchronized (lock) {
            workers--;
            lock.notifyAll();
        }
    }

    /** Drains the queue; ends when it is empty (a new delivery starts a new one). */
    private final class Worker implements Work {

        @Override
        public void run() {
            try {
                Delivery next;
                while (open && (next = queue.poll()) != null) {
                    if (next.message().qos() == 0) {
                        queuedQos0.decrementAndGet();
                    }
                    deliverOne(next);
                }
            } finally {
                workerEnded();
                // A delivery queued after our last poll but while we still counted as a worker needs a worker.
                startWorkerIfNeeded();
            }
        }

        private void deliverOne(Delivery delivery) {
            try {
                invoker.deliver(delivery, DeliveryDispatcher.this::isOpen);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                open = false;
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "Delivery to " + beanName + " failed", e);
            }
        }

        @Override
        public void release() {
            // Deliveries are short; close() waits for them rather than interrupting a bean in mid-call.
        }
    }
}
