package dev.paperpod.worker.browser;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MarkdownTest {

    @Test
    void headingsListsLinksAndTablesBecomeMarkdown() {
        String markdown = Markdown.of("""
                <html><head><title>T</title><style>h1 { color: red }</style></head><body>
                <h1 id="top">Release notes</h1>
                <p>Read <a href="/docs/api">the API</a> and <strong>upgrade</strong>.</p>
                <ul><li>faster</li><li>smaller</li></ul>
                <table><tr><th>kind</th><th>p50</th></tr><tr><td>screenshot</td><td>137</td></tr></table>
                <img src="logo.png" alt="logo">
                </body></html>
                """, "https://example.com/news/");

        assertThat(markdown)
                .contains("# Release notes")
                .contains("[the API](https://example.com/docs/api)")
                .contains("**upgrade**")
                .contains("* faster")
                .containsPattern("\\|\\s+kind\\s+\\| p50 \\|")
                .contains("| screenshot |")
                .contains("![logo](https://example.com/news/logo.png)")
                .doesNotContain("{#top}")
                .doesNotContain("color: red")
                .doesNotContain("<");
    }

    @Test
    void whatAReaderDoesNotSeeIsLeftOut() {
        String markdown = Markdown.of(
                "<body><script>var secret = 1;</script><noscript>enable JS</noscript><p>seen</p></body>",
                "about:blank");

        assertThat(markdown.strip()).isEqualTo("seen");
    }

    @Test
    void aPageGivenWholeKeepsItsRelativeLinks() {
        assertThat(Markdown.of("<a href=\"/x\">x</a>", "about:blank")).contains("[x](/x)");
    }
}
