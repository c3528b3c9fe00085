package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

class BadgeTest {

    private static final String SVG = "http://www.w3.org/2000/svg";

    private final TextWidth textWidth = TextWidth.dejaVuSans();
    private final Badge badge = Badge.dejaVuSans();

    @Test
    void readsLabelAndCountWithThousandsSeparators() throws Exception {
        Document svg = parse(render("views", 1234, BadgeStyle.FLAT));
        Element root = svg.getDocumentElement();
        assertEquals("svg", root.getLocalName());
        assertEquals(SVG, root.getNamespaceURI());
        assertEquals("img", root.getAttribute("role"));
        assertEquals("views: 1,234", root.getAttribute("aria-label"));
        assertEquals("views: 1,234", text(svg, "title").get(0));
        // Flat draws each text twice: a shadow (hidden from screen readers) and the text itself.
        assertEquals(List.of("views", "views", "1,234", "1,234"), text(svg, "text"));
    }

    @Test
    void partsAreTheirTextsWidthPlusPaddingAndTheTextFillsItExactly() throws Exception {
        Document svg = parse(render("views", 1234, BadgeStyle.FLAT_SQUARE));
        List<Element> rects = elements(svg, "rect");
        List<Element> texts = elements(svg, "text");
        double labelText = textWidth.of("views");
        double valueText = textWidth.of("1,234");
        int labelWidth = Integer.parseInt(rects.get(0).getAttribute("width"));
        int valueWidth = Integer.parseInt(rects.get(1).getAttribute("width"));
        assertEquals((int) Math.ceil(labelText) + 2 * Badge.PADDING, labelWidth);
        assertEquals((int) Math.ceil(valueText) + 2 * Badge.PADDING, valueWidth);
        assertEquals(String.valueOf(labelWidth), rects.get(1).getAttribute("x"));
        assertEquals(String.valueOf(labelWidth + valueWidth), svg.getDocumentElement().getAttribute("width"));
        double labelLength = Double.parseDouble(texts.get(0).getAttribute("textLength"));
        double valueLength = Double.parseDouble(texts.get(1).getAttribute("textLength"));
        assertTrue(labelLength >= labelText && labelLength < labelText + 0.1, labelLength + " for " + labelText);
        assertTrue(valueLength >= valueText && valueLength < valueText + 0.1, valueLength + " for " + valueText);
        assertEquals(labelWidth / 2.0, Double.parseDouble(texts.get(0).getAttribute("x")));
        assertEquals(labelWidth + valueWidth / 2.0, Double.parseDouble(texts.get(1).getAttribute("x")));
    }

    @Test
    void aLongLabelGetsAWiderBadge() throws Exception {
        int shortWidth = width(render("views", 7, BadgeStyle.FLAT));
        int longWidth = width(render("views of this very long page title", 7, BadgeStyle.FLAT));
        assertTrue(longWidth > shortWidth + 100, longWidth + " vs " + shortWidth);
        assertTrue(width(render("views", 1_234_567, BadgeStyle.FLAT)) > shortWidth);
    }

