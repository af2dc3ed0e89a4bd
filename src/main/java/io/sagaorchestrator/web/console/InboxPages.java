package io.sagaorchestrator.web.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import java.util.List;

/** The inbox's template (templates/console/inbox.html), checked against these parameters at build time. */
@CheckedTemplate(basePath = "console")
final class InboxPages {

    private InboxPages() {
    }

    static native TemplateInstance inbox(ConsoleViews.Page page, List<ConsoleInboxResource.Waiting> waiting, String problem,
                                         String done);
}
