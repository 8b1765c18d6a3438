package org.legcramp.cds.casetest;

import java.util.List;

/**
 * The outcome of one case.
 *
 * @param kind "cql" (a library's defines) or "hook" (a service's cards)
 * @param group the library (cql) or rule (hook) the case belongs to
 * @param differences what was expected and what came, one line each; empty when the case passes
 * @param explanation why the engine answered as it did: define values and the resources behind them
 */
public record CaseResult(String kind, String group, String name, List<String> differences, List<String> explanation) {

    public boolean passed() {
        return differences.isEmpty();
    }

    public String displayName() {
        return group + "/" + name;
    }
}
