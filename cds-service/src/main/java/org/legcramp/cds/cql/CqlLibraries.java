package org.legcramp.cds.cql;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import kotlinx.io.CoreKt;
import kotlinx.io.JvmCoreKt;
import org.cqframework.cql.cql2elm.CqlCompilerException;
import org.cqframework.cql.cql2elm.CqlCompilerOptions;
import org.cqframework.cql.cql2elm.CqlSyntaxException;
import org.cqframework.cql.cql2elm.LibraryManager;
import org.cqframework.cql.cql2elm.ModelManager;
import org.cqframework.cql.cql2elm.model.CompiledLibrary;
import org.cqframework.cql.cql2elm.quick.FhirLibrarySourceProvider;
import org.cqframework.cql.cql2elm.tracking.TrackBack;
import org.cqframework.cql.elm.visiting.FunctionalElmVisitor;
import org.hl7.elm.r1.ByColumn;
import org.hl7.elm.r1.Children;
import org.hl7.elm.r1.Descendants;
import org.hl7.elm.r1.Element;
import org.hl7.elm.r1.IdentifierRef;
import org.hl7.elm.r1.Property;
import org.hl7.elm.r1.ExpressionDef;
import org.hl7.elm.r1.ExpressionRef;
import org.hl7.elm.r1.FunctionRef;
import org.hl7.elm.r1.FunctionDef;
import org.hl7.elm.r1.IncludeDef;
import org.hl7.elm.r1.Library;
import org.hl7.elm.r1.Retrieve;
import org.hl7.elm.r1.ValueSetDef;
import org.hl7.elm.r1.ValueSetRef;
import org.hl7.elm.r1.VersionedIdentifier;

/**
 * The content's CQL, translated to ELM once when the service starts; per request nothing is
 * translated again, except the workbench's live edits, which translate into a set of their own
 * ({@link #withSources}). A content library that does not translate is kept aside with its errors,
 * each at its file, line and column ({@link #untranslated()}).
 */
public final class CqlLibraries {

    private final LibraryManager libraryManager;
    private final Map<String, CompiledLibrary> compiledByName = new LinkedHashMap<>();
    private final Map<String, CqlTranslationException> untranslated = new LinkedHashMap<>();
    private final Map<String, String> sourceByName;

    /**
     * @param cqlSourceByLibraryName CQL text of every content library, by its declared name
     */
    public CqlLibraries(Map<String, String> cqlSourceByLibraryName) {
        this(cqlSourceByLibraryName, new ModelManager(), Map.of(), cqlSourceByLibraryName.keySet(), null);
    }

    /**
     * A library set of its own for evaluating {@code library}, with {@code sources} for some
     * libraries in place of the content's: the content's libraries are reused as translated, and
     * only the edited ones, and {@code library} when it includes an edited one, are translated
     * again. Other libraries that include an edited one are left out (this set is for
     * {@code library} only). The service's own set is not touched.
     *
     * @throws IllegalArgumentException when a name is not a content library
     * @throws CqlTranslationException when an edited library does not translate
     */
    public CqlLibraries withSources(Map<String, String> sources, String library) {
        for (String name : sources.keySet()) {
            if (!sourceByName.containsKey(name)) {
                throw new IllegalArgumentException("'" + name + "' is not a library of the content; the libraries are "
                        + new TreeSet<>(sourceByName.keySet()));
            }
        }
        Set<String> affected = new TreeSet<>();
        for (String name : sourceByName.keySet()) {
            if (sources.containsKey(name) || includesAnyOf(name, sources.keySet())) {
                affected.add(name);
            }
        }
        Set<String> retranslated = new TreeSet<>(sources.keySet());
        if (affected.contains(library)) {
            retranslated.add(library);
        }
        Map<VersionedIdentifier, CompiledLibrary> reused = new HashMap<>();
        libraryManager.getCompiledLibraries().forEach((identifier, compiled) -> {
            if (!affected.contains(identifier.getId())) {
                reused.put(identifier, compiled);
            }
        });
        Map<String, String> merged = new LinkedHashMap<>();
        sourceByName.forEach((name, source) -> {
            if (!affected.contains(name) || retranslated.contains(name)) {
                merged.put(name, sources.getOrDefault(name, source));
            }
        });
        // The model info is read once per JVM; translating an edit reuses it (and FHIRHelpers, through `reused`).
        return new CqlLibraries(merged, libraryManager.getModelManager(), reused, retranslated, this);
    }

