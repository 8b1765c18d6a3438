package org.legcramp.cds.hooks.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The answer to a hook call. {@code cards} is required by the spec, so it is sent even when empty;
 * {@code extension} (CDS Hooks 2.0, "Extensions") only with {@code explain=true}: why the rules
 * that gave no card did not fire.
 */
public record CardsResponse(@JsonInclude(JsonInclude.Include.ALWAYS) List<Card> cards,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> extension) {

    public CardsResponse(List<Card> cards) {
        this(cards, null);
    }
}
