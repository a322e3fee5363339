package dev.tandem.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;

/**
 * One JSON object per line: {@code time} (UTC, ISO-8601), {@code level}, {@code logger}, {@code
 * thread}, {@code message} and, with an exception, {@code error} (its stack trace). What log
 * shippers (Loki, Elasticsearch, CloudWatch) read without a pattern.
 */
public final class JsonLogLayout extends LayoutBase<ILoggingEvent> {
  @Override
  public String doLayout(ILoggingEvent event) {
    var out = new StringBuilder(256);
    out.append("{\"time\":\"").append(Instant.ofEpochMilli(event.getTimeStamp())).append('"');
    field(out, "level", event.getLevel().toString());
    field(out, "logger", event.getLoggerName());
    field(out, "thread", event.getThreadName());
    field(out, "message", event.getFormattedMessage());
    IThrowableProxy error = event.getThrowableProxy();
    if (error != null) {
      field(out, "error", ThrowableProxyUtil.asString(error));
    }
    return out.append("}\n").toString();
  }

  private static void field(StringBuilder out, String name, String value) {
    out.append(",\"").append(name).append("\":\"");
    String text = value == null ? "" : value;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
