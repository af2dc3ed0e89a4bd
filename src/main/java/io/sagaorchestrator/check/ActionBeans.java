package io.sagaorchestrator.check;

import io.sagaorchestrator.definitions.KnownActions;
import io.sagaorchestrator.steps.LocalAction;
import io.sagaorchestrator.steps.RemoteAction;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationValue;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.Index;
import org.jboss.jandex.Indexer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The action beans of the application, read from its classes (with Jandex, as Quarkus reads them when it builds) rather
 * than from a running container: {@code check} knows the names a definition may use without starting anything. The
 * names are those CDI gives: the {@code @Named} value, or the class's simple name with a lower-case first letter.
 */
public final class ActionBeans implements KnownActions {

    private static final DotName NAMED = DotName.createSimple("jakarta.inject.Named");

    private final Set<String> remote;
    private final Set<String> local;

    private ActionBeans(Set<String> remote, Set<String> local) {
        this.remote = Collections.unmodifiableSet(remote);
        this.local = Collections.unmodifiableSet(local);
    }

    /** The action beans among the classes that {@code anchor} was loaded with: its directory or its jar. */
    public static ActionBeans besides(Class<?> anchor) {
        Index index = index(anchor);
        return new ActionBeans(named(index, RemoteAction.class), named(index, LocalAction.class));
    }

    @Override
    public Set<String> remoteActions() {
        return remote;
    }

    @Override
    public Set<String> localActions() {
        return local;
    }

    private static Set<String> named(Index index, Class<?> kind) {
        Set<String> names = new TreeSet<>();
        for (ClassInfo bean : index.getAllKnownImplementations(DotName.createSimple(kind))) {
            AnnotationInstance named = bean.declaredAnnotation(NAMED);
            if (named == null) {
                continue;
            }
            AnnotationValue value = named.value();
            String simple = bean.simpleName();
            names.add(value != null && !value.asString().isEmpty() ? value.asString()
                    : Character.toLowerCase(simple.charAt(0)) + simple.substring(1));
        }
        return names;
    }

    private static Index index(Class<?> anchor) {
        URL own = anchor.getResource(anchor.getSimpleName() + ".class");
        if (own == null) {
            throw new IllegalStateException("cannot find the classes of " + anchor.getName());
        }
        Indexer indexer = new Indexer();
        try {
            String url = own.toString();
            if (url.startsWith("jar:")) {
                String jar = url.substring("jar:".length(), url.indexOf("!/"));
                try (JarFile file = new JarFile(Path.of(URI.create(jar)).toFile())) {
                    for (JarEntry entry : Collections.list(file.entries())) {
                        if (entry.getName().endsWith(".class")) {
                            try (InputStream in = file.getInputStream(entry)) {
                                indexer.index(in);
                            }
                        }
                    }
                }
            } else {
                // up from the class's own directory, one level per package name segment, to the root of the classes
                Path classes = Path.of(own.toURI()).getParent();
                for (String ignored : anchor.getPackageName().split("\\.")) {
                    classes = classes.getParent();
                }
                try (Stream<Path> files = Files.walk(classes)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                        try (InputStream in = Files.newInputStream(file)) {
                            indexer.index(in);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the application's classes to find its action beans", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return indexer.complete();
    }
}
