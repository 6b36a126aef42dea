package io.parley.gateway;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import io.netty.util.ResourceLeakDetector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JVM settings the node chooses for itself unless the operator gave them on the command line
 * (then theirs stand).
 *
 * <ul>
 *   <li>Netty's buffer leak detection off: it records a stack trace for a sample of allocations,
 *       a cost on every push. {@code -Dio.netty.leakDetection.level=simple} (or {@code paranoid})
 *       turns it back on to chase a leak.</li>
 *   <li>Heap given back when it is not needed: a burst of handshakes grows the heap far beyond
 *       what the open sockets then hold, and by the JVM's defaults it stays committed (resident)
 *       for good. {@code MinHeapFreeRatio}/{@code MaxHeapFreeRatio} let the heap shrink to the
 *       live data plus a margin at each full or concurrent collection, and
 *       {@code G1PeriodicGCInterval} runs such a collection when the node has been quiet.</li>
 * </ul>
 */
final class JvmDefaults {
    private static final Logger log = LoggerFactory.getLogger(JvmDefaults.class);
    private static final String LEAK_DETECTION_PROPERTY = "io.netty.leakDetection.level";
    /** Manageable HotSpot flags, in the order they must be set (the minimum may not exceed the maximum). */
    private static final Map<String, String> HEAP_RETURN = new LinkedHashMap<>();

    static {
        HEAP_RETURN.put("MinHeapFreeRatio", "10");
        HEAP_RETURN.put("MaxHeapFreeRatio", "30");
        HEAP_RETURN.put("G1PeriodicGCInterval", "60000");
    }

    private JvmDefaults() {
    }

    static void apply() {
        if (System.getProperty(LEAK_DETECTION_PROPERTY) == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (hotSpot == null) {
            return; // not HotSpot: its own defaults
        }
        HEAP_RETURN.forEach((flag, value) -> setUnlessGiven(hotSpot, flag, value));
    }

    private static void setUnlessGiven(HotSpotDiagnosticMXBean hotSpot, String flag, String value) {
        try {
            if (hotSpot.getVMOption(flag).getOrigin() == VMOption.Origin.DEFAULT) {
                hotSpot.setVMOption(flag, value);
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // An older or other JVM without the flag, or one where it is not manageable.
            log.debug("JVM option {} left as it is: {}", flag, e.getMessage());
        }
    }
}
