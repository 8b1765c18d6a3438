package org.legcramp.cds.prefetch;

import java.util.List;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.cql.ChartData;

/** One prefetch key as the EHR sent it (CDS Hooks 2.0 "Prefetch"). */
public sealed interface PrefetchValue {

    /** JSON null: the EHR knows there is no such data. */
    record KnownAbsent() implements PrefetchValue {}

    /** An OperationOutcome in place of the data: the EHR tried and failed, so fetch it ourselves. */
    record Failed(String reason) implements PrefetchValue {}

    /** The data: a resource, or the resources of a search Bundle, each parsed when first read (see ChartData). */
    record Present(List<ChartData.Entry> entries) implements PrefetchValue {

        /** Every resource, parsed now (the request's error for the first invalid one). */
        public List<Resource> resources() {
            return entries.stream().map(ChartData.Entry::resource).toList();
        }
    }
}
