package org.legcramp.cds.support;

import java.nio.file.Path;
import java.util.List;
import org.legcramp.cds.casetest.CaseFiles;
import org.legcramp.cds.casetest.HookCaseSpec;

/** The hook cases of this checkout (fhir-resources/hook-cases), dates rolled to today. */
public final class HookCase {

    private static final Path REPO = Path.of("..");

    private HookCase() {}

    public static List<HookCaseSpec> all() {
        return CaseFiles.hookCases(REPO, null, null);
    }

    public static HookCaseSpec named(String rule, String name) {
        return CaseFiles.hookCases(REPO, rule, null).stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No hook case " + rule + "/" + name));
    }
}
