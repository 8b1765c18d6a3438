package org.legcramp.cds.workbench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.legcramp.cds.content.ContentException;
import org.legcramp.cds.cql.CqlEvaluator;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.hooks.BadRequestException;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.RuleCatalog;

/**
 * The workbench's live CQL editing: CQL sent with a run, for some content libraries, translated
 * into a library set of its own ({@link CqlLibraries#withSources}) that only this run evaluates.
 * Nothing is written to disk and the service's own libraries, which the hook endpoints evaluate,
 * are never touched. A few recent edit sets are kept translated, so running a case set, or the
 * same edit again, does not translate again.
 */
final class LiveCql {

    private static final int KEPT_EDIT_SETS = 8;

    private final RuleCatalog catalog;
    private final CqlLibraries saved;
    private final CqlEvaluator savedEvaluator;
    /** Recently translated edit sets, by the library run and the edits; access-ordered, least recently used first. */
    private final Map<EditSet, CqlLibraries> translated = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<EditSet, CqlLibraries> eldest) {
            return size() > KEPT_EDIT_SETS;
        }
    };

    LiveCql(RuleCatalog catalog, CqlLibraries saved, CqlEvaluator savedEvaluator) {
        this.catalog = catalog;
        this.saved = saved;
        this.savedEvaluator = savedEvaluator;
    }

    /** The content as saved: what the hook endpoints serve. */
    Content saved() {
        return new Content(saved, savedEvaluator, Map.of(), List.of(), 0, false);
    }

    /**
     * The content with a run's {@code cql} edits ({@code {"LibraryName": "library LibraryName ..."}}),
     * for evaluating {@code library}; the saved content when there are none, or when every edit
     * equals the saved text.
     *
     * @throws BadRequestException for a library that is not the content's, or a source that is not text
     * @throws org.legcramp.cds.cql.CqlTranslationException when an edit does not translate (a 400 listing each error)
     */
    Content of(JsonNode edits, String library) {
        if (edits == null || edits.isNull()) {
            return saved();
        }
        if (!edits.isObject()) {
            throw new BadRequestException("'cql' must be an object of library name to CQL text");
        }
        Map<String, String> changed = new TreeMap<>();
        for (Map.Entry<String, JsonNode> edit : edits.properties()) {
            if (!saved.contains(edit.getKey())) {
                throw new BadRequestException("'" + edit.getKey() + "' is not a CQL library of the content; edit one of "
                        + new java.util.TreeSet<>(saved.names()));
            }
            if (!edit.getValue().isTextual()) {
                throw new BadRequestException("the CQL of " + edit.getKey() + " must be a string");
            }
            if (!edit.getValue().asText().equals(saved.source(edit.getKey()))) {
                changed.put(edit.getKey(), edit.getValue().asText());
            }
        }
        if (changed.isEmpty()) {
            return saved();
        }
        long started = System.nanoTime();
        CqlLibraries libraries;
        boolean cached;
        // One translation at a time: the translator shares the model info of the service's libraries.
        EditSet key = new EditSet(library, Map.copyOf(changed));
        synchronized (translated) {
            libraries = translated.get(key);
            cached = libraries != null;
            if (!cached) {
                libraries = saved.withSources(changed, library);
                translated.put(key, libraries);
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        return new Content(libraries, savedEvaluator.withLibraries(libraries), changed, List.copyOf(changed.keySet()), millis,
                cached);
    }

    /** The library a run evaluates and the edits it runs with: what a translation is kept under. */
    private record EditSet(String library, Map<String, String> edits) {}

    /**
     * One run's content: the library set and its evaluator, and what was edited.
     *
     * @param translationMillis how long the edits took to translate (near 0 when {@code cached})
     */
    record Content(CqlLibraries libraries, CqlEvaluator evaluator, Map<String, String> edits, List<String> edited,
            long translationMillis, boolean cached) {

        boolean isEdited() {
            return !edits.isEmpty();
        }

        /** For the run's result: which libraries ran edited, and how long translating them took. */
        Map<String, Object> summary() {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("edited", edited);
            summary.put("translationMillis", translationMillis);
            summary.put("cached", cached);
            return summary;
        }
    }

    /** The service as the run's content has it: the saved one, or checked against and reading as the edited library. */
    CdsService service(Content content, CdsService service) {
        if (!content.isEdited()) {
            return service;
        }
        try {
            return catalog.withLibraries(service, content.libraries());
        } catch (ContentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }
}
