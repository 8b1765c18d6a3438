package org.legcramp.cds.monitoring;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Alert fatigue settings ({@code legcramp.rules.*}, {@code legcramp.repeat-suppression.*}).
 *
 * @param rules per rule id: its mode (active when not listed)
 * @param repeatSuppression the no-repeat window between order-select and order-sign
 */
@ConfigurationProperties("legcramp")
public record AlertProperties(@DefaultValue Map<String, RuleSettings> rules,
        @DefaultValue RepeatSuppression repeatSuppression) {

    /** @param mode active, silent or off */
    public record RuleSettings(@DefaultValue("active") RuleMode mode) {}

    /**
     * @param enabled false shows every card on order-sign, as before
     * @param window how long a card shown on order-select keeps its repeat on order-sign quiet
     * @param key the HMAC-SHA256 secret the repeat keys are made with, the same on every instance;
     *        empty: a secret generated once per database (refused when {@code requireKey})
     * @param requireKey refuse to start without {@code key} (the production profile sets it)
     */
    public record RepeatSuppression(@DefaultValue("true") boolean enabled, @DefaultValue("60m") Duration window,
            @DefaultValue("") String key, @DefaultValue("false") boolean requireKey) {}
}
