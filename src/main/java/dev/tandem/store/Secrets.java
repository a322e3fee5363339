package dev.tandem.store;

import java.security.SecureRandom;
import org.jdbi.v3.core.Jdbi;

/**
 * Random secrets created once and kept in the database, so that every node (and every restart) uses
 * the same one: the first node to ask creates it, the unique name decides races.
 */
public final class Secrets {
  private final Jdbi jdbi;
  private final String create;
  private final String get;

  public Secrets(Jdbi jdbi) {
    this.jdbi = jdbi;
    var sql = NamedSql.forClass(Secrets.class);
    this.create = sql.get("create");
    this.get = sql.get("get");
  }

  /** The 32-byte secret called {@code name}, created on first use. */
  public byte[] get(String name) {
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    return jdbi.inTransaction(handle -> {
      handle.createUpdate(create).bind("name", name).bind("value", fresh).execute();
      return handle.createQuery(get).bind("name", name).mapTo(byte[].class).one();
    });
  }
}
