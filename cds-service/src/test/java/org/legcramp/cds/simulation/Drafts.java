package org.legcramp.cds.simulation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Reference;
import org.legcramp.cds.hooks.Hook;

/**
 * The typical draft orders of each order hook ({@code simulation/drafts.json}): the simulation writes
 * each for every patient, one at a time, as a prescriber would.
 */
public record Drafts(Map<Hook, List<Draft>> byHook) {

    /** A draft order: a coded medication, with an optional coded reason. */
    public record Draft(String label, String system, String code, String display, Coding reason) {

        public MedicationRequest order(String patientId) {
            MedicationRequest order = new MedicationRequest();
            order.setId("draft-" + label);
            order.setStatus(MedicationRequest.MedicationRequestStatus.DRAFT);
            order.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
            order.setSubject(new Reference("Patient/" + patientId));
            order.setAuthoredOnElement(new DateTimeType(LocalDate.now().toString()));
            order.setMedication(new CodeableConcept(new Coding(system, code, display)).setText(display));
            if (reason != null) {
                order.addReasonCode(new CodeableConcept(reason));
            }
            return order;
        }
    }

    public List<Draft> of(Hook hook) {
        return byHook.getOrDefault(hook, List.of());
    }

    /** Reads the file; a draft without a code, or a hook naming a draft that is not listed, is refused with the reason. */
    public static Drafts read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        Map<String, Draft> drafts = new LinkedHashMap<>();
        int index = 0;
        for (JsonNode node : root.path("drafts")) {
            String where = file + ": drafts[" + index++ + "]";
            JsonNode reason = node.path("reason");
            Draft draft = new Draft(required(node, "label", where), required(node, "system", where), required(node, "code", where),
                    node.path("display").asText(null),
                    reason.isObject() ? new Coding(required(reason, "system", where + ".reason"),
                            required(reason, "code", where + ".reason"), reason.path("display").asText(null)) : null);
            if (drafts.put(draft.label(), draft) != null) {
                throw new IllegalArgumentException(where + ": label '" + draft.label() + "' is used twice");
            }
        }
        if (drafts.isEmpty()) {
            throw new IllegalArgumentException(file + ": 'drafts' lists no draft order");
        }
        Map<Hook, List<Draft>> byHook = new LinkedHashMap<>();
        for (Hook hook : Hook.values()) {
            if (!hook.hasDraftOrders()) {
                continue;
            }
            JsonNode labels = root.path("hooks").path(hook.id());
            if (labels.isMissingNode() || labels.isNull()) {
                byHook.put(hook, List.copyOf(drafts.values()));
                continue;
            }
            List<Draft> forHook = new ArrayList<>();
            for (JsonNode label : labels) {
                Draft draft = drafts.get(label.asText());
                if (draft == null) {
                    throw new IllegalArgumentException(file + ": hooks." + hook.id() + " names '" + label.asText()
                            + "', which 'drafts' does not list");
                }
                forHook.add(draft);
            }
            byHook.put(hook, forHook);
        }
        return new Drafts(byHook);
    }

    private static String required(JsonNode node, String field, String where) {
        String value = node.path(field).asText("");
        if (value.isBlank()) {
            throw new IllegalArgumentException(where + " needs '" + field + "'");
        }
        return value;
    }
}