    /** Translates the libraries {@code toTranslate}; takes the others as {@code base} translated them. */
    private CqlLibraries(Map<String, String> cqlSourceByLibraryName, ModelManager models,
            Map<VersionedIdentifier, CompiledLibrary> translated, Set<String> toTranslate, CqlLibraries base) {
        CqlCompilerOptions options = CqlCompilerOptions.defaultOptions();
        options.getOptions().add(CqlCompilerOptions.Options.EnableLocators);
        options.getOptions().add(CqlCompilerOptions.Options.EnableResultTypes);
        this.sourceByName = Map.copyOf(cqlSourceByLibraryName);
        this.libraryManager = new LibraryManager(models, options, new HashMap<>(translated));
        libraryManager.getLibrarySourceLoader().registerProvider(new FhirLibrarySourceProvider());
        libraryManager.getLibrarySourceLoader().registerProvider(identifier -> {
            String source = sourceByName.get(identifier.getId());
            return source == null ? null : CoreKt.buffered(JvmCoreKt.asSource(
                    new java.io.ByteArrayInputStream(source.getBytes(StandardCharsets.UTF_8))));
        });
        // Included libraries first, so that a library including one finds it translated (see compile).
        Map<String, CompiledLibrary> compiled = new HashMap<>();
        List<String> order = new ArrayList<>(toTranslate);
        if (base != null) {
            order.sort(java.util.Comparator.comparing(name -> base.includesAnyOf(name, toTranslate)));
        }
        for (String name : order) {
            try {
                compiled.put(name, compile(name));
            } catch (CqlTranslationException e) {
                untranslated.put(name, e);
            }
        }
        for (String name : cqlSourceByLibraryName.keySet()) {
            CompiledLibrary library = toTranslate.contains(name) ? compiled.get(name) : base.compiledByName.get(name);
            if (library != null) {
                compiledByName.put(name, library);
            }
        }
        if (base != null && !untranslated.isEmpty()) {
            throw untranslated.values().iterator().next(); // an edit that does not translate is the editor's to fix
        }
    }

    /**
     * The libraries that do not translate, each with its first error; a library that includes one
     * of them is among them, with the included library's error. The service refuses to start when
     * there is any ({@code RuleCatalog.compile}); the case runner fails only their cases.
     */
    public Map<String, CqlTranslationException> untranslated() {
        return Collections.unmodifiableMap(untranslated);
    }

    private boolean includesAnyOf(String libraryName, Set<String> names) {
        if (!contains(libraryName)) {
            return false;
        }
        Library elm = elm(libraryName);
        if (elm.getIncludes() == null) {
            return false;
        }
        for (IncludeDef include : elm.getIncludes().getDef()) {
            if (names.contains(include.getPath()) || includesAnyOf(include.getPath(), names)) {
                return true;
            }
        }
        return false;
    }

    private CompiledLibrary compile(String name) {
        // An include names the version ("LegCrampCommon version '1.0.0'"), we name none: one translation serves both.
        CompiledLibrary translated = libraryManager.getCompiledLibraries().entrySet().stream()
                .filter(entry -> entry.getKey().getId().equals(name)).map(Map.Entry::getValue).findFirst().orElse(null);
        if (translated != null) {
            return translated;
        }
        List<CqlCompilerException> errors = new ArrayList<>();
        CompiledLibrary compiled;
        try {
            compiled = libraryManager.resolveLibrary(new VersionedIdentifier().withId(name), errors);
        } catch (RuntimeException e) {
            throw new CqlTranslationException(List.of(
                    new TranslationError(TranslationError.fileOf(name), 0, 0, String.valueOf(e.getMessage()))));
        }
        List<CqlCompilerException> severe = errors.stream()
                .filter(e -> e.getSeverity() == CqlCompilerException.ErrorSeverity.Error)
                .toList();
        if (!severe.isEmpty()) {
            throw new CqlTranslationException(causes(name, severe));
        }
        String declared = compiled.getIdentifier() == null ? null : compiled.getIdentifier().getId();
        if (!name.equals(declared)) {
            throw new CqlTranslationException(List.of(new TranslationError(TranslationError.fileOf(name), 1, 1,
                    "the library is declared as '" + declared + "'; its file and the PlanDefinition call it " + name)));
        }
        libraryManager.getCompiledLibraries().putIfAbsent(compiled.getIdentifier(), compiled);
        return compiled;
    }

