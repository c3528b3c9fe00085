package dev.hitcounter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** The CycloneDX SBOM Maven writes beside the WAR names what the WAR holds, at the versions pom.xml asks for (issue 23). */
class WarSbomIT {

    /** The libraries a scanner must see at the exact version we ship: the Redis client, JSON and the metrics client. */
    private static final List<String> WATCHED_GROUPS = List.of("redis.clients", "com.fasterxml.jackson.core", "io.prometheus");

    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    @Test
    void namesJedisJacksonAndPrometheusAtPomVersions() throws Exception {
        Map<String, String> wanted = watchedDependenciesOfPom();
        assertEquals(Map.of(), missingOrOtherVersions(wanted, componentsOfSbom()),
                "SBOM components that differ from pom.xml (artifact -> pom's version vs the SBOM's)");
        assertFalse(wanted.isEmpty());
        assertEquals(new TreeSet<>(List.of("com.fasterxml.jackson.core:jackson-core", "io.prometheus:prometheus-metrics-core",
                "io.prometheus:prometheus-metrics-exporter-servlet-jakarta",
                "io.prometheus:prometheus-metrics-instrumentation-jvm", "redis.clients:jedis")), new TreeSet<>(wanted.keySet()));
    }

    @Test
    void namesEveryJarInTheWarAndNothingElse() throws Exception {
        TreeSet<String> jars = new TreeSet<>();
        try (ZipFile war = new ZipFile(System.getProperty("hitcounter.war"))) {
            war.stream().map(e -> e.getName()).filter(n -> n.startsWith("WEB-INF/lib/") && n.endsWith(".jar"))
                    .forEach(n -> jars.add(n.substring("WEB-INF/lib/".length())));
        }
        TreeSet<String> named = new TreeSet<>();
        componentsOfSbom().forEach((artifact, version) -> named.add(artifact.substring(artifact.indexOf(':') + 1) + "-" + version + ".jar"));
        assertEquals(jars, named, "WEB-INF/lib's jars vs the SBOM's components as file names");
    }

    private static Map<String, String> missingOrOtherVersions(Map<String, String> wanted, Map<String, String> listed) {
        Map<String, String> differences = new TreeMap<>();
        wanted.forEach((artifact, version) -> {
            if (!version.equals(listed.get(artifact))) {
                differences.put(artifact, version + " vs " + listed.get(artifact));
            }
        });
        return differences;
    }

    /** groupId:artifactId -> version of the pom's direct dependencies in the watched groups, properties resolved. */
    private static Map<String, String> watchedDependenciesOfPom() throws Exception {
        Element project = parse(System.getProperty("hitcounter.pom")).getDocumentElement();
        Map<String, String> properties = new HashMap<>();
        for (Element props : children(project, "properties")) {
            NodeList all = props.getChildNodes();
            for (int i = 0; i < all.getLength(); i++) {
                if (all.item(i) instanceof Element e) {
                    properties.put(e.getTagName(), e.getTextContent().trim());
                }
            }
        }
        Map<String, String> wanted = new TreeMap<>();
        for (Element dependencies : children(project, "dependencies")) {
            for (Element dependency : children(dependencies, "dependency")) {
                String group = text(dependency, "groupId");
                if (WATCHED_GROUPS.contains(group)) {
                    wanted.put(group + ":" + text(dependency, "artifactId"), resolve(text(dependency, "version"), properties));
                }
            }
        }
        return wanted;
    }

    /** groupId:artifactId -> version of the SBOM's components. */
    private static Map<String, String> componentsOfSbom() throws Exception {
        Document sbom = parse(System.getProperty("hitcounter.sbom"));
        Map<String, String> listed = new TreeMap<>();
        for (Element components : children(sbom.getDocumentElement(), "components")) {
            for (Element component : children(components, "component")) {
                listed.put(text(component, "group") + ":" + text(component, "name"), text(component, "version"));
            }
        }
        return listed;
    }

    private static String resolve(String value, Map<String, String> properties) {
        Matcher m = PROPERTY.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(properties.getOrDefault(m.group(1), m.group())));
        }
        return m.appendTail(out).toString();
    }

    private static Document parse(String file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(Path.of(file).toFile());
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getLocalName())) {
                found.add(e);
            }
        }
        return found;
    }

    private static String text(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0).getTextContent().trim();
    }
}
