package io.sagaorchestrator.web.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.sagaorchestrator.check.DefinitionReport;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.store.SagaViews;

import io.sagaorchestrator.core.CompensationPlan;

import java.util.List;

/** The console's templates (src/main/resources/templates/console/), checked against these parameters at build time. */
@CheckedTemplate(basePath = "console")
final class ConsolePages {

    private ConsolePages() {
    }

    static native TemplateInstance login(boolean failed, boolean signedOut, boolean identityProvider);

    static native TemplateInstance overview(ConsoleViews.Page page, ConsoleViews.Overview overview);

    static native TemplateInstance list(ConsoleViews.Page page, ListForm form, List<String> statuses, List<String> definitions,
                                        List<SagaViews.Summary> sagas, String problem, String firstPage, String nextPage);

    static native TemplateInstance detail(ConsoleViews.Page page, SagaViews.Detail saga, List<ConsoleViews.StepSummary> steps,
                                          List<ConsoleViews.TimelineEntry> timeline, List<ConsoleViews.Action> actions,
                                          ConsoleViews.Outcome outcome, String input, String result, String traceLink,
                                          CompensationPlan plan, String diagram);

    static native TemplateInstance definitions(ConsoleViews.Page page, List<SagaDefinition> definitions);

    static native TemplateInstance definition(ConsoleViews.Page page, SagaDefinition definition, DefinitionReport report,
                                              String diagram);

    static native TemplateInstance problem(ConsoleViews.Page page, String title, String message);
}
