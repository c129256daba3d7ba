package io.mqttra.console.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.Set;

/**
 * A browser that holds the administrator's BASIC credentials sends them to any request, also one a hostile page
 * makes. Such a page cannot set a custom header without a CORS preflight this API never allows, so every request
 * that changes something must carry {@value #HEADER}.
 */
@Provider
public class CsrfGuard implements ContainerRequestFilter {

    static final String HEADER = "X-Requested-By";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @Override
    public void filter(ContainerRequestContext request) {
        if (!SAFE.contains(request.getMethod()) && request.getHeaderString(HEADER) == null) {
            request.abortWith(ErrorMappers.answer(
                    Response.Status.FORBIDDEN,
                    request.getMethod() + " needs the header " + HEADER + " (protection against cross-site requests)"));
        }
    }
}
