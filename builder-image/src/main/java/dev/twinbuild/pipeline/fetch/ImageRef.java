package dev.twinbuild.pipeline.fetch;

import dev.twinbuild.pipeline.InputException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image reference pinned by digest, with Docker's mapping of Docker Hub: {@code docker.io} (and
 * {@code index.docker.io}) is served by {@code registry-1.docker.io}, and a one-part repository there is
 * an official image under {@code library/}.
 *
 * @param host       the host the registry API is served from
 * @param registry   the name credentials are looked up by (docker.io for Docker Hub)
 * @param repository e.g. {@code library/debian}
 */
public record ImageRef(String host, String registry, String repository, String digest) {
    private static final Pattern REF = Pattern.compile("^([^/]+)/(.+)@(sha256:[a-f0-9]{64})$");
    public static final String DOCKER_HUB = "docker.io";
    public static final String DOCKER_HUB_API = "registry-1.docker.io";

    public static ImageRef parse(String image, String field) {
        Matcher m = image == null ? null : REF.matcher(image);
        if (m == null || !m.matches()) {
            throw new InputException(field + ".image", "must be registry/repository@sha256:<64 hex>");
        }
        String host = m.group(1);
        String repo = m.group(2);
        if (host.equals(DOCKER_HUB) || host.equals("index.docker.io") || host.equals(DOCKER_HUB_API)) {
            return new ImageRef(DOCKER_HUB_API, DOCKER_HUB, repo.contains("/") ? repo : "library/" + repo,
                    m.group(3));
        }
        return new ImageRef(host, host, repo, m.group(3));
    }

    /** The digest's hex part. */
    public String hex() {
        return digest.substring("sha256:".length());
    }
}