    @Test
    void escapesMarkupInTheLabelSoItStaysText() throws Exception {
        String hostile = "<script>alert(\"x\")</script>";
        String rendered = render(hostile, 1, BadgeStyle.FLAT);
        assertFalse(rendered.contains("<script"), rendered);
        assertTrue(rendered.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), rendered);
        Document svg = parse(rendered);
        assertEquals(0, svg.getElementsByTagNameNS("*", "script").getLength());
        assertEquals(List.of(hostile, hostile, "1", "1"), text(svg, "text"));
        assertEquals(hostile + ": 1", svg.getDocumentElement().getAttribute("aria-label"));
    }

    @Test
    void quotesAndAmpersandsCannotLeaveTheirAttributeOrEntity() throws Exception {
        String hostile = "a\" onload=\"alert(1)\" x='y' & &amp; &#60;";
        Document svg = parse(render(hostile, 2, BadgeStyle.FLAT_SQUARE));
        Element root = svg.getDocumentElement();
        assertEquals(hostile + ": 2", root.getAttribute("aria-label"));
        assertFalse(root.hasAttribute("onload"));
        assertEquals(List.of(hostile, "2"), text(svg, "text"));
        assertEquals(hostile + ": 2", text(svg, "title").get(0));
    }

    @Test
    void textOutsideAsciiStaysWellFormed() throws Exception {
        String label = "caf\u00e9 \ud83d\udc40 \u4e2d\u6587";
        Document svg = parse(render(label, 3, BadgeStyle.FLAT));
        assertEquals(List.of(label, label, "3", "3"), text(svg, "text"));
    }

    @Test
    void flatIsRoundedWithAGlossAndFlatSquareIsNot() throws Exception {
        Document flat = parse(render("views", 1, BadgeStyle.FLAT));
        assertEquals("3", elements(flat, "clipPath").get(0).getElementsByTagNameNS(SVG, "rect").item(0)
                .getAttributes().getNamedItem("rx").getNodeValue());
        assertEquals(1, elements(flat, "linearGradient").size());
        Document square = parse(render("views", 1, BadgeStyle.FLAT_SQUARE));
        assertEquals(0, elements(square, "clipPath").size());
        assertEquals(0, elements(square, "linearGradient").size());
        assertTrue(elements(square, "rect").stream().noneMatch(rect -> rect.hasAttribute("rx")));
    }

    @Test
    void fillsTheValueWithTheColourAndUsesDarkTextOnALightOne() throws Exception {
        Document red = parse(badge.svg(new BadgeText("views"), BadgeText.count(1), BadgeColor.fromQuery("red"),
                BadgeStyle.FLAT_SQUARE));
        assertEquals("#555", elements(red, "rect").get(0).getAttribute("fill"));
        assertEquals("#e05d44", elements(red, "rect").get(1).getAttribute("fill"));
        assertEquals("#fff", elements(red, "text").get(1).getAttribute("fill"));
        Document white = parse(badge.svg(new BadgeText("views"), BadgeText.count(1), BadgeColor.fromQuery("fff"),
                BadgeStyle.FLAT_SQUARE));
        assertEquals("#333", elements(white, "text").get(1).getAttribute("fill"));
        assertEquals("#fff", elements(white, "text").get(0).getAttribute("fill"));
    }

    @Test
    void forTheBadgeIsTallerSpacedCapitalsWithTheValueInBoldAndNoShadow() throws Exception {
        Document svg = parse(badge.svg(new BadgeText("views today"), new BadgeText("n/a"), BadgeColor.DEFAULT,
                BadgeStyle.FOR_THE_BADGE));
        Element root = svg.getDocumentElement();
        assertEquals("28", root.getAttribute("height"));
        assertEquals("VIEWS TODAY: N/A", root.getAttribute("aria-label"));
        assertEquals(List.of("VIEWS TODAY", "N/A"), text(svg, "text"), "capitals, no shadow");
        assertEquals(0, elements(svg, "clipPath").size());
        assertEquals(0, elements(svg, "linearGradient").size());
        assertEquals("crispEdges", elements(svg, "g").get(0).getAttribute("shape-rendering"));
        assertEquals("10", elements(svg, "g").get(1).getAttribute("font-size"));
        List<Element> rects = elements(svg, "rect");
        List<Element> texts = elements(svg, "text");
        assertTrue(rects.stream().allMatch(rect -> rect.getAttribute("height").equals("28")));
        assertTrue(rects.stream().noneMatch(rect -> rect.hasAttribute("rx")));
        assertEquals("", texts.get(0).getAttribute("font-weight"), "the label is regular");
        assertEquals("bold", texts.get(1).getAttribute("font-weight"), "the value is bold");
        assertEquals("17.5", texts.get(0).getAttribute("y"));
        assertEquals("17.5", texts.get(1).getAttribute("y"));

        // 10 px, 1.25 px after each of the 11 and 3 characters, 12 px on each side of a text.
        double labelText = TextWidth.dejaVuSans().at(10).of("VIEWS TODAY") + 11 * 1.25;
        double valueText = TextWidth.dejaVuSansBold().at(10).of("N/A") + 3 * 1.25;
        double labelLength = Double.parseDouble(texts.get(0).getAttribute("textLength"));
        double valueLength = Double.parseDouble(texts.get(1).getAttribute("textLength"));
        assertTrue(labelLength >= labelText && labelLength < labelText + 0.15, labelLength + " for " + labelText);
        assertTrue(valueLength >= valueText && valueLength < valueText + 0.15, valueLength + " for " + valueText);
        int labelWidth = Integer.parseInt(rects.get(0).getAttribute("width"));
        int valueWidth = Integer.parseInt(rects.get(1).getAttribute("width"));
        assertEquals((int) Math.ceil(labelLength) + 24, labelWidth);
        assertEquals((int) Math.ceil(valueLength) + 24, valueWidth);
        assertEquals(String.valueOf(labelWidth), rects.get(1).getAttribute("x"));
        assertEquals(String.valueOf(labelWidth + valueWidth), root.getAttribute("width"));
        assertEquals(labelWidth / 2.0, Double.parseDouble(texts.get(0).getAttribute("x")));
        assertEquals(labelWidth + valueWidth / 2.0, Double.parseDouble(texts.get(1).getAttribute("x")));
    }

    @Test
    void forTheBadgeCapitalsDoNotDependOnTheDefaultLocale() throws Exception {
        Locale before = Locale.getDefault();
        try {
            // In Turkish, "i".toUpperCase() is a dotted capital I.
            Locale.setDefault(Locale.forLanguageTag("tr"));
            Document svg = parse(badge.svg(new BadgeText("visits"), BadgeText.count(1_234), BadgeColor.DEFAULT,
                    BadgeStyle.FOR_THE_BADGE));
            assertEquals(List.of("VISITS", "1,234"), text(svg, "text"));
        } finally {
            Locale.setDefault(before);
        }
    }

    private String render(String label, long count, BadgeStyle style) {
        return badge.svg(new BadgeText(label), BadgeText.count(count), BadgeColor.DEFAULT, style);
    }

    private static int width(String svg) throws Exception {
        return Integer.parseInt(parse(svg).getDocumentElement().getAttribute("width"));
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
    }

    private static List<Element> elements(Document svg, String name) {
        NodeList nodes = svg.getElementsByTagNameNS(SVG, name);
        List<Element> elements = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            elements.add((Element) nodes.item(i));
        }
        return elements;
    }

    private static List<String> text(Document svg, String name) {
        return elements(svg, name).stream().map(Element::getTextContent).toList();
    }
}
