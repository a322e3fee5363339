package dev.tandem.contact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.support.TestApp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Merge and erasure reach every table that refers to a contact through the hooks the features
 * register ({@link ContactData}). The database is asked which tables those are, so a table added by
 * a migration without a hook fails here, by name.
 */
class ContactDataCoverageTest {
  private static TestApp tandem;

  @BeforeAll
  static void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  static void stop() {
    tandem.close();
  }

  /**
   * Every table with a column named like {@code contact_id} or a foreign key to {@code contact}: a
   * contact reference by another name and without a key is the one shape this cannot see.
   */
  private static final String TABLES_THAT_REFER_TO_A_CONTACT =
      """
      SELECT c.table_name FROM information_schema.columns c
      JOIN information_schema.tables t
        ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND c.column_name LIKE '%contact_id'
        AND t.table_type = 'BASE TABLE'
      UNION
      SELECT k.table_name FROM information_schema.referential_constraints r
      JOIN information_schema.key_column_usage k
        ON k.constraint_schema = r.constraint_schema AND k.constraint_name = r.constraint_name
      JOIN information_schema.constraint_column_usage u
        ON u.constraint_schema = r.unique_constraint_schema
       AND u.constraint_name = r.unique_constraint_name
      WHERE k.table_schema = current_schema() AND u.table_name = 'contact'
      """;

  static Set<String> uncovered(Handle handle, List<ContactData> hooks) {
    Set<String> covered = new TreeSet<>();
    hooks.forEach(h -> covered.addAll(h.tables()));
    Set<String> missing =
        new TreeSet<>(
            handle.createQuery(TABLES_THAT_REFER_TO_A_CONTACT).mapTo(String.class).list());
    missing.removeAll(covered);
    return missing;
  }

  @Test
  void every_table_that_refers_to_a_contact_is_covered_by_a_merge_and_erasure_hook() {
    Set<String> missing =
        tandem.app.database.jdbi().withHandle(h -> uncovered(h, tandem.app.contacts.data()));

    assertThat(missing)
        .as(
            "tables that refer to a contact but that no ContactData hook covers: merge would leave"
                + " their rows on the merged record and erasure would keep them. Have the feature"
                + " that owns each implement ContactData for it and register it in"
                + " App.registerContactData")
        .isEmpty();
  }

  @Test
  void a_new_table_with_a_contact_reference_and_no_hook_is_named() {
    Set<String> missing =
        tandem
            .app
            .database
            .jdbi()
            .inTransaction(h -> {
              h.execute("CREATE TABLE note_probe (id bigint, contact_id uuid)");
              h.execute("CREATE TABLE gift_probe (id bigint, giver uuid REFERENCES contact (id))");
              Set<String> found = uncovered(h, tandem.app.contacts.data());
              h.rollback();
              return found;
            });

    assertThat(missing).containsExactly("gift_probe", "note_probe");
  }

  @Test
  void every_table_a_hook_names_exists() {
    List<String> tables =
        tandem
            .app
            .database
            .jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT table_name FROM information_schema.tables"
                            + " WHERE table_schema = current_schema()")
                    .mapTo(String.class)
                    .list());
    List<String> named = new ArrayList<>();
    tandem.app.contacts.data().forEach(h -> named.addAll(h.tables()));

    assertThat(tables).containsAll(named);
  }

  @Test
  void a_table_is_covered_by_one_hook_only() {
    var contacts = tandem.app.contacts;

    assertThatThrownBy(() -> contacts.register(hook(List.of("suppression"), new ArrayList<>())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("table suppression is covered twice");
  }

  @Test
  void merge_and_erasure_call_every_hook_in_their_transaction_and_fail_with_it() {
    var calls = new CopyOnWriteArrayList<String>();
    var contacts = tandem.app.contacts;
    contacts.register(hook(List.of(), calls));
    String phone = TestApp.uniquePhone();
    String email = TestApp.uniqueEmail();
    UUID survivor = contacts.create(new NewContact(phone, null, "Ada", null, null)).id();
    UUID merged = contacts.create(new NewContact(null, email, null, null, null)).id();

    contacts.merge(survivor, merged, false, "one person");
    tandem.app.privacy.erase(survivor);

    assertThat(calls)
        .containsExactly(
            "merge " + merged + " into " + survivor + " in a transaction",
            "erase "
                + new TreeSet<>(List.of(survivor, merged))
                + " "
                + List.of(phone)
                + " "
                + List.of(email)
                + " in a transaction");

    UUID a = contacts.create(new NewContact(TestApp.uniquePhone(), null, null, null, null)).id();
    UUID b = contacts.create(new NewContact(TestApp.uniquePhone(), null, null, null, null)).id();
    calls.add("fail");
    assertThatThrownBy(() -> contacts.merge(a, b, false, "one person"))
        .hasMessageContaining("hook refused");
    assertThat(contacts.get(b).id()).as("the merge was rolled back with the hook").isEqualTo(b);
    assertThat(contacts.get(a).phones()).hasSize(1);
  }

  /** A hook that records its calls, and fails once "fail" was recorded. */
  private static ContactData hook(List<String> tables, List<String> calls) {
    return ContactData.of(
        tables,
        (handle, from, into) -> {
          if (calls.contains("fail")) {
            throw new IllegalStateException("hook refused");
          }
          calls.add("merge " + from + " into " + into + inTransaction(handle));
        },
        (handle, erasure) ->
            calls.add(
                "erase "
                    + new TreeSet<>(erasure.contactIds())
                    + " "
                    + erasure.phones()
                    + " "
                    + erasure.emails()
                    + inTransaction(handle)));
  }

  private static String inTransaction(Handle handle) {
    return handle.isInTransaction() ? " in a transaction" : " outside a transaction";
  }
}
