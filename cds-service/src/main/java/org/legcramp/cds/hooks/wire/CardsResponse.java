package org.legcramp.cds.hooks.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The answer to a hook call. {@code cards} is required by the spec, so it is sent even when empty. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record CardsResponse(List<Card> cards) {}
