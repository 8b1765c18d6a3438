package org.legcramp.cds.cql;

import org.opencds.cqf.cql.engine.data.CompositeDataProvider;
import org.opencds.cqf.cql.engine.model.ModelResolver;
import org.opencds.cqf.cql.engine.retrieve.RetrieveProvider;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.runtime.Interval;

/**
 * The engine's data provider, made to stop when its thread is interrupted or the evaluation's
 * deadline has passed. The engine itself never checks for either, but every retrieve and every
 * property access goes through here, so an abandoned evaluation ends within a few property accesses
 * instead of running to completion, on whichever thread it runs (the request thread too). One per
 * evaluation, used by one thread.
 */
final class InterruptibleDataProvider extends CompositeDataProvider {

    static final long NO_DEADLINE = Long.MIN_VALUE;
    /** Property accesses between two looks at the clock (a look costs about as much as an access). */
    private static final int ACCESSES_PER_CLOCK_CHECK = 64;

    private final long deadlineNanos;
    private int untilClockCheck = ACCESSES_PER_CLOCK_CHECK;

    /** @param deadlineNanos the System.nanoTime past which the evaluation stops, or NO_DEADLINE */
    InterruptibleDataProvider(ModelResolver modelResolver, RetrieveProvider retrieveProvider, long deadlineNanos) {
        super(modelResolver, retrieveProvider);
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public Object resolvePath(Object target, String path) {
        if (--untilClockCheck <= 0) {
            untilClockCheck = ACCESSES_PER_CLOCK_CHECK;
            stopIfPastDeadline();
        }
        stopIfAbandoned();
        return super.resolvePath(target, path);
    }

    @Override
    public Iterable<Object> retrieve(String context, String contextPath, Object contextValue, String dataType,
            String templateId, String codePath, Iterable<Code> codes, String valueSet, String datePath,
            String dateLowPath, String dateHighPath, Interval dateRange) {
        stopIfPastDeadline();
        stopIfAbandoned();
        return super.retrieve(context, contextPath, contextValue, dataType, templateId, codePath, codes, valueSet,
                datePath, dateLowPath, dateHighPath, dateRange);
    }

    private void stopIfPastDeadline() {
        if (deadlineNanos != NO_DEADLINE && System.nanoTime() - deadlineNanos > 0) {
            throw new EvaluationAbandonedException();
        }
    }

    static void stopIfAbandoned() {
        if (Thread.currentThread().isInterrupted()) {
            throw new EvaluationAbandonedException();
        }
    }
}
