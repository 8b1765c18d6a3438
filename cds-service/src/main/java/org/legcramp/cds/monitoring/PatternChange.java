package org.legcramp.cds.monitoring;

/**
 * Has a rule's firing rate moved against its own baseline? A two-sided two-proportion z-test of the
 * share of calls on which the rule fired (shown, silent or suppressed alike, so a mode change is not
 * a pattern change) in a recent period against a baseline period. Flagged only when both periods
 * have at least {@code minCalls} calls and |z| is at least {@code zThreshold}: 3.29 is p < 0.001,
 * strict enough that ten rules on three hooks checked every week rarely raise a false alarm, while a
 * rule that breaks (fires twice as often, or stops) on a few hundred calls is caught.
 *
 * <p>The pattern-change monitoring of Yoshida et al., Appl Clin Inform 2018;9:163 (PMID 29514353).
 */
public record PatternChange(long minCalls, double zThreshold) {

    public static final PatternChange DEFAULT = new PatternChange(100, 3.29);

    /** The test's result; {@code z} is null when either period has too few calls to judge. */
    public record Result(Double z, boolean changed, String direction) {}

    public Result test(long baselineCalls, long baselineFired, long recentCalls, long recentFired) {
        if (baselineCalls < minCalls || recentCalls < minCalls) {
            return new Result(null, false, null);
        }
        double p0 = (double) baselineFired / baselineCalls;
        double p1 = (double) recentFired / recentCalls;
        double pooled = (double) (baselineFired + recentFired) / (baselineCalls + recentCalls);
        double variance = pooled * (1 - pooled) * (1.0 / baselineCalls + 1.0 / recentCalls);
        if (variance == 0) {
            return new Result(0.0, false, null); // both periods all fired, or neither ever fired
        }
        double z = (p1 - p0) / Math.sqrt(variance);
        boolean changed = Math.abs(z) >= zThreshold;
        return new Result(Math.round(z * 100) / 100.0, changed, changed ? (z > 0 ? "up" : "down") : null);
    }
}
