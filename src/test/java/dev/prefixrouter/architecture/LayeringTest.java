package dev.prefixrouter.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering, as rules a change cannot break without failing the build: a request flows api → proxy → routing →
 * trie, with the fleet beside routing and the OpenAI error format at the bottom; the prefix index sees engines only
 * as slot numbers; the simulator is an engine, not a router. Each package's {@code package-info.java} says the
 * same in words.
 */
@AnalyzeClasses(packages = "dev.prefixrouter", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    private static final String ROOT = "dev.prefixrouter";

    private static DescribedPredicate<JavaClass> routerClassesOutside(String packageIdentifier) {
        return resideInAPackage(ROOT + "..").and(resideOutsideOfPackage(packageIdentifier))
                .as("classes of the router outside " + packageIdentifier);
    }

    @ArchTest
    static final ArchRule packagesHaveNoCycles = slices().matching(ROOT + ".(**)")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule theIndexKnowsOnlySlots = noClasses().that().resideInAPackage(ROOT + ".trie..")
            .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".fleet..", ROOT + ".routing..",
                    ROOT + ".api..", ROOT + ".proxy..", ROOT + ".observability..", ROOT + ".sim..",
                    "org.springframework.web..", "org.springframework.http..", "reactor.netty..", "io.netty..")
            .because("the prefix index is a framework-free structure over slot numbers; engines map to slots in"
                    + " routing (EngineSlots)");

    @ArchTest
    static final ArchRule theSimulatorIsNotARouter = noClasses().that().resideInAPackage(ROOT + ".sim..")
            .should().dependOnClassesThat(routerClassesOutside(ROOT + ".sim.."))
            .because("the simulator stands in for vLLM and could be its own module");

    @ArchTest
    static final ArchRule nothingRunsBackUpToTheApi = noClasses().that().resideOutsideOfPackage(ROOT + ".api..")
            .should().dependOnClassesThat().resideInAPackage(ROOT + ".api..")
            .because("api is the top of the request path: it calls proxy and routing, never the reverse");

    @ArchTest
    static final ArchRule theProxyDoesNotRoute = noClasses().that().resideInAPackage(ROOT + ".proxy..")
            .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".trie..", ROOT + ".api..")
            .because("the proxy forwards what routing decided; it reports outcomes through RoutingDecision");

    @ArchTest
    static final ArchRule theErrorFormatIsAtTheBottom = noClasses().that().resideInAPackage(ROOT + ".error..")
            .should().dependOnClassesThat(routerClassesOutside(ROOT + ".error.."))
            .because("api and proxy both render OpenAI errors; the format depends on neither");

    @ArchTest
    static final ArchRule admissionSitsBelowTheRequestPath = noClasses()
            .that().resideInAPackage(ROOT + ".admission..")
            .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".api..", ROOT + ".proxy..",
                    ROOT + ".routing..", ROOT + ".trie..", ROOT + ".fleet..")
            .because("api and proxy ask admission for room; admission knows nothing of them");

    @ArchTest
    static final ArchRule securityKnowsNothingOfTheRequestPath = noClasses()
            .that().resideInAPackage(ROOT + ".security..")
            .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".api..", ROOT + ".proxy..",
                    ROOT + ".routing..", ROOT + ".trie..", ROOT + ".fleet..", ROOT + ".observability..",
                    ROOT + ".admission..", ROOT + ".sim..", ROOT + ".demo..")
            .because("who may call the router is decided before the request path starts; api may use security,"
                    + " security uses only error and config");

    @ArchTest
    static final ArchRule theFleetKnowsNoRouting = noClasses().that().resideInAPackage(ROOT + ".fleet..")
            .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".routing..", ROOT + ".trie..",
                    ROOT + ".api..", ROOT + ".proxy..", ROOT + ".observability..", ROOT + ".sim..",
                    ROOT + ".demo..")
            .because("the fleet is told nothing of how requests are routed; routing reads it");

    @ArchTest
    static final ArchRule onlyTheDemoAndTheCommandLineStartEngines = noClasses()
            .that().resideOutsideOfPackages(ROOT + ".sim..", ROOT + ".demo..")
            .and().doNotHaveFullyQualifiedName(ROOT + ".PrefixRouterApplication")
            .should().dependOnClassesThat().resideInAPackage(ROOT + ".sim..")
            .because("the router talks to engines over HTTP only, simulated or not");
}
