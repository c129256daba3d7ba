package io.mqttra.broker;

import io.mqttra.broker.config.BrokerConfig;
import io.mqttra.broker.transport.MqttChannelInitializer;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Feeds bytes to the connection pipeline the broker builds for every client (its {@link MqttChannelInitializer})
 * on an {@link EmbeddedChannel}, for fuzzing without sockets. Also collects what the engine logs at WARNING or
 * worse while it runs: for bad input the engine must log one INFO line and close, so anything worse is a finding.
 */
final class PipelineFeeder implements AutoCloseable {

    private final MqttBroker broker;
    private final List<String> internalErrors = new CopyOnWriteArrayList<>();
    private final Logger engineLog = Logger.getLogger("io.mqttra");
    private final Level previousLevel;
    private final Handler errorCatcher = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                internalErrors.add(
                        r.getLoggerName() + ": " + r.getMessage() + (r.getThrown() == null ? "" : " " + r.getThrown()));
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    /** A started broker without $SYS (its timer would run on another thread than the embedded channels). */
    static MqttBroker fuzzBroker(int maxPacketSize) {
        MqttBroker b = new MqttBroker(BrokerConfig.builder()
                .port(0)
                .ioThreads(1)
                .sysIntervalSeconds(0)
                .maxPacketSize(maxPacketSize)
                .connectTimeoutSeconds(2)
                .build());
        b.start();
        return b;
    }

    PipelineFeeder(MqttBroker broker) {
        this.broker = broker;
        // Thousands of refused connections would each log a line: keep the output to the internal errors.
        previousLevel = engineLog.getLevel();
        engineLog.setLevel(Level.WARNING);
        engineLog.addHandler(errorCatcher);
    }

    /**
     * Feeds one input in chunks of the sizes {@code chunk} gives; returns whether the connection is still open.
     * An exception that reaches the end of the pipeline is thrown from here.
     */
    boolean feed(byte[] input, IntSupplier chunk) {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttChannelInitializer(broker.context()));
        try {
            int off = 0;
            while (off < input.length && ch.isOpen()) {
                int n = Math.min(input.length - off, Math.max(1, chunk.getAsInt()));
                ch.writeInbound(Unpooled.wrappedBuffer(input, off, n));
                ch.runPendingTasks();
                off += n;
            }
            ch.runPendingTasks();
            ch.checkException();
            return ch.isOpen();
        } finally {
            ch.close();
            ch.runPendingTasks();
            Object m;
            while ((m = ch.readOutbound()) != null) {
                ReferenceCountUtil.release(m);
            }
            while ((m = ch.readInbound()) != null) {
                ReferenceCountUtil.release(m);
            }
        }
    }

    /** What the engine logged at WARNING or worse since the feeder was made. */
    List<String> internalErrors() {
        return internalErrors;
    }

    @Override
    public void close() {
        engineLog.removeHandler(errorCatcher);
        engineLog.setLevel(previousLevel);
    }
}
