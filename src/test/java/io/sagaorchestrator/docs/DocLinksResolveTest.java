package io.sagaorchestrator.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relative link of the README and of docs/ leads somewhere: to a file of the repository and, with a
 * {@code #fragment}, to a heading of that file, by GitHub's rule for heading anchors. A page moved or a heading renamed
 * without its links fails here.
 */
class DocLinksResolveTest {

    /** An inline link or image, [text](target), whose target has no scheme; the title after a space is left out. */
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern FENCE = Pattern.compile("(?ms)^```.*?^```");

    @Test
    void everyRelativeLinkOfTheReadmeAndTheDocsResolves() throws IOException {
        // given the README and every page under docs/
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.walk(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        assertTrue(pages.size() > 5, "the docs were not found: " + pages);

        // when each relative link is followed
        List<String> broken = new ArrayList<>();
        int followed = 0;
        for (Path page : pages) {
            for (String target : relativeLinks(Files.readString(page))) {
                followed++;
                String problem = problemOf(page, target);
                if (problem != null) {
                    broken.add(page + ": " + target + " (" + problem + ")");
                }
            }
        }

        // then every one leads to a file, and to a heading of it where it names one
        assertTrue(followed > 50, "too few links found to trust the scan: " + followed);
        assertEquals(List.of(), broken, "broken links");
    }

    @Test
    void aLinkToAMissingFileOrHeadingIsFoundBroken() throws IOException {
        // given a page with one good link and three broken ones, written as a person would
        Path dir = Files.createDirectories(Path.of("target/doc-links-test"));
        Path page = dir.resolve("page.md");
        Files.writeString(page, "# A page\n\n## Two starts for one person\n\n[ok](#two-starts-for-one-person) "
                + "[gone](missing.md) [wrong heading](page.md#nowhere) [no such](#two-starts) [web](https://example.com)\n");

        // when its links are followed, then exactly the three broken ones are reported
        List<String> problems = relativeLinks(Files.readString(page)).stream().filter(t -> problemOf(page, t) != null).toList();
        assertEquals(List.of("missing.md", "page.md#nowhere", "#two-starts"), problems);
    }

    @Test
    void headingAnchorsFollowGitHubsRule() {
        assertEquals("the-outbox-the-local-write-first-the-call-after-the-commit",
                anchor("The outbox: the local write first, the call after the commit"));
        assertEquals("post-apisagasuser-sync-saga-client", anchor("`POST /api/sagas/user-sync` (saga-client)"));
        assertEquals("uncertain-ownership-the-users-choice", anchor("Uncertain ownership: the user's choice"));
        assertEquals("a-declared-call-http", anchor("A declared call (`http:`)"));
    }

    static List<String> relativeLinks(String markdown) {
        List<String> targets = new ArrayList<>();
        Matcher link = LINK.matcher(FENCE.matcher(markdown).replaceAll(""));
        while (link.find()) {
            String target = link.group(1);
            if (!target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                targets.add(target);
            }
        }
        return targets;
    }

    /** Why the link from the page does not resolve, or null when it does. */
    static String problemOf(Path page, String target) {
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path resolved = file.isEmpty() ? page : page.toAbsolutePath().getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (hash < 0) {
            return null;
        }
        if (!resolved.toString().endsWith(".md")) {
            return "an anchor into a file that is not markdown";
        }
        try {
            return anchors(Files.readString(resolved)).contains(target.substring(hash + 1)) ? null : "no such heading";
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    static Set<String> anchors(String markdown) {
        Set<String> anchors = new HashSet<>();
        Matcher heading = HEADING.matcher(FENCE.matcher(markdown).replaceAll(""));
        while (heading.find()) {
            String base = anchor(heading.group(1));
            String candidate = base;
            // GitHub numbers repeated headings: x, x-1, x-2
            for (int n = 1; !anchors.add(candidate); n++) {
                candidate = base + "-" + n;
            }
        }
        return anchors;
    }

    /** GitHub's slug: lower case, punctuation dropped (hyphens and underscores kept), each space a hyphen. */
    static String anchor(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\p{M} _-]", "").replace(' ', '-');
    }
}
