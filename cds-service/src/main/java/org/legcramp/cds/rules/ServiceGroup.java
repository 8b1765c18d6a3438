package org.legcramp.cds.rules;

import java.util.List;
import java.util.Map;
import org.legcramp.cds.hooks.Hook;

/**
 * Every rule of one hook behind one service ({@code leg-cramps-order-sign}), for an EHR that would
 * rather register three services than fifteen: one call, one parse of the data, the cards of each
 * rule as its own service gives them. The per-rule services stay, for sites that switch rules one
 * by one.
 *
 * @param prefetch the union of the rules' prefetch templates
 * @param dataNeeds what any of the rules can read
 */
public record ServiceGroup(String id, Hook hook, String title, String description, List<CdsService> members,
        Map<String, String> prefetch, DataNeeds dataNeeds) {

    /** A per-rule service as a group of one: either way, the rules one call runs. */
    public static ServiceGroup of(CdsService service) {
        return new ServiceGroup(service.id(), service.hook(), service.title(), service.description(), List.of(service),
                service.prefetch(), service.dataNeeds());
    }
}
