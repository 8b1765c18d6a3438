package org.legcramp.cds.hooks.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A card (CDS Hooks 2.0 "Card Attributes"). Empty fields are left out rather than sent as null.
 *
 * @param summary one sentence under 140 characters, leading with the action
 * @param detail markdown: why, for this patient, and what to do
 * @param indicator info, warning or critical
 * @param selectionBehavior required whenever there are suggestions
 * @param extension the spec's extension point; carries the explanation when the caller asks for it
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Card(
        String uuid,
        String summary,
        String detail,
        String indicator,
        Source source,
        List<Suggestion> suggestions,
        String selectionBehavior,
        List<Coding> overrideReasons,
        List<Link> links,
        Map<String, Object> extension) {

    /** Card extension key of the "why this card" explanation (sent only when asked for). */
    public static final String EXPLANATION = "http://legcrampcds.org/cds-hooks/explanation";

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Source(String label, String url) {}

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Link(String label, String url, String type) {}

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Suggestion(String label, String uuid, List<Action> actions) {}

    /**
     * @param type create, update or delete
     * @param resource the FHIR resource to create, as JSON
     * @param resourceId relative reference of the resource to delete, e.g. MedicationRequest/rx-1
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Action(String type, String description, com.fasterxml.jackson.databind.JsonNode resource, String resourceId) {}
}
