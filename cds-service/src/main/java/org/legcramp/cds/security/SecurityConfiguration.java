package org.legcramp.cds.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.legcramp.cds.CdsProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationManagerResolver;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * Who may call what. CDS Hooks endpoints need the EHR's signed JWT (Spring Security's resource
 * server, verified by {@link CdsClientTokenVerifier}); analytics and ad hoc evaluation need an
 * informaticist's HTTP Basic login; health, metrics and the patient education page are open.
 * With {@code require-client-authentication: false} (the local default) everything is open and a
 * warning says so.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    static final String CDS_CLIENT = "CDS_CLIENT";
    static final String INFORMATICIST = "INFORMATICIST";
    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REALM = "leg-cramp-cds";
    private static final BearerTokenAuthenticationEntryPoint BEARER_CHALLENGE = bearerChallenge();

    private static BearerTokenAuthenticationEntryPoint bearerChallenge() {
        BearerTokenAuthenticationEntryPoint challenge = new BearerTokenAuthenticationEntryPoint();
        challenge.setRealmName(REALM);
        return challenge;
    }

    @Bean
    CdsClientTokenVerifier cdsClientTokenVerifier(SecurityProperties properties, UsedTokenIds usedTokenIds,
            @org.springframework.beans.factory.annotation.Value("${legcramp.workbench.enabled:false}") boolean workbench,
            @org.springframework.beans.factory.annotation.Value("${legcramp.ad-hoc-evaluation.enabled:true}") boolean adHoc) {
        if (properties.requireClientAuthentication() && properties.trustedIssuers().isEmpty()) {
            throw new IllegalStateException("legcramp.security.require-client-authentication is true but no "
                    + "legcramp.security.trusted-issuers is configured: no EHR could call the service");
        }
        if (!properties.requireClientAuthentication()) {
            log.warn("CDS client authentication is OFF: anyone who can reach this service can call it (open: {}). "
                    + "For local trials only; see docs/deployment.md to register an EHR and turn it on.",
                    openEndpoints(workbench, adHoc));
        }
        return new CdsClientTokenVerifier(properties, usedTokenIds);
    }

    /** What the open default run lets anyone reach, for the start-up warning. */
    static String openEndpoints(boolean workbench, boolean adHoc) {
        List<String> open = new java.util.ArrayList<>(List.of("/cds-services", "/cds-services/{id}",
                "/cds-services/{id}/feedback", "/analytics/cards", "/analytics/firing-rates"));
        if (adHoc) {
            open.add("/cql/evaluate");
        }
        if (workbench) {
            open.add("/workbench");
        }
        return String.join(", ", open);
    }

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, SecurityProperties properties,
            CdsClientTokenVerifier verifier, CdsProperties cdsProperties,
            @org.springframework.beans.factory.annotation.Value("${legcramp.workbench.enabled:false}") boolean workbench)
            throws Exception {
        http.csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .cors(Customizer.withDefaults())
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint(SecurityConfiguration::unauthorized)
                        .accessDeniedHandler((request, response, denied) ->
                                problem(response, HttpStatus.FORBIDDEN, "This endpoint is not open to these credentials")));
        if (!properties.requireClientAuthentication()) {
            http.authorizeHttpRequests(auth -> auth.anyRequest().permitAll());
            return http.build();
        }
        http.authorizeHttpRequests(auth -> {
                    auth.requestMatchers(HttpMethod.OPTIONS, "/**").permitAll()
                            .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus",
                                    "/education/**", "/error").permitAll()
                            .requestMatchers("/cds-services", "/cds-services/**").hasAuthority(CDS_CLIENT)
                            .requestMatchers("/analytics/**", "/cql/**").hasRole(INFORMATICIST);
                    if (workbench) {
                        auth.requestMatchers("/workbench", "/workbench/**").hasRole(INFORMATICIST);
                    } else {
                        auth.requestMatchers("/workbench", "/workbench/**").permitAll(); // off: a plain 404, no login asked
                    }
                    auth.anyRequest().denyAll();
                })
                .oauth2ResourceServer(server -> server
                        .authenticationManagerResolver(cdsClients(verifier, cdsProperties))
                        .authenticationEntryPoint(SecurityConfiguration::unauthorized))
                .httpBasic(basic -> basic.realmName(REALM).authenticationEntryPoint(SecurityConfiguration::unauthorized));
        return http.build();
    }

    /** Each request gets a manager that checks the token against the URL it was sent to. */
    private static AuthenticationManagerResolver<HttpServletRequest> cdsClients(CdsClientTokenVerifier verifier,
            CdsProperties cdsProperties) {
        return request -> {
            String audience = invokedUrl(request, cdsProperties.publicBase());
            AuthenticationManager manager = authentication -> {
                String token = ((BearerTokenAuthenticationToken) authentication).getToken();
                var jwt = verifier.verify(token, audience);
                return new JwtAuthenticationToken(jwt, List.of(new SimpleGrantedAuthority(CDS_CLIENT)), jwt.getClaimAsString("iss"));
            };
            return manager;
        };
    }

    /** The URL the EHR invoked: the configured public base URL (behind a proxy) plus the path, or the request's own URL. */
    static String invokedUrl(HttpServletRequest request, String publicBase) {
        return publicBase == null ? request.getRequestURL().toString() : publicBase + request.getRequestURI();
    }

    @Bean
    UserDetailsService informaticists(SecurityProperties properties) {
        InMemoryUserDetailsManager users = new InMemoryUserDetailsManager();
        if (properties.informaticists().configured()) {
            users.createUser(User.withUsername(properties.informaticists().username())
                    .password(properties.informaticists().password())
                    .roles(INFORMATICIST)
                    .build());
        }
        return users;
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    CorsConfigurationSource corsConfigurationSource(SecurityProperties properties) {
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        if (!properties.allowedOrigins().isEmpty()) {
            CorsConfiguration cors = new CorsConfiguration();
            cors.setAllowedOrigins(properties.allowedOrigins());
            cors.setAllowedMethods(List.of("GET", "POST", "OPTIONS"));
            cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "Accept", org.legcramp.cds.monitoring.TrafficClass.HEADER));
            cors.setMaxAge(3600L);
            source.registerCorsConfiguration("/cds-services/**", cors);
            source.registerCorsConfiguration("/cds-services", cors);
            source.registerCorsConfiguration("/education/**", cors);
        }
        return source;
    }

    /**
     * A 401, logged at INFO with what the token claimed (issuer, kid) and the reason, never the
     * token. CDS Hooks endpoints answer with RFC 6750 headers (Spring's bearer entry point): no
     * credentials get a bare {@code Bearer realm=...} challenge (§3.1: no error code when none were
     * given); a refused token gets {@code error="invalid_token"} and its reason.
     */
    private static void unauthorized(HttpServletRequest request, HttpServletResponse response,
            AuthenticationException failure) throws IOException {
        boolean credentialsGiven = request.getHeader("Authorization") != null;
        String reason = failure instanceof InvalidBearerTokenException ? failure.getMessage()
                : failure instanceof OAuth2AuthenticationException oauth ? oauthReason(oauth)
                : credentialsGiven ? "The credentials were not accepted"
                : request.getRequestURI().startsWith("/cds-services") ? "This endpoint needs credentials: a bearer JWT signed by a trusted EHR"
                : "This endpoint needs an informaticist's login (HTTP Basic)";
        if (failure instanceof TokenRefusedException refused) {
            log.info("CDS client token refused: issuer={} kid={} reason={} path={}", loggable(refused.claimedIssuer()),
                    loggable(refused.keyId()), loggable(reason), loggable(request.getRequestURI()));
        } else {
            log.info("Request refused: {} path={}", loggable(reason), loggable(request.getRequestURI()));
        }
        if (request.getRequestURI().startsWith("/cds-services")) {
            BEARER_CHALLENGE.commence(request, response, failure);
        } else {
            response.setStatus(HttpStatus.UNAUTHORIZED.value());
            response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");
        }
        problem(response, HttpStatus.valueOf(response.getStatus()), reason);
    }

    private static String oauthReason(OAuth2AuthenticationException failure) {
        String description = failure.getError().getDescription();
        return description != null ? description : failure.getMessage();
    }

    /** Text the caller chose (in part), safe for one log line: printable ASCII, bounded, "-" when absent. */
    static String loggable(String claimed) {
        if (claimed == null) {
            return "-";
        }
        String printable = claimed.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() > 300 ? printable.substring(0, 300) + "..." : printable;
    }

    private static void problem(HttpServletResponse response, HttpStatus status, String detail) throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(status.getReasonPhrase());
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getWriter().write(JSON.writeValueAsString(Map.of(
                "type", "about:blank", "title", problem.getTitle(), "status", status.value(), "detail", detail)));
    }
}
