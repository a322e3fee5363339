package dev.tandem.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import dev.tandem.config.TandemConfig;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code log.level} and {@code log.format} to the logback set up by logback.xml: the level
 * of Tandem's own loggers, and plain lines or one JSON object per line ({@link JsonLogLayout}) on
 * standard error.
 */
public final class Logging {
  private Logging() {}

  public static void apply(TandemConfig.Log log) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J binding: it has its own configuration
    }
    context.getLogger("dev.tandem").setLevel(Level.toLevel(log.level().name()));
    if (log.format() == TandemConfig.LogFormat.JSON) {
      Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
      var layout = new JsonLogLayout();
      layout.setContext(context);
      layout.start();
      var encoder = new LayoutWrappingEncoder<ILoggingEvent>();
      encoder.setContext(context);
      encoder.setLayout(layout);
      encoder.start();
      var appender = new ConsoleAppender<ILoggingEvent>();
      appender.setContext(context);
      appender.setName("JSON");
      appender.setTarget("System.err");
      appender.setEncoder(encoder);
      appender.start();
      root.detachAndStopAllAppenders();
      root.addAppender(appender);
    }
  }
}
