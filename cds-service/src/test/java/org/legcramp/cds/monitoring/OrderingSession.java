package org.legcramp.cds.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.UUID;
import org.legcramp.cds.support.HookCase;

/**
 * A clinician writing one order: the order-select and the order-sign call of a hook case's draft
 * orders, for one patient. Each session gets draft order ids of its own, so that sessions in one
 * test run do not see each other's cards as repeats.
 */
final class OrderingSession {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode sign;

    /** @param signCase an order-sign hook case of the rule */
    OrderingSession(String rule, String signCase) {
        ObjectNode request = HookCase.named(rule, signCase).request();
        String text = request.toString();
        for (JsonNode entry : request.at("/context/draftOrders/entry")) {
            String id = entry.at("/resource/id").asText();
            String unique = id + "-" + UUID.randomUUID();
            text = text.replace("\"" + id + "\"", "\"" + unique + "\"").replace("/" + id + "\"", "/" + unique + "\"");
        }
        try {
            sign = (ObjectNode) JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (!sign.get("hook").asText().equals("order-sign")) {
            throw new IllegalArgumentException(rule + "/" + signCase + " is not an order-sign case");
        }
    }

    /** The order-sign call: every draft order. */
    ObjectNode sign() {
        ObjectNode request = sign.deepCopy();
        request.put("hookInstance", UUID.randomUUID().toString());
        return request;
    }

    /** The order-select call of the same drafts, all of them selected. */
    ObjectNode select() {
        ObjectNode request = sign();
        request.put("hook", "order-select");
        ArrayNode selections = ((ObjectNode) request.get("context")).putArray("selections");
        for (JsonNode entry : request.at("/context/draftOrders/entry")) {
            selections.add(entry.at("/resource/resourceType").asText() + "/" + entry.at("/resource/id").asText());
        }
        return request;
    }

    /** The order-sign call with one more draft order: a copy of the first under a new id. */
    ObjectNode signWithAnotherDraft() {
        ObjectNode request = sign();
        ArrayNode entries = (ArrayNode) request.at("/context/draftOrders/entry");
        ObjectNode another = entries.get(0).deepCopy();
        ((ObjectNode) another.get("resource")).put("id", "another-" + UUID.randomUUID());
        entries.add(another);
        return request;
    }
}
