package org.legcramp.cds.cql;

import org.opencds.cqf.cql.engine.data.CompositeDataProvider;
import org.opencds.cqf.cql.engine.model.ModelResolver;
import org.opencds.cqf.cql.engine.retrieve.RetrieveProvider;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.runtime.Interval;

/**
 * The engine's data provider, made to stop when its thread is interrupted. The engine itself never
 * checks for interruption, but every retrieve and every property access goes through here, so an
 * abandoned evaluation ends within one property access instead of running to completion.
 */
final class InterruptibleDataProvider extends CompositeDataProvider {

    InterruptibleDataProvider(ModelResolver modelResolver, RetrieveProvider retrieveProvider) {
        super(modelResolver, retrieveProvider);
    }

    @Override
    public Object resolvePath(Object target, String path) {
        stopIfAbandoned();
        return super.resolvePath(target, path);
    }

    @Override
    public Iterable<Object> retrieve(String context, String contextPath, Object contextValue, String dataType,
            String templateId, String codePath, Iterable<Code> codes, String valueSet, String datePath,
            String dateLowPath, String dateHighPath, Interval dateRange) {
        stopIfAbandoned();
        return super.retrieve(context, contextPath, contextValue, dataType, templateId, codePath, codes, valueSet,
                datePath, dateLowPath, dateHighPath, dateRange);
    }

    static void stopIfAbandoned() {
        if (Thread.currentThread().isInterrupted()) {
            throw new EvaluationAbandonedException();
        }
    }
}
