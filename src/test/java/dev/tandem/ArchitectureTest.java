package dev.tandem;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import dev.tandem.contact.ContactData;
import dev.tandem.contact.Contacts;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The protocols stay at the edge: each library is used in one adapter package. Each table has one
 * writer: only the package that owns it writes it; others call the owner.
 */
class ArchitectureTest {
  static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.tandem");

  @Test
  void the_rules_below_see_the_whole_code_base() {
    // an empty import would make every noClasses() rule pass without looking at anything
    org.assertj.core.api.Assertions.assertThat(CLASSES.size()).isGreaterThan(50);
    org.assertj.core.api.Assertions.assertThat(CLASSES.containPackage("dev.tandem.sms.smpp"))
        .isTrue();
  }

  @Test
  void only_the_smpp_adapter_and_the_sandbox_smsc_use_jsmpp() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.tandem.sms.smpp..", "dev.tandem.sandbox..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.jsmpp..")
        .check(CLASSES);
  }

  @Test
  void only_the_smtp_adapters_and_the_sandbox_use_jakarta_mail() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "dev.tandem.email.smtp..", "dev.tandem.email.inbound..", "dev.tandem.sandbox..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("jakarta.mail..", "org.eclipse.angus..", "org.subethamail..")
        .check(CLASSES);
  }

  @Test
  void only_the_api_uses_javalin() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.tandem.api..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.javalin..")
        .check(CLASSES);
  }

  @Test
  void features_never_depend_on_the_api_the_cli_or_the_sandbox() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.tandem.contact..",
            "dev.tandem.delivery..",
            "dev.tandem.event..",
            "dev.tandem.sms",
            "dev.tandem.email",
            "dev.tandem.store..",
            "dev.tandem.config..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.tandem.api..", "dev.tandem.sandbox..")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("dev.tandem.App")
        .check(CLASSES);
  }

  @Test
  void feature_packages_have_no_cycles() {
    SlicesRuleDefinition.slices()
        .matching("dev.tandem.(*)..")
        .should()
        .beFreeOfCycles()
        .check(CLASSES);
  }

  static final Path SQL_FILES = Path.of("src/main/resources/dev/tandem");
  static final Path JAVA_SOURCES = Path.of("src/main/java/dev/tandem");

  @Test
  void each_table_is_written_only_by_the_package_that_owns_it() {
    List<SqlWrites.Write> writes = SqlWrites.scan(SQL_FILES, JAVA_SOURCES);
    // an empty scan (a moved directory, a broken pattern) would pass without looking at anything
    assertThat(writes.stream().map(SqlWrites.Write::table))
        .contains("delivery", "suppression", "contact", "consent_state", "inbound_email");

    assertThat(SqlWrites.violations(writes))
        .as("statements that write another package's table")
        .isEmpty();
  }

  @Test
  void each_sql_file_sits_next_to_the_class_that_runs_it() throws java.io.IOException {
    List<String> orphans;
    try (var files = java.nio.file.Files.walk(SQL_FILES)) {
      orphans =
          files
              .filter(f -> f.toString().endsWith(".sql"))
              .map(f -> SQL_FILES.relativize(f).toString().replace('\\', '/'))
              .filter(f -> {
                String name = "dev.tandem." + f.substring(0, f.length() - 4).replace('/', '.');
                return !CLASSES.contain(name);
              })
              .toList();
    }

    assertThat(orphans)
        .as(
            "SQL files with no class of the same name in their package: the table writer rule"
                + " takes a file's package from where it sits")
        .isEmpty();
  }

  /**
   * Messages, deliveries, parts, receipts, timeline and consent rows name contacts, messages,
   * deliveries and consent events without a foreign key (V13, decision 0024): that is safe only
   * while those rows are never deleted. A merge keeps both contacts; an erasure redacts in place.
   */
  @Test
  void rows_referred_to_without_a_foreign_key_are_never_deleted() {
    Set<String> referred = Set.of("contact", "message", "delivery", "consent_event");
    List<SqlWrites.Write> deletes =
        SqlWrites.scan(SQL_FILES, JAVA_SOURCES).stream()
            .filter(w -> referred.contains(w.table()))
            .filter(w ->
                w.statement().toUpperCase(java.util.Locale.ROOT).startsWith("DELETE")
                    || w.statement().toUpperCase(java.util.Locale.ROOT).startsWith("TRUNCATE"))
            .toList();

    assertThat(deletes)
        .as(
            "statements that delete rows other tables refer to without a foreign key: keep the"
                + " row (mark it, redact it) or add the key back in a migration")
        .isEmpty();
    assertThat(SqlWrites.tablesWritten("DELETE FROM delivery WHERE id = 1"))
        .as("the scan sees a delete")
        .containsExactly("delivery");
  }

  @Test
  void the_table_writer_rule_names_a_write_from_another_package() {
    var foreign =
        List.of(
            new SqlWrites.Write("delivery", "email", "email/InboundEmails.sql", "UPDATE delivery"),
            new SqlWrites.Write("suppression", "sms.smpp", "sms/smpp/X.java", "INSERT INTO"),
            new SqlWrites.Write("sms_receipt", "delivery", "delivery/Outbox.sql", "UPDATE"),
            new SqlWrites.Write("scratch", "delivery", "delivery/Outbox.sql", "DELETE FROM"));

    assertThat(SqlWrites.violations(foreign))
        .satisfiesExactly(
            v -> assertThat(v).contains("writes delivery from email, but only delivery writes it"),
            v -> assertThat(v).contains("from sms.smpp, but only consent writes it"),
            v -> assertThat(v).contains("writes scratch, which has no owner"));
  }

  @Test
  void the_table_writer_rule_reads_statements_not_locks_comments_or_strings() {
    assertThat(
            SqlWrites.tablesWritten(
                """
                -- UPDATE contact here would be a comment
                WITH moved AS (UPDATE ONLY public.delivery SET status = 'x' RETURNING id)
                INSERT INTO suppression (reason) VALUES ('DELETE FROM event')
                ON CONFLICT (channel) DO UPDATE SET reason = EXCLUDED.reason;
                SELECT * FROM consent_state FOR UPDATE SKIP LOCKED;
                SELECT * FROM delivery h FOR NO KEY UPDATE OF h;
                delete from inbound_sms_part where true;
                TRUNCATE TABLE sms_problem;
                COPY event TO STDOUT;
                COPY change FROM STDIN;
                """))
        .containsExactly("delivery", "suppression", "inbound_sms_part", "sms_problem", "change");
    assertThat(
            SqlWrites.tablesWritten(
                SqlWrites.sqlInJava(
                    """
                    // UPDATE contact in a comment
                    /** Javadoc that says UPDATE delivery. */
                    String url = "http://x/*"; String a = "UPDATE delivery SET x = 1";
                    char quote = '"'; String c = "INSERT INTO message";
                    String b = \"""
                        DELETE FROM event
                        \""";
                    """)))
        .containsExactly("delivery", "message", "event");
  }

  @Test
  void only_delivery_uses_the_outbox_and_the_receipt_writer() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.tandem.delivery..")
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("dev.tandem.delivery.Outbox")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("dev.tandem.delivery.ReceiptWriter")
        .check(CLASSES);
  }

  @Test
  void contacts_are_made_by_app_with_every_merge_and_erasure_hook() {
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName("dev.tandem.App")
        .should()
        .callConstructorWhere(target(owner(equivalentTo(Contacts.class))))
        .orShould()
        .callMethod(Contacts.class, "register", ContactData.class)
        .because("a Contacts without the hooks App.contacts registers merges only its own tables")
        .check(CLASSES);
  }

  @Test
  void email_reaches_deliveries_through_its_port_only() {
    noClasses()
        .that()
        .resideInAPackage("dev.tandem.email..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.tandem.delivery..")
        .check(CLASSES);
  }

  @Test
  void the_shared_values_and_the_router_depend_on_no_feature_that_uses_them() {
    // channel and topic are values every feature shares; content is what a message says; the
    // router is a pure function of them: none of them may reach for delivery, the API or I/O
    noClasses()
        .that()
        .resideInAnyPackage("dev.tandem.channel..", "dev.tandem.topic..", "dev.tandem.content..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.tandem.delivery..",
            "dev.tandem.routing..",
            "dev.tandem.api..",
            "dev.tandem.sms..",
            "dev.tandem.email..")
        .check(CLASSES);
    noClasses()
        .that()
        .haveFullyQualifiedName("dev.tandem.routing.Router")
        .or()
        .haveFullyQualifiedName("dev.tandem.routing.QuietHours")
        .or()
        .haveFullyQualifiedName("dev.tandem.routing.Zones")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.jdbi..", "java.sql..", "java.net..", "java.nio.file..", "dev.tandem.store..")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.time.Clock")
        .check(CLASSES);
  }

  @Test
  void only_the_send_gate_asks_consent_and_suppressions_whether_a_message_may_go() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.tandem.routing..", "dev.tandem.consent..", "dev.tandem.api..")
        .should()
        .callMethod(dev.tandem.consent.ConsentLedger.class, "decide", java.util.List.class)
        .orShould()
        .callMethod(
            dev.tandem.consent.ConsentLedger.class,
            "decide",
            org.jdbi.v3.core.Handle.class,
            java.util.List.class)
        .orShould()
        .callMethod(
            dev.tandem.consent.Suppressions.class,
            "blocks",
            org.jdbi.v3.core.Handle.class,
            String.class,
            java.util.Collection.class)
        .check(CLASSES);
  }

  @Test
  void only_the_entry_point_uses_the_commands() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.tandem.cli..")
        .and()
        .doNotHaveFullyQualifiedName("dev.tandem.Main")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.tandem.cli..")
        .check(CLASSES);
  }
}
