package dev.tandem.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.config.Redact;
import dev.tandem.config.TandemConfig;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementException;
import org.jdbi.v3.core.statement.StatementExceptions;

/**
 * The one database: embedded PostgreSQL in the data directory by default, or the external one that
 * {@code db.url} names. Migrated with Flyway on open.
 */
public final class Database implements AutoCloseable {
  private final EmbeddedPostgresServer embedded;
  private final DataDirLock lock;
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;

  private Database(EmbeddedPostgresServer embedded, DataDirLock lock, HikariDataSource dataSource) {
    this.embedded = embedded;
    this.lock = lock;
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource);
    jdbi.getConfig(StatementExceptions.class).setMessageRendering(Database::withoutArguments);
  }

  public static Database open(TandemConfig.Db db, Path dataDir) {
    return open(db, dataDir, true);
  }

  /** {@code durable = false} turns off fsync in the embedded server: for tests only. */
  public static Database open(TandemConfig.Db db, Path dataDir, boolean durable) {
    EmbeddedPostgresServer embedded = null;
    DataDirLock lock = null;
    String url;
    String password;
    if (db.embedded()) {
      lock = DataDirLock.acquire(dataDir);
      if (lock.owned()) {
        embedded = EmbeddedPostgresServer.start(dataDir, durable, db.statementStats());
        url = embedded.jdbcUrl();
        lock.publishDatabaseUrl(url);
      } else {
        // Another Tandem runs on this data directory: share its PostgreSQL (e.g. `apikey create`).
        url = lock.runningDatabaseUrl();
      }
      password = PrivateFiles.secret(EmbeddedPostgresServer.passwordFile(dataDir));
    } else {
      url = db.url().orElseThrow();
      password = db.password();
    }
    var hikari = new HikariConfig();
    hikari.setJdbcUrl(url);
    if (!db.embedded()) {
      hikari.setUsername(db.user());
    }
    hikari.setPassword(password);
    // a server error's detail repeats the row's values (personal data) into exceptions and logs
    hikari.addDataSourceProperty("logServerErrorDetail", "false");
    // A JDBC batch of INSERTs goes as multi-row INSERTs: one statement per batch, not per row.
    hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
    hikari.setMaximumPoolSize(db.poolSize());
    hikari.setPoolName("tandem-db");
    hikari.setInitializationFailTimeout(10_000);
    hikari.setConnectionTimeout(10_000);
    HikariDataSource dataSource;
    try {
      dataSource = new HikariDataSource(hikari);
    } catch (RuntimeException e) {
      closeQuietly(embedded, lock);
      // not chained: the driver's messages repeat the URL, password included
      throw new IllegalStateException(
          "cannot connect to PostgreSQL at "
              + Redact.url(url)
              + ": "
              + Redact.url(Redact.without(rootMessage(e), Redact.passwordsIn(url)))
              + ". Fix: check db.url / TANDEM_DB_URL, db.user and db.password");
    }
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration")
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (RuntimeException e) {
      dataSource.close();
      closeQuietly(embedded, lock);
      throw e;
    }
    return new Database(embedded, lock, dataSource);
  }

  private static void closeQuietly(EmbeddedPostgresServer embedded, DataDirLock lock) {
    if (embedded != null) {
      embedded.close();
    }
    if (lock != null) {
      lock.close();
    }
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null) {
      e = e.getCause();
    }
    return e.getMessage();
  }

  /**
   * A failed statement's message: the error and the SQL, never the bound values (Jdbi's default
   * lists them, and they are messages, names, numbers and addresses).
   */
  private static String withoutArguments(StatementException e) {
    StatementContext context = e.getStatementContext();
    String sql = context == null ? null : context.getRawSql();
    return e.getShortMessage() + (sql == null ? "" : " [statement:\"" + sql.strip() + "\"]");
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  /** True when a trivial query answers: used by {@code /health/ready}. */
  public boolean reachable() {
    try {
      return jdbi.withHandle(h -> h.createQuery("select 1").mapTo(Integer.class).one()) == 1;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    dataSource.close();
    closeQuietly(embedded, lock);
  }
}
