package org.legcramp.cds.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.legcramp.cds.CdsProperties;
import org.legcramp.cds.feedback.CardLedger;
import org.legcramp.cds.feedback.FeedbackParser;
import org.legcramp.cds.hooks.wire.Card;
import org.legcramp.cds.hooks.wire.CardsResponse;
import org.legcramp.cds.hooks.wire.Discovery;
import org.legcramp.cds.hooks.wire.ServiceDescriptor;
import org.legcramp.cds.monitoring.RepeatSuppression;
import org.legcramp.cds.monitoring.RuleMode;
import org.legcramp.cds.monitoring.RuleModes;
import org.legcramp.cds.monitoring.TrafficClass;
import org.legcramp.cds.rules.CdsService;
import org.legcramp.cds.rules.ServiceGroup;
import org.legcramp.cds.rules.RuleCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.legcramp.cds.prefetch.RequiredDataUnavailableException;
import org.slf4j.Logger;
import org.slf4j.MDC;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The three CDS Hooks 2.0 endpoints: discovery, service invocation and feedback
 * (https://cds-hooks.hl7.org/2.0/#discovery, #calling-a-cds-service, #feedback).
 */
@RestController
public class CdsHooksController {

    private static final Logger log = LoggerFactory.getLogger(CdsHooksController.class);
    /** The log context key naming the CDS service called (ECS JSON logs: a top-level "cdsService" field). */
    static final String MDC_SERVICE = "cdsService";

    private final RuleCatalog catalog;
    private final HookRequestParser parser;
    private final HookProcessor processor;
    private final FeedbackParser feedbackParser;
    private final CdsProperties properties;
    private final CardLedger ledger;
    private final MeterRegistry metrics;
    private final RuleModes modes;
    private final RepeatSuppression repeats;

    public CdsHooksController(RuleCatalog catalog, HookRequestParser parser, HookProcessor processor,
            FeedbackParser feedbackParser, CdsProperties properties, CardLedger ledger, MeterRegistry metrics,
            RuleModes modes, RepeatSuppression repeats) {
        this.modes = modes;
        this.repeats = repeats;
        this.ledger = ledger;
        this.metrics = metrics;
        this.catalog = catalog;
        this.parser = parser;
        this.processor = processor;
        this.feedbackParser = feedbackParser;
        this.properties = properties;
    }

    @GetMapping(path = "/cds-services", produces = MediaType.APPLICATION_JSON_VALUE)
    public Discovery discovery() {
        List<ServiceDescriptor> services = new ArrayList<>();
        catalog.services().forEach(s -> services.add(new ServiceDescriptor(s.hook().id(), s.title(),
                describedWithModes(s.description(), List.of(s)), s.id(), s.prefetch(), modesExtension(List.of(s)))));
        catalog.groups().forEach(g -> services.add(new ServiceDescriptor(g.hook().id(), g.title(),
                describedWithModes(g.description(), g.members()), g.id(), g.prefetch(), modesExtension(g.members()))));
        return new Discovery(services);
    }

    @PostMapping(path = "/cds-services/{serviceId}", produces = MediaType.APPLICATION_JSON_VALUE)
    public CardsResponse invoke(@PathVariable String serviceId,
            @RequestParam(name = "explain", defaultValue = "false") boolean explain, HttpServletRequest http) {
        Instant receivedAt = Instant.now();
        Timer.Sample sample = Timer.start(metrics);
        String status = "500";
        String serviceTag = "unknown";
        try {
            ServiceGroup called = called(serviceId);
            serviceTag = called.id();
            Timer.Sample parsing = Timer.start(metrics);
            JsonNode body = parser.readJson(http);
            TrafficClass traffic = TrafficClass.of(http.getHeader(TrafficClass.HEADER), body);
            HookRequest request = parser.parse(body, called.hook(), called.dataNeeds());
            parsing.stop(metrics.timer("legcramp.hook.stage", "service", called.id(), "stage", "parse"));
            MDC.put("hookInstance", request.hookInstance());
            // Not "service": the production profile's ECS JSON logs have a "service" object of their own,
            // and a second "service" makes the appender drop the whole line.
            MDC.put(MDC_SERVICE, called.id());
            List<Map<String, Object>> notFired = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Card> cards = processor.processAll(called, request, receivedAt, serviceBaseUrl(), explain, traffic,
                    notFired::add);
            status = "200";
            log.info("service={} hookInstance={} cards={} ms={}", called.id(), request.hookInstance(), cards.size(),
                    java.time.Duration.between(receivedAt, Instant.now()).toMillis());
            return explain ? new CardsResponse(cards, Map.of(Card.EXPLANATION, Map.of("notFired", List.copyOf(notFired))))
                    : new CardsResponse(cards);
        } catch (UnknownServiceException e) {
            status = "404";
            throw e;
        } catch (BadRequestException e) {
            status = "400";
            throw e;
        } catch (PayloadTooLargeException e) {
            status = "413";
            throw e;
        } catch (DeadlineExceededException e) {
            status = "503";
            log.info("service={} answered 503: {}", serviceTag, e.getMessage());
            throw e;
        } catch (RequiredDataUnavailableException e) {
            status = "412";
            log.info("service={} answered 412: required data unavailable ({})", serviceTag, e.reason().code());
            throw e;
        } finally {
            sample.stop(metrics.timer("legcramp.hook.requests", "service", serviceTag, "status", status));
            MDC.remove("hookInstance");
            MDC.remove(MDC_SERVICE);
        }
    }

    @PostMapping(path = "/cds-services/{serviceId}/feedback")
    public ResponseEntity<Void> feedback(@PathVariable String serviceId, HttpServletRequest http) {
        ServiceGroup called = called(serviceId);
        var feedback = feedbackParser.parse(parser.readJson(http));
        var stored = ledger.recordFeedback(called.id(), called.members().stream().map(CdsService::id).toList(), feedback,
                Instant.now());
        repeats.recordFeedback(feedback);
        for (int i = 0; i < feedback.size(); i++) {
            metrics.counter("legcramp.feedback", "service", called.id(), "outcome", feedback.get(i).outcome(),
                    "stored", stored.get(i).name().toLowerCase()).increment();
        }
        log.info("service={} feedback items={} stored={}", called.id(), feedback.size(), stored);
        return ResponseEntity.ok().build();
    }

    /** The description, saying which of the service's rules are not active (an EHR's admin reads it). */
    private String describedWithModes(String description, List<CdsService> rules) {
        List<String> notActive = rules.stream().filter(r -> modes.mode(r) != RuleMode.ACTIVE)
                .map(r -> r.ruleId() + ": " + modes.mode(r).id()).toList();
        if (notActive.isEmpty()) {
            return description;
        }
        return description + " [" + String.join("; ", notActive)
                + " (silent: evaluated and counted, no cards shown; off: not evaluated)]";
    }

    /** The mode of each rule behind the service, as a discovery extension (CDS Hooks 2.0 "Extensions"). */
    private Map<String, Object> modesExtension(List<CdsService> rules) {
        Map<String, String> byRule = new TreeMap<>();
        rules.forEach(r -> byRule.put(r.ruleId(), modes.mode(r).id()));
        return Map.of(ServiceDescriptor.RULE_MODES, byRule);
    }

    /** A per-rule service as a group of one, or a per-hook service: either way, the rules to run. */
    private ServiceGroup called(String serviceId) {
        return catalog.service(serviceId).map(ServiceGroup::of).or(() -> catalog.group(serviceId))
                .orElseThrow(() -> new UnknownServiceException(serviceId));
    }

    /** The configured public base URL (behind a proxy), else the URL this request came in on. */
    private URI serviceBaseUrl() {
        String base = properties.publicBase() != null
                ? properties.publicBase()
                : ServletUriComponentsBuilder.fromCurrentContextPath().toUriString();
        return URI.create(base.endsWith("/") ? base : base + "/");
    }

}
