package org.legcramp.cds.hooks.wire;

import java.util.List;

/** The discovery response: every service this CDS Service offers. */
public record Discovery(List<ServiceDescriptor> services) {}
