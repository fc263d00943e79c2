package dev.twinbuild.operator.logging;

import dev.twinbuild.redaction.Redaction;
import io.quarkus.logging.LoggingFilter;
import org.jboss.logmanager.ExtLogRecord;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Every log line of the operator (its own, JOSDK's, Fabric8's, the AWS SDK's) passes through
 * {@link Redaction} before it is written: a presigned URL or a URL with user-info in an exception
 * message must not end up in the logs. Enabled by {@code quarkus.log.console.filter=redaction}.
 */
@LoggingFilter(name = "redaction")
public final class RedactingLogFilter implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record instanceof ExtLogRecord ext) {
            String message = ext.getFormattedMessage();
            String redacted = Redaction.redact(message);
            if (redacted != null && !redacted.equals(message)) {
                ext.setMessage(redacted, ExtLogRecord.FormatStyle.NO_FORMAT);
                ext.setParameters(null);
            }
        }
        Throwable t = record.getThrown();
        if (t != null && t.getMessage() != null && !t.getMessage().equals(Redaction.redact(t.getMessage()))) {
            // The stack trace would print the message again: keep the type and a redacted message only.
            record.setThrown(null);
            String note = " (" + t.getClass().getName() + ": " + Redaction.redact(t.getMessage()) + ")";
            if (record instanceof ExtLogRecord ext) {
                ext.setMessage(ext.getFormattedMessage() + note, ExtLogRecord.FormatStyle.NO_FORMAT);
                ext.setParameters(null);
            } else {
                record.setMessage(record.getMessage() + note);
            }
        }
        return true;
    }
}
