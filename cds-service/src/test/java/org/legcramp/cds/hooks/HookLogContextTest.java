package org.legcramp.cds.hooks;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;

/**
 * The log context of a hook call fits the production profile's log format (ECS JSON): a context key
 * that is also an ECS field makes the appender drop the whole line, as "service" did to every hook
 * call's summary line until ./e2e ran the production profile.
 */
class HookLogContextTest {

    @Test
    void aHookCallsSummaryLineIsWrittenWithItsServiceAndHookInstance() {
        String line = encode(Map.of("hookInstance", "d7a3f1c2", CdsHooksController.MDC_SERVICE, "quinine-for-cramps-order-sign"));

        assertThat(line)
                .contains("\"hookInstance\":\"d7a3f1c2\"")
                .contains("\"cdsService\":\"quinine-for-cramps-order-sign\"")
                .contains("cards=1");
    }

    @Test
    void aContextKeyNamedServiceClashesWithTheEcsServiceField() {
        assertThatThrownBy(() -> encode(Map.of("service", "quinine-for-cramps-order-sign")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'service' has already been written");
    }

    private static String encode(Map<String, String> logContext) {
        LoggerContext context = new LoggerContext();
        context.putObject(Environment.class.getName(), new StandardEnvironment());
        StructuredLogEncoder encoder = new StructuredLogEncoder();
        encoder.setContext(context);
        encoder.setFormat("ecs");
        encoder.start();
        LoggingEvent event = new LoggingEvent(CdsHooksController.class.getName(),
                context.getLogger(CdsHooksController.class), Level.INFO, "service={} cards={}", null,
                new Object[] {"quinine-for-cramps-order-sign", 1});
        event.setMDCPropertyMap(logContext);
        return new String(encoder.encode(event), UTF_8);
    }
}
