package org.legcramp.cds.hooks.wire;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A coding as CDS Hooks carries it (override reasons, feedback). */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Coding(String system, String code, String display) {}
