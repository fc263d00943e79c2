package dev.twinbuild.operator.logging;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

class RedactingLogFilterTest {
    private static final String URL = "http://s3:9000/b/k?X-Amz-Credential=AKIAX%2F1&X-Amz-Signature=deadbeef";

    @Test
    void formattedMessagesAreRedacted() {
        ExtLogRecord r = new ExtLogRecord(Level.WARNING, "upload of %s failed: %s", ExtLogRecord.FormatStyle.PRINTF,
                RedactingLogFilterTest.class.getName());
        r.setParameters(new Object[]{"img.tar", URL});
        assertThat(new RedactingLogFilter().isLoggable(r)).isTrue();
        assertThat(r.getFormattedMessage()).isEqualTo("upload of img.tar failed: http://s3:9000/b/k?REDACTED");
    }

    @Test
    void exceptionsCarryingSecretsLoseTheirStackTraceButKeepTheirTypeAndRedactedMessage() {
        ExtLogRecord r = new ExtLogRecord(Level.WARNING, "reconcile failed", RedactingLogFilterTest.class.getName());
        r.setThrown(new IllegalStateException("PUT " + URL + " refused at 100% {0}"));
        new RedactingLogFilter().isLoggable(r);
        assertThat(r.getThrown()).isNull();
        assertThat(r.getFormattedMessage()).contains("IllegalStateException", "http://s3:9000/b/k?REDACTED")
                .doesNotContain("deadbeef", "AKIAX");
    }

    @Test
    void harmlessRecordsAreUntouched() {
        ExtLogRecord r = new ExtLogRecord(Level.INFO, "built %s", ExtLogRecord.FormatStyle.PRINTF, "x");
        r.setParameters(new Object[]{"s3://b/ns/img/0123456789/b0/img.tar"});
        RuntimeException e = new RuntimeException("plain");
        r.setThrown(e);
        new RedactingLogFilter().isLoggable(r);
        assertThat(r.getFormattedMessage()).isEqualTo("built s3://b/ns/img/0123456789/b0/img.tar");
        assertThat(r.getThrown()).isSameAs(e);
    }
}
