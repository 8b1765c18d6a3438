package org.legcramp.cds;

import ca.uhn.fhir.context.FhirContext;
import org.legcramp.cds.content.ContentLoader;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.cql.CqlEvaluator;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.cql.InMemoryTerminologyProvider;
import org.legcramp.cds.rules.RuleCatalog;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the content (CQL + knowledge artifacts) into the engine once, at start-up. */
@Configuration(proxyBeanMethods = false)
public class CdsConfiguration {

    @Bean
    FhirContext fhirContext() {
        return FhirContext.forR4Cached();
    }

    @Bean
    KnowledgeArtifacts knowledgeArtifacts(FhirContext fhirContext, CdsProperties properties) {
        return new ContentLoader(fhirContext).load(properties.contentLocation());
    }

    @Bean
    CqlLibraries cqlLibraries(KnowledgeArtifacts content) {
        return RuleCatalog.compile(content);
    }

    @Bean
    InMemoryTerminologyProvider terminologyProvider(KnowledgeArtifacts content) {
        return new InMemoryTerminologyProvider(content.valueSets());
    }

    @Bean
    RuleCatalog ruleCatalog(KnowledgeArtifacts content, CqlLibraries cqlLibraries) {
        return new RuleCatalog(content, cqlLibraries);
    }

    @Bean
    CqlEvaluator cqlEvaluator(CqlLibraries cqlLibraries, InMemoryTerminologyProvider terminology, FhirContext fhirContext) {
        return new CqlEvaluator(cqlLibraries, terminology, fhirContext);
    }
}
