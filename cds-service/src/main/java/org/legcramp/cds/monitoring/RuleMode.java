package org.legcramp.cds.monitoring;

/**
 * How a rule runs ({@code legcramp.rules.<rule-id>.mode}), set per site without touching content.
 * The go-live routine is simulate, then silent, then active (docs/deployment.md).
 */
public enum RuleMode {
    /** Evaluated; its cards are shown. The default. */
    ACTIVE,
    /** Evaluated and counted as "would have fired"; no card reaches the clinician. */
    SILENT,
    /** Not evaluated at all. */
    OFF;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
