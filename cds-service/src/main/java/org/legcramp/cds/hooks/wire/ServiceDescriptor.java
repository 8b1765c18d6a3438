package org.legcramp.cds.hooks.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A service in the discovery response (CDS Hooks 2.0, "Response" of GET /cds-services).
 *
 * @param extension the spec's extension point; carries {@value #RULE_MODES}: rule id to mode (active, silent, off)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ServiceDescriptor(String hook, String title, String description, String id, Map<String, String> prefetch,
        Map<String, Object> extension) {

    /** Discovery extension key: the mode of each rule behind the service. */
    public static final String RULE_MODES = "http://legcrampcds.org/cds-hooks/rule-modes";

    public ServiceDescriptor(String hook, String title, String description, String id, Map<String, String> prefetch) {
        this(hook, title, description, id, prefetch, Map.of());
    }
}
