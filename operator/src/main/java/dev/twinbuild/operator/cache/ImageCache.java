package dev.twinbuild.operator.cache;

import dev.twinbuild.operator.api.v1alpha1.SystemImage;

import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The SystemImages in the controller's informer cache, for readers other than the reconciler (metrics,
 * dashboard): they never call the API server per request. Empty until the controller has started.
 */
public class ImageCache {
    private volatile Supplier<Stream<SystemImage>> images = Stream::empty;

    public void watch(Supplier<Stream<SystemImage>> images) {
        this.images = images;
    }

    public Stream<SystemImage> list() {
        return images.get();
    }
}
