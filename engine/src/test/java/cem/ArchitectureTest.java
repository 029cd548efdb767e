package cem;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layering of STYLE §1: dependencies point down, and the engine never names an implementation. */
class ArchitectureTest {

    private static JavaClasses engine;

    @BeforeAll
    static void importClasses() {
        engine = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("cem");
    }

    @Test
    void theEngineNeverNamesAProviderTransportOrTheCommandLine() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("cem.cli..", "cem.providers..", "cem.transport..",
                "cem.testkit..", "cem.lab..").check(engine);
    }

    @Test
    void diagnosticsUseOnlyTheJdk() {
        noClasses().that().resideInAPackage("cem.diag..").should().dependOnClassesThat()
                .resideOutsideOfPackages("cem.diag..", "java..").check(engine);
    }

    @Test
    void theProviderSpiDoesNotReachIntoTheEngine() {
        noClasses().that().resideInAPackage("cem.spi..").should().dependOnClassesThat()
                .resideInAnyPackage("cem.engine..", "cem.state..", "cem.plan..", "cem.graph..", "cem.config..").check(engine);
    }

    @Test
    void configurationDoesNotKnowAboutPlansOrState() {
        noClasses().that().resideInAnyPackage("cem.config..", "cem.cert..").should().dependOnClassesThat()
                .resideInAnyPackage("cem.engine..", "cem.state..", "cem.plan..", "cem.spi..").check(engine);
    }
}