    /**
     * The errors to show: after a syntax error the translator goes on to report what it could not
     * make of the rest ("Internal translator error", "could not validate reference ... because its
     * definition contains errors"), which only hides the cause, so then the syntax errors alone.
     */
    private List<TranslationError> causes(String name, List<CqlCompilerException> errors) {
        boolean syntaxError = errors.stream().anyMatch(e -> e instanceof CqlSyntaxException);
        List<TranslationError> causes = errors.stream()
                .filter(e -> !syntaxError || e instanceof CqlSyntaxException)
                .filter(e -> !String.valueOf(e.getMessage()).endsWith("because its definition contains errors."))
                .map(e -> locate(name, e))
                .distinct()
                .toList();
        return causes.isEmpty() ? errors.stream().map(e -> locate(name, e)).distinct().toList() : causes;
    }

    /**
     * The error at its file, line and column. The error may lie in a library this one includes;
     * the translator's syntax errors count columns from 0, its other errors from 1.
     */
    private TranslationError locate(String name, CqlCompilerException error) {
        TrackBack where = error.getLocator();
        String message = String.valueOf(error.getMessage());
        if (where == null) {
            return new TranslationError(TranslationError.fileOf(name), 0, 0, message);
        }
        String library = where.getLibrary() == null || where.getLibrary().getId() == null ? name : where.getLibrary().getId();
        String file = TranslationError.fileOf(library);
        if (!(error instanceof CqlSyntaxException)) {
            return new TranslationError(file, where.getStartLine(), where.getStartChar(), message);
        }
        int line = where.getStartLine();
        int column = where.getStartChar() + 1;
        return UnbalancedBrackets.unclosedBefore(sourceByName.getOrDefault(library, ""), line, column)
                .map(bracket -> new TranslationError(file, bracket.line(), bracket.column(), "'" + bracket.text()
                        + "' is not closed (the translator noticed at " + line + ":" + column + ": " + message + ")"))
                .orElse(new TranslationError(file, line, column, message));
    }

    /** The CQL text of a content library, as this set translated it. */
    public String source(String libraryName) {
        String source = sourceByName.get(libraryName);
        if (source == null) {
            throw new IllegalArgumentException("No CQL library named " + libraryName);
        }
        return source;
    }

    /** The CQL text an ELM element was translated from (through its locator), or null when it has none. */
    public String sourceText(String libraryName, Element element) {
        if (element == null || element.getLocator() == null) {
            return null;
        }
        return textAt(sourceByName.getOrDefault(libraryName, "").split("\\R", -1), element.getLocator());
    }

    public LibraryManager libraryManager() {
        return libraryManager;
    }

    public boolean contains(String libraryName) {
        return compiledByName.containsKey(libraryName);
    }

    public Library elm(String libraryName) {
        CompiledLibrary compiled = compiledByName.get(libraryName);
        if (compiled == null) {
            throw new IllegalArgumentException("No CQL library named " + libraryName);
        }
        return compiled.getLibrary();
    }

    public VersionedIdentifier identifier(String libraryName) {
        return elm(libraryName).getIdentifier();
    }

    /** Names of the library's expression definitions (not functions), in source order. */
    public List<String> defineNames(String libraryName) {
        Library elm = elm(libraryName);
        if (elm.getStatements() == null) {
            return List.of();
        }
        return elm.getStatements().getDef().stream()
                .filter(def -> !(def instanceof FunctionDef))
                .map(ExpressionDef::getName)
                .filter(name -> !"Patient".equals(name))
                .toList();
    }

    /** The library and the content libraries it includes (not FHIRHelpers), for coverage reports. */
    public List<VersionedIdentifier> contentIdentifiersUsedBy(String libraryName) {
        List<VersionedIdentifier> identifiers = new ArrayList<>();
        forLibraryAndIncludes(libraryName, elm -> {
            if (identifiers.stream().noneMatch(i -> i.getId().equals(elm.getIdentifier().getId()))) {
                identifiers.add(elm.getIdentifier());
            }
        });
        return identifiers;
    }

    /** Names of the library's parameters (site-tunable thresholds). */
    public List<String> parameterNames(String libraryName) {
        Library elm = elm(libraryName);
        if (elm.getParameters() == null) {
            return List.of();
        }
        return elm.getParameters().getDef().stream().map(org.hl7.elm.r1.ParameterDef::getName).toList();
    }

