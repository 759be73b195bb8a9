package dev.userservice.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The logging setup, in code rather than logback.xml: parsing XML cost a third of a second of
 * startup (measured with -Xlog:class+load). Logback finds it through META-INF/services.
 *
 * <p>One JSON object per line on stdout ({@link JsonLineEncoder}). Event loops hand lines to a queue and go on; when it
 * is full, lines are dropped rather than waited for. The access log (logger "http.access") is
 * written in 8 KiB blocks instead of a system call a line; everything else is flushed at once.
 * LOG_LEVEL sets the root level (INFO by default).
 */
public final class JsonLogging extends ContextAwareBase implements Configurator {
  public static final String ACCESS_LOGGER = "http.access";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(System.getenv("LOG_LEVEL"), Level.INFO));
    root.addAppender(async(context, "main", true));

    Logger access = context.getLogger(ACCESS_LOGGER);
    access.setLevel(Level.INFO);
    access.setAdditive(false);
    access.addAppender(async(context, "access", false));

    for (String quiet : new String[] {"io.zonky", "org.flywaydb", "io.netty", "io.vertx"}) {
      context.getLogger(quiet).setLevel(Level.WARN);
    }
    // The queues are drained when the JVM exits, so the last lines (such as migrate's
    // "database migrated" just before it returns) are written, not dropped.
    Runtime.getRuntime().addShutdownHook(new Thread(context::stop, "logging-shutdown"));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  private static AsyncAppender async(LoggerContext context, String name, boolean flushEachLine) {
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.setContext(context);
    encoder.start();

    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName(name + "-stdout");
    console.setEncoder(encoder);
    console.setImmediateFlush(flushEachLine);
    console.start();

    AsyncAppender async = new TraceContextAppender();
    async.setContext(context);
    async.setName(name);
    async.setQueueSize(8192);
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.addAppender(console);
    async.start();
    return async;
  }
}
