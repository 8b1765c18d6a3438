package org.legcramp.cds.hooks.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** A service in the discovery response (CDS Hooks 2.0, "Response" of GET /cds-services). */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ServiceDescriptor(String hook, String title, String description, String id, Map<String, String> prefetch) {}
