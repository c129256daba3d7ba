package io.mqttra.samples.sysmonitor;

import jakarta.ejb.EJB;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.SortedMap;

/** {@code GET /api/sys}: the latest value of every {@code $SYS/broker/...} topic, as a JSON object by topic. */
@Path("sys")
@Produces(MediaType.APPLICATION_JSON)
public class SysResource {

    @EJB
    SysValues values;

    @GET
    public SortedMap<String, String> all() {
        return values.all();
    }
}
