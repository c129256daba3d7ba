package io.mqttra.samples.sysmonitor;

import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The latest value of every {@code $SYS/broker/...} topic the monitor has seen, for the REST read-out. */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class SysValues {

    private final Map<String, String> latest = new ConcurrentHashMap<>();

    /** Records a topic's new value; the one it replaces, or null for the first. */
    public String update(String topic, String value) {
        return latest.put(topic, value);
    }

    /** Every topic with its latest value, by topic name. */
    public SortedMap<String, String> all() {
        return new TreeMap<>(latest);
    }
}
