package io.parley.gateway.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.LoggerFactory;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code log_format} key: {@code text} (logback.xml's pattern) or {@code json} (one
 * {@link ParleyJsonEncoder} object per line). Logback has configured itself from logback.xml before
 * the node reads its configuration, so {@link #apply()} switches the output afterwards.
 */
public enum LogFormat {
    TEXT, JSON;

    /** Parses a configured value, case-insensitively. */
    public static LogFormat parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("expected text or json");
        };
    }

    /**
     * The format named by {@code PARLEY_LOG_FORMAT}, read before the configuration so that the
     * lines logged while it loads (warnings about the environment) are already in it; text when
     * unset or invalid (the configuration then refuses the bad value).
     */
    public static LogFormat fromEnvironment(Map<String, String> environment) {
        try {
            String value = environment.get("PARLEY_LOG_FORMAT");
            return value == null || value.isBlank() ? TEXT : parse(value);
        } catch (IllegalArgumentException e) {
            return TEXT;
        }
    }

    /**
     * Makes every output of the root logger write this format. Text is what logback.xml set up, so
     * only JSON changes anything; a no-op when logback is not the SLF4J binding.
     */
    public void apply() {
        if (this != JSON || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> output
                    && !(output.getEncoder() instanceof ParleyJsonEncoder)) {
                ParleyJsonEncoder json = new ParleyJsonEncoder();
                json.setContext(context);
                json.start();
                var previous = output.getEncoder();
                output.setEncoder(json);
                if (previous != null) {
                    previous.stop();
                }
            }
        }
    }
}