    /**
     * The declared type of each of the library's parameters, in CQL's own words ({@code Quantity},
     * {@code Decimal}, {@code Integer}, {@code List<FHIR.Condition>}, ...), in source order.
     */
    public Map<String, String> parameterTypes(String libraryName) {
        Library elm = elm(libraryName);
        Map<String, String> types = new LinkedHashMap<>();
        if (elm.getParameters() != null) {
            for (org.hl7.elm.r1.ParameterDef parameter : elm.getParameters().getDef()) {
                String type = describe(parameter.getParameterTypeSpecifier());
                if (type == null) {
                    type = describe(parameter.getResultTypeName(), parameter.getResultTypeSpecifier());
                }
                if (type == null && parameter.getDefault() != null) {
                    type = describe(parameter.getDefault().getResultTypeName(), parameter.getDefault().getResultTypeSpecifier());
                }
                types.put(parameter.getName(), type == null ? "Any" : type);
            }
        }
        return types;
    }

    /**
     * The default of each of the library's parameters as its CQL writes it ({@code 30 days}), found
     * through the translator's locators; parameters without a default are absent.
     */
    public Map<String, String> parameterDefaults(String libraryName) {
        Map<String, String> defaults = new LinkedHashMap<>();
        Library elm = elm(libraryName);
        String[] lines = sourceByName.getOrDefault(libraryName, "").split("\\R", -1);
        if (elm.getParameters() != null) {
            for (org.hl7.elm.r1.ParameterDef parameter : elm.getParameters().getDef()) {
                if (parameter.getDefault() == null) {
                    continue;
                }
                String text = parameter.getDefault().getLocator() == null ? null
                        : textAt(lines, parameter.getDefault().getLocator());
                if (text != null) {
                    defaults.put(parameter.getName(), text);
                }
            }
        }
        return defaults;
    }

