package io.sagaorchestrator;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.sagaorchestrator.check.ActionBeans;
import io.sagaorchestrator.check.CheckCommand;

import java.util.Arrays;

/**
 * The service, or with {@code check} as first argument, the check of the saga definitions: that one runs before the
 * application starts, so it needs no database, no network and no configuration.
 */
@QuarkusMain
public final class Main {

    private Main() {
    }

    public static void main(String... args) {
        if (args.length > 0 && "check".equals(args[0])) {
            System.exit(CheckCommand.run(Arrays.asList(args).subList(1, args.length), ActionBeans.besides(Main.class),
                    System.out, System.err));
        }
        Quarkus.run(args);
    }
}
