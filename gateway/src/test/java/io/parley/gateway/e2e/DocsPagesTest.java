package io.parley.gateway.e2e;

import io.parley.gateway.support.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API docs pages, {@code /docs} (Swagger UI) and {@code /docs/asyncapi} (the AsyncAPI
 * document rendered), over real HTTP: HTML of the node itself, whose scripts, stylesheets and
 * the modules those import all come from the node's {@code /assets/}, and whose links stay on
 * the node. What they do in a browser is checked by tools/browser-check/docs.mjs.
 */
class DocsPagesTest {
    @RegisterExtension
    static final TestNode node = TestNode.perClass();

    private static final List<String> PAGES = List.of("/docs", "/docs/asyncapi");
    /** Where the pages' links may lead besides /assets/: the node's other pages and documents. */
    private static final Set<String> LINKS = Set.of("/", "/docs", "/docs/asyncapi", "/openapi.yaml", "/asyncapi.yaml");
    private static final Pattern REFERENCE = Pattern.compile("\\b(?:src|href)=\"([^\"]*)\"");
    private static final Pattern SCRIPT = Pattern.compile("<script\\b([^>]*)>");
    private static final Pattern IMPORT = Pattern.compile("^import\\b[^;]*?\\bfrom\\s+'([^']+)'", Pattern.MULTILINE);
    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");

    @Test
    void pagesAreHtmlOfTheNodeAndLoadOnlyItsAssets() throws Exception {
        for (String page : PAGES) {
            HttpResponse<String> response = node.get(page);
            assertThat(response.statusCode()).as(page).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).as(page).contains("text/html; charset=utf-8");
            String html = response.body();

            Matcher script = SCRIPT.matcher(html);
            while (script.find()) {
                assertThat(script.group(1)).as("%s: every script is a file of /assets/, none inline", page)
                        .contains("src=\"/assets/");
            }
            Set<String> assets = new LinkedHashSet<>();
            Matcher reference = REFERENCE.matcher(html);
            while (reference.find()) {
                String target = reference.group(1);
                if (target.startsWith("/assets/")) {
                    assets.add(target);
                } else {
                    assertThat(LINKS).as("%s links to %s", page, target).contains(target);
                }
            }
            assertThat(assets).as("%s: its scripts and stylesheets", page).isNotEmpty();
            for (String asset : withImports(assets)) {
                HttpResponse<String> file = node.get(asset);
                assertThat(file.statusCode()).as("%s: %s", page, asset).isEqualTo(200);
                assertThat(file.headers().firstValue("content-type")).as(asset)
                        .contains(TYPES.get(asset.substring(asset.lastIndexOf('.') + 1)));
            }
        }
        assertThat(node.get("/docs").body()).contains("href=\"/docs/asyncapi\"");
        assertThat(node.get("/docs").body()).contains("/assets/webjars/swagger-ui/5.35.0/swagger-ui-bundle.js");
    }

    /**
     * The pages' own scripts name no other host and never turn a string into markup: the
     * documents' text is set as text (the Markdown renderer builds nodes too).
     */
    @Test
    void pageScriptsSetTextNeverHtml() throws Exception {
        Set<String> scripts = withImports(Set.of("/assets/docs/openapi-page.js", "/assets/docs/asyncapi-page.js"));
        assertThat(scripts).contains("/assets/docs/markdown.js");
        for (String script : scripts) {
            String source = node.get(script).body();
            assertThat(source).as(script).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                    "http://", "https://");
        }
    }

    /** The assets with, transitively, the modules their scripts import (relative to the script). */
    private static Set<String> withImports(Set<String> assets) throws Exception {
        Set<String> all = new LinkedHashSet<>(assets);
        Deque<String> scripts = new ArrayDeque<>(assets.stream().filter(a -> a.endsWith(".js")).toList());
        while (!scripts.isEmpty()) {
            String script = scripts.pop();
            if (script.startsWith("/assets/webjars/")) {
                continue; // a library's bundle, served as it is published
            }
            Matcher imported = IMPORT.matcher(node.get(script).body());
            while (imported.find()) {
                String module = URI.create(script).resolve(imported.group(1)).getPath();
                assertThat(module).as("%s imports %s", script, imported.group(1)).startsWith("/assets/");
                if (all.add(module)) {
                    scripts.push(module);
                }
            }
        }
        return all;
    }
}
