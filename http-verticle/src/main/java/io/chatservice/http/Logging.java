package io.chatservice.http;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;

/** Applies --log-format: text is logback.xml, loaded by default; json swaps in logback-json.xml. */
final class Logging {

  enum Format { text, json }

  private Logging() {
  }

  static void use(Format format) {
    if (format == Format.text) {
      return;
    }
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(Logging.class.getResource("/logback-json.xml"));
    } catch (JoranException e) {
      throw new IllegalStateException("logback-json.xml is broken", e);
    }
  }
}
