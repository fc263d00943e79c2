package dev.twinbuild.operator.events;

import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.redaction.Redaction;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.UUID;

/** Kubernetes events on the SystemImage, one per transition; failing to record one never fails a reconcile. */
public class EventRecorder {
    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);

    private final KubernetesClient client;
    private final Clock clock;

    public EventRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public void emit(SystemImage si, String type, String reason, String text) {
        String message = Redaction.redact(text);
        String now = clock.instant().toString();
        Event event = new EventBuilder()
                .withNewMetadata()
                .withName(si.getMetadata().getName() + "." + UUID.randomUUID().toString().replace("-", "").substring(0, 16))
                .withNamespace(si.getMetadata().getNamespace())
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(si.getApiVersion()).withKind(si.getKind())
                        .withName(si.getMetadata().getName()).withNamespace(si.getMetadata().getNamespace())
                        .withUid(si.getMetadata().getUid()).withResourceVersion(si.getMetadata().getResourceVersion())
                        .build())
                .withType(type)
                .withReason(reason)
                .withMessage(message.length() > 1024 ? message.substring(0, 1024) : message)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource().withComponent("twinbuild-operator").endSource()
                .build();
        try {
            client.v1().events().inNamespace(si.getMetadata().getNamespace()).resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.warnf("could not record event %s on %s: %s", reason, si.getMetadata().getName(), e.getMessage());
        }
    }
}
