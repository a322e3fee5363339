package dev.tandem;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import org.junit.jupiter.api.Test;

/** The protocols stay at the edge: each library is used in one adapter package. */
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
}
