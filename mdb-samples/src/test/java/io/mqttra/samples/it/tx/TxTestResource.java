package io.mqttra.samples.it.tx;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** What the transaction test reads from the server, and its crash switch. */
@Path("it")
@Produces(MediaType.TEXT_PLAIN)
public class TxTestResource {

    @PersistenceContext(unitName = "orders")
    EntityManager em;

    @Inject
    Attempts attempts;

    /** Rows the beans committed: {@code bean|topic|payload|dup}, one per line. */
    @GET
    @Path("rows")
    public String rows(@QueryParam("bean") String bean) {
        List<ReceivedRow> rows = em.createQuery(
                        "SELECT r FROM ReceivedRow r WHERE r.bean = :bean ORDER BY r.writtenAt", ReceivedRow.class)
                .setParameter("bean", bean)
                .getResultList();
        StringBuilder out = new StringBuilder();
        for (ReceivedRow r : rows) {
            out.append(r.getBean())
                    .append('|')
                    .append(r.getTopic())
                    .append('|')
                    .append(r.getPayload())
                    .append('|')
                    .append(r.isDup())
                    .append('\n');
        }
        return out.toString();
    }

    /** How many orders of that item are stored. */
    @GET
    @Path("orders")
    public String countOrders(@QueryParam("item") String item) {
        return em.createQuery("SELECT COUNT(o) FROM PurchaseOrder o WHERE o.item = :item", Long.class)
                .setParameter("item", item)
                .getSingleResult()
                .toString();
    }

    /** Every call of the failing bean. */
    @GET
    @Path("attempts")
    public String attempts() {
        return String.join("\n", attempts.lines());
    }

    /**
     * Arms the resource adapter's test crash point: the next transaction that publishes to {@code topic} halts the
     * server after prepare, before its commit (mqttra.test.crashBeforeCommitTopic).
     */
    @POST
    @Path("crash-before-commit")
    public String armCrash(@QueryParam("topic") String topic) {
        System.setProperty("mqttra.test.crashBeforeCommitTopic", topic);
        return "armed";
    }

    /**
     * Arms the resource adapter's test crash point: the next transaction that publishes to {@code topic} halts the
     * server once its messages are routed, before the messages it took are acknowledged
     * (mqttra.test.crashAfterRoutingTopic).
     */
    @POST
    @Path("crash-after-routing")
    public String armCrashAfterRouting(@QueryParam("topic") String topic) {
        System.setProperty("mqttra.test.crashAfterRoutingTopic", topic);
        return "armed";
    }
}
