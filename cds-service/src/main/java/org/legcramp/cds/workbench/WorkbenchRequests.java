package org.legcramp.cds.workbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.legcramp.cds.hooks.BadRequestException;
import org.legcramp.cds.hooks.Hook;
import org.legcramp.cds.rules.CdsService;

/**
 * A hook request built from a patient's resources, as an EHR would send it to one service: the
 * draft orders (the bundle's draft MedicationRequests and ServiceRequests, and the products picked
 * on the page) in the context, every other resource in the prefetch key of its type. So a pasted
 * bundle or a CQL case goes through the same parsing and data assembly as a hook case.
 */
final class WorkbenchRequests {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ORDER_TYPES = Set.of("MedicationRequest", "ServiceRequest");

    private WorkbenchRequests() {}

    static ObjectNode fromBundle(CdsService service, JsonNode bundle, JsonNode drafts) {
        if (bundle == null || !"Bundle".equals(bundle.path("resourceType").asText())) {
            throw new BadRequestException("give either 'request' (a hook request) or 'bundle' (a FHIR Bundle of one patient's resources)");
        }
        List<JsonNode> resources = new ArrayList<>();
        bundle.path("entry").forEach(entry -> {
            if (entry.path("resource").isObject()) {
                resources.add(entry.get("resource"));
            }
        });
        JsonNode patient = resources.stream().filter(r -> "Patient".equals(r.path("resourceType").asText())).findFirst()
                .orElseThrow(() -> new BadRequestException("the bundle has no Patient resource"));
        String patientId = patient.path("id").asText();
        Hook hook = service.hook();

        List<JsonNode> orders = new ArrayList<>();
        List<JsonNode> record = new ArrayList<>();
        for (JsonNode resource : resources) {
            boolean draft = ORDER_TYPES.contains(resource.path("resourceType").asText())
                    && "draft".equals(resource.path("status").asText());
            (draft && hook.hasDraftOrders() ? orders : record).add(resource);
        }
        if (drafts != null && drafts.isArray()) {
            int n = 0;
            for (JsonNode product : drafts) {
                orders.add(draftOrder(patientId, "workbench-draft-" + (++n), product));
            }
        }

        ObjectNode request = JSON.createObjectNode();
        request.put("hookInstance", UUID.randomUUID().toString());
        request.put("hook", hook.id());
        ObjectNode context = request.putObject("context");
        context.put("userId", "Practitioner/workbench");
        context.put("patientId", patientId);
        if (hook.hasDraftOrders()) {
            ObjectNode draftOrders = context.putObject("draftOrders").put("resourceType", "Bundle").put("type", "collection");
            ArrayNode entries = draftOrders.putArray("entry");
            orders.forEach(order -> entries.addObject().set("resource", order));
            if (hook == Hook.ORDER_SELECT) {
                ArrayNode selections = context.putArray("selections");
                orders.forEach(order -> selections.add(order.path("resourceType").asText() + "/" + order.path("id").asText()));
            }
        }
        ObjectNode prefetch = request.putObject("prefetch");
        for (Map.Entry<String, String> key : service.prefetch().entrySet()) {
            String type = key.getValue().split("[/?]", 2)[0];
            if ("Patient".equals(type)) {
                prefetch.set(key.getKey(), patient);
                continue;
            }
            ObjectNode searchset = prefetch.putObject(key.getKey()).put("resourceType", "Bundle").put("type", "searchset");
            ArrayNode entries = searchset.putArray("entry");
            for (JsonNode resource : record) {
                String resourceType = resource.path("resourceType").asText();
                boolean included = "MedicationRequest".equals(type) && "Medication".equals(resourceType);
                if (resourceType.equals(type) || included) {
                    entries.addObject().set("resource", resource);
                }
            }
        }
        return request;
    }

    private static ObjectNode draftOrder(String patientId, String id, JsonNode product) {
        ObjectNode order = JSON.createObjectNode().put("resourceType", "MedicationRequest").put("id", id)
                .put("status", "draft").put("intent", "order");
        ObjectNode coding = order.putObject("medicationCodeableConcept").putArray("coding").addObject();
        coding.put("system", product.path("system").asText("http://www.nlm.nih.gov/research/umls/rxnorm"));
        coding.put("code", product.path("code").asText());
        coding.put("display", product.path("display").asText());
        order.putObject("subject").put("reference", "Patient/" + patientId);
        order.put("authoredOn", java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString());
        return order;
    }
}
