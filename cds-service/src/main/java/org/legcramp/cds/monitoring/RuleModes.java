package org.legcramp.cds.monitoring;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.RuleCatalog;
import org.springframework.stereotype.Component;

/**
 * The configured mode of each rule. A mode given for a rule id the content does not have refuses
 * start-up, so a typo never leaves a rule active that a site meant to keep silent.
 */
@Component
public class RuleModes {

    private final Map<String, RuleMode> modes = new TreeMap<>();

    public RuleModes(AlertProperties properties, RuleCatalog catalog) {
        Set<String> rules = new TreeSet<>();
        catalog.services().forEach(service -> rules.add(service.ruleId()));
        properties.rules().forEach((rule, settings) -> {
            if (!rules.contains(rule)) {
                throw new IllegalStateException("legcramp.rules." + rule + ".mode names no rule of the content; rules: " + rules);
            }
            modes.put(rule, settings.mode() == null ? RuleMode.ACTIVE : settings.mode());
        });
    }

    public RuleMode mode(String ruleId) {
        return modes.getOrDefault(ruleId, RuleMode.ACTIVE);
    }

    public RuleMode mode(CdsService service) {
        return mode(service.ruleId());
    }
}
