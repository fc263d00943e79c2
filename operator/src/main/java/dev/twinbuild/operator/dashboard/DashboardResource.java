package dev.twinbuild.operator.dashboard;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.store.StoreClients;
import dev.twinbuild.operator.store.S3Access;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The dashboard: page shells (no data: the page script fetches the fragments with the viewer's token),
 * HTML fragments and the JSON API with the same data, and the diff reports the operator wrote. Every
 * data response carries an ETag, so a polling page is answered 304 while nothing changed.
 */
@Path("/")
public class DashboardResource {
    /** Reports are text written by the operator; anything bigger is cut. */
    static final int MAX_REPORT_BYTES = 4 << 20;

    @Inject
    DashboardData data;
    @Inject
    Authorizer authorizer;
    @Inject
    DashboardConfig config;
    @Inject
    StoreClients stores;
    @Inject
    OperatorSettings settings;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance index(String mode, long refreshMillis);

        static native TemplateInstance image(String namespace, String name, String mode, long refreshMillis);

        static native TemplateInstance overview(Views.Overview overview);

        static native TemplateInstance detail(Views.Detail detail);
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance index() {
        enabled();
        return Templates.index(authorizer.mode().name().toLowerCase(), config.refreshInterval().toMillis());
    }

    @GET
    @Path("namespaces/{namespace}/systemimages/{name}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance image(@PathParam("namespace") String namespace, @PathParam("name") String name) {
        enabled();
        return Templates.image(namespace, name, authorizer.mode().name().toLowerCase(),
                config.refreshInterval().toMillis());
    }

    @GET
    @Path("api/v1/overview")
    @Produces(MediaType.APPLICATION_JSON)
    public Response overviewJson(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context Request request) {
        Views.Overview o = overview(authorization);
        return cached(request, o.viewer() + o.revision(), () -> o);
    }

    @GET
    @Path("fragments/overview")
    @Produces(MediaType.TEXT_HTML)
    public Response overviewFragment(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                     @Context Request request) {
        Views.Overview o = overview(authorization);
        return cached(request, "html" + o.viewer() + o.revision(), () -> Templates.overview(o).render());
    }

    @GET
    @Path("api/v1/namespaces/{namespace}/systemimages/{name}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response detailJson(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                               @PathParam("namespace") String namespace, @PathParam("name") String name,
                               @Context Request request) {
        Views.Detail d = detail(authorization, namespace, name);
        return cached(request, d.revision(), () -> d);
    }

    @GET
    @Path("fragments/namespaces/{namespace}/systemimages/{name}")
    @Produces(MediaType.TEXT_HTML)
    public Response detailFragment(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                   @PathParam("namespace") String namespace, @PathParam("name") String name,
                                   @Context Request request) {
        Views.Detail d = detail(authorization, namespace, name);
        return cached(request, "html" + d.revision(), () -> Templates.detail(d).render());
    }

    /** The diff report of a mismatch, from the store the SystemImage uses, as plain text. */
    @GET
    @Path("namespaces/{namespace}/systemimages/{name}/report")
    @Produces(MediaType.TEXT_PLAIN)
    public Response report(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                           @PathParam("namespace") String namespace, @PathParam("name") String name) throws IOException {
        detail(authorization, namespace, name);
        SystemImage si = data.get(namespace, name);
        String location = si == null || si.getStatus() == null || si.getStatus().mismatch == null ? null
                : si.getStatus().mismatch.reportLocation;
        ArtifactStore store = settings.storeFor(si.getSpec());
        if (location == null || store == null || store.s3 == null) {
            throw new NotFoundException("no diff report for " + namespace + "/" + name);
        }
        S3Access s3 = stores.s3(namespace, store);
        String prefix = "s3://" + s3.bucket() + "/";
        if (!location.startsWith(prefix)) {
            throw new NotFoundException(location + " is not in the store's bucket");
        }
        byte[] text;
        try (InputStream in = s3.get(location.substring(prefix.length()))) {
            text = in.readNBytes(MAX_REPORT_BYTES);
        }
        return Response.ok(new String(text, StandardCharsets.UTF_8), "text/plain; charset=utf-8")
                .header("Content-Security-Policy", "sandbox").header("X-Content-Type-Options", "nosniff").build();
    }

    private Views.Overview overview(String authorization) {
        enabled();
        Authorizer.Viewer v = viewer(authorization);
        return data.overview(v.name(), v.namespaces());
    }

    private Views.Detail detail(String authorization, String namespace, String name) {
        enabled();
        Authorizer.Viewer v = viewer(authorization);
        Views.Detail d = data.detail(namespace, name, v.namespaces());
        if (d == null) { // the same answer whether it does not exist or may not be seen
            throw new NotFoundException("no SystemImage " + namespace + "/" + name);
        }
        return d;
    }

    private Authorizer.Viewer viewer(String authorization) {
        try {
            return authorizer.viewer(authorization);
        } catch (Authorizer.Unauthenticated e) {
            throw new jakarta.ws.rs.WebApplicationException(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").type(MediaType.TEXT_PLAIN)
                    .entity(e.getMessage()).build());
        }
    }

    private void enabled() {
        if (!config.enabled()) {
            throw new NotFoundException();
        }
    }

    private static Response cached(Request request, String version, java.util.function.Supplier<Object> body) {
        EntityTag tag = new EntityTag(DashboardData.sha256(version).substring(0, 24));
        Response.ResponseBuilder notModified = request.evaluatePreconditions(tag);
        if (notModified != null) {
            return notModified.header(HttpHeaders.CACHE_CONTROL, "no-cache").build();
        }
        return Response.ok(body.get()).tag(tag).header(HttpHeaders.CACHE_CONTROL, "no-cache").build();
    }
}
