package dev.paperpod.worker.browser;

import com.vladsch.flexmark.html2md.converter.FlexmarkHtmlConverter;
import com.vladsch.flexmark.util.data.MutableDataSet;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * A rendered page as Markdown, by flexmark's HTML to Markdown converter (CommonMark with GFM tables). What a reader
 * does not see is left out ({@code script}, {@code style}, {@code noscript}, {@code template}, the {@code head}), and
 * links and images point where the page's own did, made absolute against the page's address.
 */
final class Markdown {

    private static final FlexmarkHtmlConverter CONVERTER = FlexmarkHtmlConverter.builder(new MutableDataSet()
                    .set(FlexmarkHtmlConverter.SETEXT_HEADINGS, false)
                    .set(FlexmarkHtmlConverter.OUTPUT_UNKNOWN_TAGS, false)
                    .set(FlexmarkHtmlConverter.OUTPUT_ATTRIBUTES_ID, false)
                    .set(FlexmarkHtmlConverter.MAX_TRAILING_BLANK_LINES, 0))
            .build();

    private Markdown() {}

    /**
     * @param html the page's HTML as the browser rendered it
     * @param baseUrl the page's address, against which relative links resolve ({@code about:blank} for a page given
     *     whole leaves them as they are)
     */
    static String of(String html, String baseUrl) {
        Document document = Jsoup.parse(html, baseUrl.startsWith("http") ? baseUrl : "");
        document.select("script, style, noscript, template").remove();
        for (Element link : document.select("a[href]")) {
            String absolute = link.absUrl("href");
            if (!absolute.isEmpty()) {
                link.attr("href", absolute);
            }
        }
        for (Element image : document.select("img[src]")) {
            String absolute = image.absUrl("src");
            if (!absolute.isEmpty()) {
                image.attr("src", absolute);
            }
        }
        return CONVERTER.convert(document.body());
    }
}
