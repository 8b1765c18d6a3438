package org.legcramp.cds.cql;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.r4.model.Resource;

/**
 * The resources one hook call is evaluated on, by type, each type's parsed when a retrieve first
 * reads it. The EHR sends what its rules could read; what they do read depends on the patient: a
 * patient-view call for a patient without cramps never reads the lab results or the orders that
 * matter only for cramps, and parsing them was most of such a call's cost. A resource no rule
 * reads is therefore never parsed, so an invalid one is no error (as an invalid element no rule
 * reads is not: it could change no card); an invalid one a rule reads fails the evaluation with
 * {@link InvalidChartDataException}, which carries the request's own error.
 *
 * <p>The resources of a type are parsed together, on the thread that first reads the type and,
 * when they are many, on helper threads beside it. Safe across threads: the rules of a call read
 * the same data side by side, and a type is parsed once (a second reader waits for it).
 */
public final class ChartData {

    /**
     * Per thread taking part in a parse: fewer resources than this cost more to share than they save.
     * Measured over HTTP on the Synthea population (2 cores): with 16, a helper made the median call
     * (about 60 resources to parse) no faster, only the slowest tenth of calls.
     */
    public static final int MIN_RESOURCES_PER_PART = 64;

    /** One resource of a chart: parsed, or sent as JSON and parsed when first read. */
    public interface Entry {
        /** Its FHIR type, as the JSON names it. */
        String type();

        /** {@code Type/id}, or null without an id: two entries with one key are one resource (a draft replaces its stored version). */
        String key();

        /**
         * The resource, parsed on the first call (at most once; safe across threads).
         *
         * @throws RuntimeException the request's own error when its JSON is not valid FHIR
         */
        Resource resource();
    }

    /** An entry that was parsed already (a draft order, a fetched resource). */
    public record Parsed(Resource resource) implements Entry {
        @Override
        public String type() {
            return resource.fhirType();
        }

        @Override
        public String key() {
            return resource.getIdElement().hasIdPart() ? resource.fhirType() + "/" + resource.getIdElement().getIdPart() : null;
        }
    }

    private final Map<String, OfType> byType = new LinkedHashMap<>();
    private final ThreadPoolExecutor parseHelpers;

    /**
     * @param entries in the order of the data (a retrieve returns them in this order)
     * @param parseHelpers threads that parse parts of a type's resources beside the thread reading it
     *        (a part no helper has started when that thread is done with its own is parsed by that
     *        thread, so a busy pool slows no call down); null for none
     */
    public ChartData(List<? extends Entry> entries, ThreadPoolExecutor parseHelpers) {
        this.parseHelpers = parseHelpers;
        for (Entry entry : entries) {
            byType.computeIfAbsent(entry.type(), type -> new OfType()).entries.add(entry);
        }
    }

    /** Resources already parsed. */
    public static ChartData of(Collection<? extends Resource> resources) {
        return new ChartData(resources.stream().map(Parsed::new).toList(), null);
    }

    /**
     * The resources of one type, in the order of the data.
     *
     * @throws InvalidChartDataException when one of them is not valid FHIR (the first in the data)
     */
    public List<Resource> ofType(String type) {
        OfType ofType = byType.get(type);
        return ofType == null ? List.of() : ofType.resources();
    }

    /**
     * Every resource, in the order of the data within each type (for tools that show or test all of a
     * request's data).
     *
     * @throws RuntimeException the request's own error for the first invalid resource
     */
    public List<Resource> all() {
        List<Resource> all = new ArrayList<>();
        try {
            byType.values().forEach(ofType -> all.addAll(ofType.resources()));
        } catch (InvalidChartDataException e) {
            throw e.requestError();
        }
        return all;
    }

    /** One type's entries, parsed once, or the error of the first invalid one. */
    private final class OfType {
        final List<Entry> entries = new ArrayList<>();
        private List<Resource> parsed; // guarded by this
        private RuntimeException invalid; // guarded by this

        synchronized List<Resource> resources() {
            if (parsed == null && invalid == null) {
                try {
                    parsed = List.copyOf(parseAll(entries));
                } catch (EvaluationAbandonedException e) {
                    throw e; // not the data's fault: a reader still in time parses it again
                } catch (RuntimeException e) {
                    invalid = e;
                }
            }
            if (invalid != null) {
                throw new InvalidChartDataException(invalid);
            }
            return parsed;
        }
    }

    /**
     * Parses each entry. Entries are taken one by one, in order, by this thread and the helpers
     * together, so that however late a helper wakes up no thread waits with work left; an invalid
     * resource is reported as one thread would report it: the first invalid one in the data.
     */
    private List<Resource> parseAll(List<Entry> entries) {
        ParseInParts work = new ParseInParts(entries);
        long unparsed = entries.stream().filter(entry -> !(entry instanceof Parsed)).count();
        int helpers = parseHelpers == null ? 0
                : (int) Math.min(parseHelpers.getMaximumPoolSize(), unparsed / MIN_RESOURCES_PER_PART - 1);
        for (int i = 0; i < helpers; i++) {
            try {
                parseHelpers.execute(work::parse);
            } catch (RejectedExecutionException e) {
                break; // the helpers are saturated: fewer hands, same result
            }
        }
        work.parse();
        return work.result();
    }

    /** One type's resources parsed by however many threads take part (see parseAll). */
    private static final class ParseInParts {
        private final List<Entry> entries;
        private final Resource[] parsed;
        private final AtomicInteger next = new AtomicInteger();
        private int finished; // guarded by this
        private int firstInvalid = Integer.MAX_VALUE; // guarded by this
        private RuntimeException invalid; // guarded by this
        private volatile boolean stop;

        ParseInParts(List<Entry> entries) {
            this.entries = entries;
            this.parsed = new Resource[entries.size()];
        }

        /** Takes the next entry not yet taken until none is left (or one was invalid). */
        void parse() {
            while (!stop) {
                int index = next.getAndIncrement();
                if (index >= parsed.length) {
                    return;
                }
                RuntimeException failure = null;
                Resource resource = null;
                try {
                    resource = entries.get(index).resource();
                } catch (RuntimeException e) {
                    failure = e;
                    stop = true; // entries after it need not be parsed; those before it have all been taken
                }
                synchronized (this) {
                    parsed[index] = resource;
                    if (failure != null && index < firstInvalid) {
                        firstInvalid = index;
                        invalid = failure;
                    }
                    finished++;
                    notifyAll();
                }
            }
        }

        /** Once every entry taken is parsed: them all, or the first invalid one's error. */
        synchronized List<Resource> result() {
            try {
                while (finished < Math.min(next.get(), parsed.length)) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EvaluationAbandonedException();
            }
            if (invalid != null) {
                throw invalid;
            }
            return java.util.Arrays.asList(parsed);
        }
    }
}
