package org.legcramp.cds.workbench;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.legcramp.cds.CdsProperties;
import org.legcramp.cds.cards.CardBuilder;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.cql.CqlEvaluator;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.hooks.BadRequestException;
import org.legcramp.cds.hooks.HookRequestParser;
import org.legcramp.cds.monitoring.TrafficClass;
import org.legcramp.cds.prefetch.PatientDataAssembler;
import org.legcramp.cds.rules.RuleCatalog;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * {@code GET /workbench}: the informaticists' page (static HTML, JS and CSS served from the jar; no
 * build step, nothing from elsewhere) and its JSON endpoints under {@code /workbench/api/}. On in
 * the default local run, off in the production profile ({@code legcramp.workbench.enabled}); absent
 * (404) when off, and with it the live CQL editing (edited CQL comes with a run, see
 * {@link LiveCql}). Every API call must say {@code X-LegCramp-Traffic: workbench}; nothing it runs is
 * recorded (see {@link Workbench}). The page's Content-Security-Policy lets it talk to this service
 * only, so no patient data it holds leaves the browser for anywhere else.
 */
@RestController
@ConditionalOnProperty(name = "legcramp.workbench.enabled", havingValue = "true")
public class WorkbenchController {

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final Workbench workbench;
    private final HookRequestParser json;

    public WorkbenchController(RuleCatalog catalog, CqlLibraries libraries, CqlEvaluator evaluator, CardBuilder cardBuilder,
            HookRequestParser parser, PatientDataAssembler dataAssembler, CdsProperties properties,
            KnowledgeArtifacts content, @Value("${legcramp.workbench.cases-root:..}") String casesRoot) {
        this.workbench = new Workbench(catalog, libraries, evaluator, cardBuilder, parser, dataAssembler, properties,
                content, Path.of(casesRoot));
        this.json = parser;
    }

    @GetMapping(path = {"/workbench", "/workbench/"})
    public ResponseEntity<byte[]> page() {
        return asset("index.html", MediaType.TEXT_HTML);
    }

    @GetMapping("/workbench/workbench.js")
    public ResponseEntity<byte[]> script() {
        return asset("workbench.js", MediaType.valueOf("text/javascript"));
    }

    @GetMapping("/workbench/workbench.css")
    public ResponseEntity<byte[]> style() {
        return asset("workbench.css", MediaType.valueOf("text/css"));
    }

    @GetMapping(path = "/workbench/api/services", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<List<Map<String, Object>>> services(HttpServletRequest http) {
        requireWorkbenchTraffic(http);
        return noStore(workbench.services());
    }

    @GetMapping(path = "/workbench/api/cases", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<List<Map<String, Object>>> cases(HttpServletRequest http) {
        requireWorkbenchTraffic(http);
        return noStore(workbench.cases());
    }

    @GetMapping(path = "/workbench/api/cases/{kind}/{group}/{name}", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Map<String, Object>> caseData(@PathVariable String kind, @PathVariable String group,
            @PathVariable String name, HttpServletRequest http) {
        requireWorkbenchTraffic(http);
        return noStore(workbench.caseData(kind, group, name));
    }

    @GetMapping(path = "/workbench/api/products", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<List<Map<String, Object>>> products(@RequestParam(name = "q", defaultValue = "") String query,
            HttpServletRequest http) {
        requireWorkbenchTraffic(http);
        return noStore(workbench.products(query));
    }

    /** A library's saved CQL for the live editor; edits come back with a run and are never saved. */
    @GetMapping(path = "/workbench/api/cql/{library}", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Map<String, Object>> cql(@PathVariable String library, HttpServletRequest http) {
        requireWorkbenchTraffic(http);
        return noStore(workbench.cql(library));
    }

    @PostMapping(path = "/workbench/api/run", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Map<String, Object>> run(HttpServletRequest http) {
        requireWorkbenchTraffic(http);
        return noStore(workbench.run(body(http), baseUrl()));
    }

    @PostMapping(path = "/workbench/api/run-cases", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Map<String, Object>> runCases(HttpServletRequest http) {
        requireWorkbenchTraffic(http);
        return noStore(workbench.runCases(body(http), baseUrl()));
    }

    private JsonNode body(HttpServletRequest http) {
        JsonNode body = json.readJson(http);
        if (!body.isObject()) {
            throw new BadRequestException("the body must be a JSON object");
        }
        return body;
    }

    /** Workbench calls say so, and are then never counted as clinical traffic anywhere. */
    private static void requireWorkbenchTraffic(HttpServletRequest http) {
        if (TrafficClass.fromHeader(http.getHeader(TrafficClass.HEADER)) != TrafficClass.WORKBENCH) {
            throw new BadRequestException("Workbench calls carry the header " + TrafficClass.HEADER + ": workbench");
        }
    }

    private static <T> ResponseEntity<T> noStore(T body) {
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(body);
    }

    private static ResponseEntity<byte[]> asset(String name, MediaType type) {
        try (InputStream in = WorkbenchController.class.getResourceAsStream("/workbench/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the workbench asset " + name + " is not packaged");
            }
            return ResponseEntity.ok().contentType(type).cacheControl(CacheControl.noCache())
                    .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Referrer-Policy", "no-referrer")
                    .body(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static URI baseUrl() {
        String base = ServletUriComponentsBuilder.fromCurrentContextPath().toUriString();
        return URI.create(base.endsWith("/") ? base : base + "/");
    }
}
