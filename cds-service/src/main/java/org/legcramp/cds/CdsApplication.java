package org.legcramp.cds;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Leg Cramp CDS: a CDS Hooks 2.0 service whose rules are CQL and FHIR knowledge artifacts. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CdsApplication {
    public static void main(String[] args) {
        SpringApplication.run(CdsApplication.class, args);
    }
}
