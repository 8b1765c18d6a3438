package org.legcramp.cds.feedback;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.legcramp.cds.hooks.BadRequestException;
import org.legcramp.cds.hooks.wire.Coding;
import org.springframework.stereotype.Component;

/**
 * Validates a feedback request (CDS Hooks 2.0 "Feedback"): for each item the card uuid, the
 * outcome (accepted or overridden), the accepted suggestions, the override reason and the time.
 */
@Component
public class FeedbackParser {

    public List<Feedback> parse(JsonNode body) {
        JsonNode items = body.get("feedback");
        if (items == null || !items.isArray() || items.isEmpty()) {
            throw new BadRequestException("'feedback' must be a non-empty array");
        }
        List<Feedback> feedback = new ArrayList<>();
        int index = 0;
        for (JsonNode item : items) {
            feedback.add(item(item, "feedback[" + index++ + "]"));
        }
        return feedback;
    }

    private static Feedback item(JsonNode item, String name) {
        if (!item.isObject()) {
            throw new BadRequestException(name + " must be an object");
        }
        String card = text(item, "card", name);
        try {
            UUID.fromString(card);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(name + ".card must be the uuid of a card");
        }
        String outcome = text(item, "outcome", name);
        if (!outcome.equals("accepted") && !outcome.equals("overridden")) {
            throw new BadRequestException(name + ".outcome must be 'accepted' or 'overridden'");
        }
        OffsetDateTime when;
        try {
            when = OffsetDateTime.parse(text(item, "outcomeTimestamp", name));
        } catch (DateTimeParseException e) {
            throw new BadRequestException(name + ".outcomeTimestamp must be an ISO 8601 date-time with offset");
        }
        List<String> accepted = new ArrayList<>();
        JsonNode suggestions = item.get("acceptedSuggestions");
        if (suggestions != null && !suggestions.isNull()) {
            if (!outcome.equals("accepted") || !suggestions.isArray()) {
                throw new BadRequestException(name + ".acceptedSuggestions is an array, and only for an accepted outcome");
            }
            for (JsonNode suggestion : suggestions) {
                accepted.add(text(suggestion, "id", name + ".acceptedSuggestions[]"));
            }
        }
        Coding reason = null;
        String comment = null;
        JsonNode override = item.get("overrideReason");
        if (override != null && !override.isNull()) {
            if (!outcome.equals("overridden") || !override.isObject()) {
                throw new BadRequestException(name + ".overrideReason is an object, and only for an overridden outcome");
            }
            JsonNode coding = override.get("reason");
            if (coding != null && !coding.isNull()) {
                reason = new Coding(text(coding, "system", name + ".overrideReason.reason"),
                        text(coding, "code", name + ".overrideReason.reason"),
                        coding.hasNonNull("display") ? coding.get("display").asText() : null);
            }
            comment = override.hasNonNull("userComment") ? override.get("userComment").asText() : null;
        }
        return new Feedback(card, outcome, accepted, reason, comment, when);
    }

    private static String text(JsonNode node, String field, String name) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new BadRequestException(name + "." + field + " is required and must be a non-empty string");
        }
        return value.asText();
    }
}
