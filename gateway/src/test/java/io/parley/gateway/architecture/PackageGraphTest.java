package io.parley.gateway.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layout that docs/architecture.md describes, checked on the compiled classes: no package
 * cycles, the connection's life independent of any dialect, each dialect on its own.
 */
class PackageGraphTest {
    private static final JavaClasses GATEWAY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.parley.gateway");

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.parley.gateway.(**)").should().beFreeOfCycles().check(GATEWAY);
    }

    @Test
    void dialectsDoNotKnowEachOther() {
        slices().matching("io.parley.gateway.dialect.(*)..").should().notDependOnEachOther().check(GATEWAY);
    }

    @Test
    void onlyTheCompositionRootKnowsTheDialects() {
        noClasses().that().resideOutsideOfPackages("io.parley.gateway.dialect..", "io.parley.gateway.server")
                .should().dependOnClassesThat().resideInAPackage("io.parley.gateway.dialect..")
                .check(GATEWAY);
    }
}
