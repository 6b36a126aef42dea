package io.parley.gateway.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Fails a test when Netty's {@link ResourceLeakDetector} reports a leaked buffer.
 *
 * <p>How: an appender on logger {@code io.netty.util.ResourceLeakDetector} records every ERROR
 * event that starts with {@code "LEAK:"} (what the detector logs). The detector only reports a
 * leak when a buffer it tracked has been garbage-collected unreleased <i>and</i> a later tracked
 * allocation polls its reference queue, so after each test this extension runs the GC and
 * allocates a few buffers to provoke the report, and does so more thoroughly after the class.
 * The level is forced to {@code PARANOID} (every buffer tracked) in case the JVM was started
 * without {@code -Dio.netty.leakDetection.level=paranoid}.
 *
 * <p>Only buffers made by a {@link ByteBufAllocator} are tracked (codecs' buffers, {@code
 * Unpooled.buffer()}, {@code ByteBufAllocator.DEFAULT.buffer()}); {@code Unpooled.wrappedBuffer}
 * is not, so tests also check {@code refCnt()} where they own such buffers.
 *
 * <p>Register with {@code @ExtendWith(LeakDetectionExtension.class)}.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    static final String LOGGER = ResourceLeakDetector.class.getName();
    private static final String APPENDER = "parley-leak-recorder";

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
        // Leaks that surface now were made before this class ran (another class): say so, don't blame this one.
        provokeReports(2);
        List<String> earlier = drain();
        if (!earlier.isEmpty()) {
            System.err.println("[LeakDetectionExtension] " + earlier.size() + " leak report(s) from before "
                    + context.getDisplayName() + ":\n" + String.join("\n", earlier));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        provokeReports(1);
        failOnLeaks("after test " + context.getDisplayName()
                + " (the leaked buffer may also come from an earlier test of this class)");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        provokeReports(4);
        failOnLeaks("after class " + context.getDisplayName());
    }

    /** Attaches the recorder (idempotent) and makes the detector track every buffer. */
    public static void install() {
        if (ResourceLeakDetector.getLevel().ordinal() < ResourceLeakDetector.Level.PARANOID.ordinal()) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        Logger logger = (Logger) LoggerFactory.getLogger(LOGGER);
        if (!logger.isErrorEnabled()) {
            logger.setLevel(Level.ERROR); // the detector reports nothing when ERROR is off
        }
        synchronized (Recorder.INSTANCE) {
            if (logger.getAppender(APPENDER) == null) {
                Recorder.INSTANCE.setContext(logger.getLoggerContext());
                Recorder.INSTANCE.setName(APPENDER);
                if (!Recorder.INSTANCE.isStarted()) {
                    Recorder.INSTANCE.start();
                }
                logger.addAppender(Recorder.INSTANCE);
            }
        }
    }

    /**
     * Runs the GC and allocates tracked buffers so that the detector reports buffers that were
     * collected without being released.
     */
    public static void provokeReports(int rounds) {
        for (int round = 0; round < rounds; round++) {
            System.gc();
            if (round > 0) {
                try {
                    Thread.sleep(20); // the reference handler thread enqueues collected references
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            for (int i = 0; i < 4; i++) {
                ByteBuf pooled = ByteBufAllocator.DEFAULT.buffer(8);
                pooled.release();
                ByteBuf heap = Unpooled.buffer(8);
                heap.release();
            }
        }
    }

    /** The leak reports recorded so far, which are then forgotten. */
    public static List<String> drain() {
        return Recorder.INSTANCE.drain();
    }

    private static void failOnLeaks(String when) {
        List<String> leaks = drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty reported " + leaks.size() + " leaked buffer(s) " + when + ":\n"
                    + String.join("\n\n", leaks));
        }
    }

    /** Records the detector's "LEAK:" reports. */
    private static final class Recorder extends AppenderBase<ILoggingEvent> {
        static final Recorder INSTANCE = new Recorder();
        private final List<String> leaks = new ArrayList<>();

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.ERROR) && event.getFormattedMessage().startsWith("LEAK:")) {
                synchronized (leaks) {
                    leaks.add(event.getFormattedMessage());
                }
            }
        }

        List<String> drain() {
            synchronized (leaks) {
                List<String> copy = List.copyOf(leaks);
                leaks.clear();
                return copy;
            }
        }
    }
}
