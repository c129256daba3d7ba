package io.mqttra.ra.tx;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.Delivery;
import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.store.Acknowledgement;
import io.mqttra.ra.MqttResourceAdapter;
import io.mqttra.ra.TestAdapters;
import io.mqttra.ra.ThreadPoolWorkManager;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * Child JVM of {@link CommitCrashTest}: runs the real adapter (broker, H2 store, resource manager) on a data
 * directory and drives one XA branch into a crash window, where the JVM halts.
 *
 * <ul>
 *   <li>{@code commit-after-routing}: a branch that publishes two messages and takes a queued message is prepared
 *       and committed; crash point {@link CrashPoint#AFTER_ROUTING} halts (99) once its messages are durably routed
 *       and before its record is forgotten. A persistent subscriber that never acknowledges keeps every copy.</li>
 *   <li>{@code one-phase-ack}: a transacted delivery's branch commits in one phase; the JVM halts (98) the moment
 *       commit returns.</li>
 *   <li>{@code answer-before-routing} and {@code answer-after-routing}: a bean takes a request and publishes its
 *       answer in the same branch, which commits in one phase; crash point {@link CrashPoint#BEFORE_COMMIT} or
 *       {@link CrashPoint#AFTER_ROUTING} halts (99) once the commit is recorded, before or after the answer is
 *       routed. The request's message id is printed as {@code TAKEN <id>}.</li>
 * </ul>
 */
public final class CommitCrashChild {

    static final String SUBSCRIBER = "sub";
    static final String BEAN = "mdb:orders";
    static final Xid XID = new Xid() {
        @Override
        public int getFormatId() {
            return 77;
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return "crash-test".getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public byte[] getBranchQualifier() {
            return new byte[] {1};
        }
    };

    public static void main(String[] args) throws Exception {
        MqttResourceAdapter adapter = TestAdapters.startedOn(args[0], new ThreadPoolWorkManager());
        MqttBroker broker = adapter.broker();
        MqttResourceManager rm = adapter.resourceManager();
        switch (args[1]) {
            case "commit-after-routing" -> {
                broker.openLocalSession(SUBSCRIBER, d -> {}).subscribe("orders/#", 1, 1);
                MqttXAResource xa = rm.newXAResource(null, new Acknowledgement(BEAN, 4242L));
                xa.start(XID, XAResource.TMNOFLAGS);
                xa.publish(message("orders/created", "o-1"));
                xa.publish(message("orders/audit", "o-2"));
                xa.end(XID, XAResource.TMSUCCESS);
                xa.prepare(XID);
                System.setProperty(CrashPoint.AFTER_ROUTING.property(), "orders/created");
                System.out.println("PREPARED");
                xa.commit(XID, false);
            }
            case "one-phase-ack" -> {
                BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
                broker.openLocalSession(BEAN, deliveries::add).subscribe("orders/#", 1, 1);
                broker.publish(message("orders/created", "o-3")).get(10, TimeUnit.SECONDS);
                Delivery d = deliveries.poll(10, TimeUnit.SECONDS);
                MqttXAResource xa = rm.newXAResource(
                        new DeliveryOutcome(d::acknowledgeDurably), new Acknowledgement(BEAN, d.messageId()));
                xa.start(XID, XAResource.TMNOFLAGS);
                xa.end(XID, XAResource.TMSUCCESS);
                xa.commit(XID, true);
                System.out.println("COMMITTED");
                System.out.flush();
                Runtime.getRuntime().halt(98);
            }
            case "answer-before-routing", "answer-after-routing" -> {
                broker.openLocalSession(SUBSCRIBER, d -> {}).subscribe("answers/#", 1, 1);
                BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
                broker.openLocalSession(BEAN, deliveries::add).subscribe("requests/#", 1, 1);
                broker.publish(message("requests/1", "r-1")).get(10, TimeUnit.SECONDS);
                Delivery d = deliveries.poll(10, TimeUnit.SECONDS);
                System.out.println("TAKEN " + d.messageId());
                MqttXAResource inbound = rm.newXAResource(
                        new DeliveryOutcome(d::acknowledgeDurably), new Acknowledgement(BEAN, d.messageId()));
                MqttXAResource outbound = rm.newXAResource(null);
                inbound.start(XID, XAResource.TMNOFLAGS);
                outbound.start(XID, XAResource.TMJOIN);
                outbound.publish(message("answers/1", "a-1"));
                outbound.end(XID, XAResource.TMSUCCESS);
                inbound.end(XID, XAResource.TMSUCCESS);
                CrashPoint point =
                        args[1].equals("answer-before-routing") ? CrashPoint.BEFORE_COMMIT : CrashPoint.AFTER_ROUTING;
                System.setProperty(point.property(), "answers/1");
                System.out.flush();
                inbound.commit(XID, true);
            }
            default -> throw new IllegalArgumentException(args[1]);
        }
        System.out.println("COMMITTED WITHOUT CRASHING");
        System.out.flush();
        Runtime.getRuntime().halt(1);
    }

    static ApplicationMessage message(String topic, String payload) {
        return new ApplicationMessage(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false, null);
    }

    private CommitCrashChild() {}
}