    /** Source text at an ELM locator {@code line:col-line:col} or {@code line:col} (1-based, inclusive); null when it cannot be read. */
    private static String textAt(String[] lines, String locator) {
        try {
            String[] range = locator.split("-");
            String[] start = range[0].split(":");
            // One character (a default of 2) is located as "line:col", with no range.
            String[] end = (range.length > 1 ? range[1] : range[0]).split(":");
            int startLine = Integer.parseInt(start[0]) - 1;
            int endLine = Integer.parseInt(end[0]) - 1;
            StringBuilder text = new StringBuilder();
            for (int line = startLine; line <= endLine; line++) {
                String source = lines[line];
                int from = line == startLine ? Integer.parseInt(start[1]) - 1 : 0;
                int to = line == endLine ? Math.min(source.length(), Integer.parseInt(end[1])) : source.length();
                text.append(line == startLine ? "" : " ").append(source, from, to);
            }
            return text.toString().trim();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The result type of a define, in CQL's own words ({@code Boolean}, {@code String},
     * {@code List<FHIR.MedicationRequest>}), from the translator's result types; null when the
     * library has no such define or the translator gave it no type.
     */
    public String resultType(String libraryName, String define) {
        Library elm = elm(libraryName);
        if (elm.getStatements() == null) {
            return null;
        }
        return elm.getStatements().getDef().stream()
                .filter(def -> !(def instanceof FunctionDef) && def.getName().equals(define))
                .findFirst()
                .map(def -> {
                    String type = describe(def.getResultTypeName(), def.getResultTypeSpecifier());
                    return type != null || def.getExpression() == null ? type
                            : describe(def.getExpression().getResultTypeName(), def.getExpression().getResultTypeSpecifier());
                })
                .orElse(null);
    }

    private static final String SYSTEM_TYPES = "urn:hl7-org:elm-types:r1";

    private static String describe(javax.xml.namespace.QName name, org.hl7.elm.r1.TypeSpecifier specifier) {
        return name != null ? describe(name) : describe(specifier);
    }

    private static String describe(javax.xml.namespace.QName name) {
        if (name == null) {
            return null;
        }
        if (SYSTEM_TYPES.equals(name.getNamespaceURI())) {
            return name.getLocalPart();
        }
        return (CqlEvaluator.FHIR_MODEL_URI.equals(name.getNamespaceURI()) ? "FHIR." : "") + name.getLocalPart();
    }

    private static String describe(org.hl7.elm.r1.TypeSpecifier specifier) {
        if (specifier instanceof org.hl7.elm.r1.NamedTypeSpecifier named) {
            return describe(named.getName());
        }
        if (specifier instanceof org.hl7.elm.r1.ListTypeSpecifier list) {
            String element = describe(list.getElementType());
            return "List<" + (element == null ? "Any" : element) + ">";
        }
        if (specifier instanceof org.hl7.elm.r1.IntervalTypeSpecifier interval) {
            String point = describe(interval.getPointType());
            return "Interval<" + (point == null ? "Any" : point) + ">";
        }
        if (specifier instanceof org.hl7.elm.r1.TupleTypeSpecifier) {
            return "Tuple";
        }
        if (specifier instanceof org.hl7.elm.r1.ChoiceTypeSpecifier) {
            return "Choice";
        }
        return null;
    }

    /** Names of the content's own libraries that translate (FHIRHelpers excluded). */
    public Set<String> names() {
        return compiledByName.keySet();
    }

    /** Value set URLs the library and the content libraries it includes declare. */
    public Set<String> valueSetUrls(String libraryName) {
        Set<String> urls = new TreeSet<>();
        forLibraryAndIncludes(libraryName, elm -> {
            if (elm.getValueSets() != null) {
                elm.getValueSets().getDef().stream().map(ValueSetDef::getId).forEach(urls::add);
            }
        });
        return urls;
    }

    /**
     * What a library's defines reach, following them into the content libraries it uses: the
     * resource types it retrieves (its data requirements, from which the service's prefetch
     * templates and data needs are derived; only what is reachable counts, so a shared library
     * does not widen every prefetch), the value sets it tests codes against (by URL), and the names
     * of the functions it calls (so the docs can say which status semantics a rule applies), and the
     * elements it reads by name (so the parser can leave the rest of a resource unparsed).
     */
    public Reachable reachableFrom(String libraryName) {
        Set<String> types = new TreeSet<>();
        Set<String> valueSets = new TreeSet<>();
        Set<String> functions = new TreeSet<>();
        Map<String, Set<String>> valueSetsByFilteredType = new TreeMap<>();
        Set<String> unfilteredTypes = new TreeSet<>();
        Set<String> typesReadById = new TreeSet<>();
        Set<String> elementsRead = new TreeSet<>();
        boolean readsUnnamedElements = false;
        Set<String> visited = new HashSet<>();
        Deque<ExpressionDef> pending = new ArrayDeque<>();
        Map<ExpressionDef, String> libraryOf = new HashMap<>();
        for (ExpressionDef def : elm(libraryName).getStatements().getDef()) {
            pending.add(def);
            libraryOf.put(def, libraryName);
        }
        while (!pending.isEmpty()) {
            ExpressionDef def = pending.poll();
            String owner = libraryOf.get(def);
            if (!visited.add(owner + "|" + def.getName() + "|" + System.identityHashCode(def))) {
                continue;
            }
            List<Element> found = REFERENCES_AND_RETRIEVES.visitExpressionDef(def, null);
            for (Element element : found) {
                if (element instanceof Property property) {
                    addElementsOfPath(elementsRead, property.getPath());
                } else if (element instanceof ByColumn column) {
                    addElementsOfPath(elementsRead, column.getPath());
                } else if (element instanceof IdentifierRef identifier) {
                    elementsRead.add(identifier.getName()); // a sort by an element's name
                } else if (element instanceof Children || element instanceof Descendants) {
                    readsUnnamedElements = true; // ELM only: the translator compiles neither operator from CQL
                } else if (element instanceof Retrieve retrieve) {
                    String type = retrieve.getDataType().getLocalPart();
                    types.add(type);
                    for (String path : java.util.Arrays.asList(retrieve.getCodeProperty(), retrieve.getDateProperty(),
                            retrieve.getDateLowProperty(), retrieve.getDateHighProperty(), retrieve.getIdProperty(),
                            retrieve.getContextProperty())) {
                        addElementsOfPath(elementsRead, path);
                    }
                    if (retrieve.getCodes() != null && retrieve.getCodeProperty() == null) {
                        elementsRead.add("code"); // the type's primary code
                    }
                    String filter = primaryCodeValueSet(owner, retrieve);
                    if ("id".equals(retrieve.getCodeProperty())) {
                        typesReadById.add(type);
                    } else if (filter == null) {
                        unfilteredTypes.add(type);
                    } else {
                        valueSetsByFilteredType.computeIfAbsent(type, t -> new TreeSet<>()).add(filter);
                    }
                } else if (element instanceof ValueSetRef ref) {
                    String target = ref.getLibraryName() == null ? owner : includedLibrary(owner, ref.getLibraryName());
                    if (target != null && contains(target)) {
                        elm(target).getValueSets().getDef().stream().filter(v -> v.getName().equals(ref.getName()))
                                .map(ValueSetDef::getId).forEach(valueSets::add);
                    }
                } else if (element instanceof ExpressionRef ref) {
                    String target = ref.getLibraryName() == null ? owner : includedLibrary(owner, ref.getLibraryName());
                    if (target != null && contains(target)) {
                        if (ref instanceof FunctionRef) {
                            functions.add(ref.getName());
                        }
                        for (ExpressionDef referenced : elm(target).getStatements().getDef()) {
                            if (referenced.getName().equals(ref.getName())) {
                                pending.add(referenced);
                                libraryOf.put(referenced, target);
                            }
                        }
                    }
                }
            }
        }
        unfilteredTypes.forEach(valueSetsByFilteredType::remove);
        typesReadById.removeAll(unfilteredTypes);
        return new Reachable(Collections.unmodifiableSet(types), Collections.unmodifiableSet(valueSets),
                Collections.unmodifiableSet(functions), Collections.unmodifiableMap(valueSetsByFilteredType),
                Collections.unmodifiableSet(typesReadById), readsUnnamedElements ? null : Collections.unmodifiableSet(elementsRead));
    }

    /**
     * See {@link #reachableFrom(String)}. {@code valueSetsByFilteredType}: the types that every
     * reachable retrieve filters by a value set on the type's primary code ({@code [Observation:
     * "DVT Signs"]}), with those value sets; a resource of such a type whose code is in none of
     * them can never be read by the library. {@code typesReadById}: the types that are otherwise
     * only retrieved by id ({@code [Condition: id in ...]}, the target of a reference); with a value
     * set filter too, a resource is read when its code is in one of them or it is referenced.
     * {@code elementsRead}: the names of the elements its expressions, sorts and retrieves read (at any
     * depth: {@code R.medication.coding} reads medication and coding), null when an expression reads
     * elements without naming them ({@code Children}, {@code Descendants}).
     */
    public record Reachable(Set<String> retrievedTypes, Set<String> valueSetUrls, Set<String> functionNames,
            Map<String, Set<String>> valueSetsByFilteredType, Set<String> typesReadById, Set<String> elementsRead) {}

    /** Each element a path names ({@code medication.coding}: medication and coding); none for a null path. */
    private static void addElementsOfPath(Set<String> elements, String path) {
        if (path != null) {
            elements.addAll(List.of(path.split("\\.")));
        }
    }

    /** The URL of the value set a retrieve filters its primary code by, or null for any other retrieve. */
    private String primaryCodeValueSet(String owner, Retrieve retrieve) {
        boolean primaryCode = retrieve.getCodeProperty() == null || "code".equals(retrieve.getCodeProperty());
        if (!primaryCode || !(retrieve.getCodes() instanceof ValueSetRef ref)) {
            return null;
        }
        String target = ref.getLibraryName() == null ? owner : includedLibrary(owner, ref.getLibraryName());
        if (target == null || !contains(target) || elm(target).getValueSets() == null) {
            return null;
        }
        return elm(target).getValueSets().getDef().stream().filter(v -> v.getName().equals(ref.getName()))
                .map(ValueSetDef::getId).findFirst().orElse(null);
    }

    private static final FunctionalElmVisitor<List<Element>, Void> REFERENCES_AND_RETRIEVES =
            FunctionalElmVisitor.Companion.from(
                    (element, context) -> element instanceof Retrieve || element instanceof ExpressionRef
                            || element instanceof ValueSetRef || element instanceof Property || element instanceof ByColumn
                            || element instanceof IdentifierRef || element instanceof Children || element instanceof Descendants
                            ? List.of(element)
                            : List.of(),
                    (left, right) -> {
                        if (left.isEmpty()) {
                            return right;
                        }
                        if (right.isEmpty()) {
                            return left;
                        }
                        List<Element> both = new ArrayList<>(left);
                        both.addAll(right);
                        return both;
                    });

    private String includedLibrary(String libraryName, String alias) {
        Library elm = elm(libraryName);
        if (elm.getIncludes() == null) {
            return null;
        }
        return elm.getIncludes().getDef().stream()
                .filter(include -> alias.equals(include.getLocalIdentifier()))
                .map(IncludeDef::getPath)
                .findFirst()
                .orElse(null);
    }

    private void forLibraryAndIncludes(String libraryName, java.util.function.Consumer<Library> action) {
        Library elm = elm(libraryName);
        action.accept(elm);
        if (elm.getIncludes() != null) {
            for (IncludeDef include : elm.getIncludes().getDef()) {
                String included = include.getPath();
                if (contains(included)) {
                    forLibraryAndIncludes(included, action);
                }
            }
        }
    }
}
