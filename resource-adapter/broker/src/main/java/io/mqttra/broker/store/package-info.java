/**
 * Store SPI: the only way the engine reaches durable state.
 *
 * <h2>Contract shared by every write method</h2>
 * <ul>
 *   <li>Writes return a {@link java.util.concurrent.CompletableFuture} that completes normally once the write is
 *       durable (for an in-memory store: at once) and exceptionally when it cannot be made durable. The engine
 *       sends PUBACK / PUBREC only after the futures of every write a message caused have completed.</li>
 *   <li>Writes may be batched (group commit: many writes of many clients in one transaction) and completed
 *       later on any thread; the engine hops back to its own thread. Implementations must not block the caller.</li>
 *   <li>Order: writes are applied in the order they were called (a call that happens-before another is
 *       applied first), and their futures complete in that order. A later write is never durable while an
 *       earlier one is not. The engine relies on this, e.g. a {@code remove} issued right after an
 *       {@code enqueue} for the same message.</li>
 *   <li>Writes concerning an unknown client or message are no-ops, not errors.</li>
 *   <li>Load methods are synchronous and called only while the broker starts or a session resumes.</li>
 * </ul>
 */
package io.mqttra.broker.store;
