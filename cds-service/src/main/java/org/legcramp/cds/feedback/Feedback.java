package org.legcramp.cds.feedback;

import java.time.OffsetDateTime;
import java.util.List;
import org.legcramp.cds.hooks.wire.Coding;

/** One clinician's response to one card. */
public record Feedback(
        String cardUuid,
        String outcome,
        List<String> acceptedSuggestionIds,
        Coding overrideReason,
        String overrideComment,
        OffsetDateTime outcomeTimestamp) {}
