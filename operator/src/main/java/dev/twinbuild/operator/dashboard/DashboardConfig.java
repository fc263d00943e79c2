package dev.twinbuild.operator.dashboard;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** twinbuild.dashboard.* (env TWINBUILD_DASHBOARD_...): the read-only web page on the HTTP port. */
@ConfigMapping(prefix = "twinbuild.dashboard")
public interface DashboardConfig {
    /** false: every dashboard path answers 404. */
    @WithDefault("true")
    boolean enabled();

    /**
     * token: a bearer token (TokenReview) is required and shows the namespaces where its user may list
     * SystemImages (SubjectAccessReview); open: no authentication, every watched namespace (for use
     * through kubectl port-forward, by those who may port-forward to the operator).
     */
    @WithDefault("token")
    Authorizer.Mode auth();

    /** How long an authentication and its authorization decisions are reused. */
    @WithDefault("30s")
    Duration authCacheTtl();

    /** How often an open page asks whether anything changed. */
    @WithDefault("2s")
    Duration refreshInterval();
}
