package dev.symbolon.support.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape of a service's {@code /actuator/prometheus} (the Prometheus text format), read into its
 * samples, so a test can ask for a series by name and labels, and compare two scrapes.
 */
public final class Scrape {

    /** One sample line: {@code name{label="value",...} number}. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private final String text;
    private final List<Sample> samples;

    private Scrape(String text, List<Sample> samples) {
        this.text = text;
        this.samples = samples;
    }

    /** Scrapes {@code /actuator/prometheus} on the port with the scrape token; fails unless 200. */
    public static Scrape of(int port, String token) {
        RawHttp.Response response =
                RawHttp.send(port, "GET", "/actuator/prometheus", Map.of("Authorization", "Bearer " + token), null);
        if (response.status() != 200) {
            throw new AssertionError(
                    "scrape of port " + port + " answered " + response.status() + ": " + response.body());
        }
        return parse(response.body());
    }

    public static Scrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name;
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                int close = line.lastIndexOf('}');
                readLabels(line.substring(brace + 1, close), labels);
                space = line.indexOf(' ', close);
            } else {
                name = line.substring(0, line.indexOf(' '));
                space = line.indexOf(' ');
            }
            String[] rest = line.substring(space + 1).trim().split(" ");
            samples.add(new Sample(name, labels, Double.parseDouble(rest[0])));
        }
        return new Scrape(text, samples);
    }

    private static void readLabels(String body, Map<String, String> labels) {
        int i = 0;
        while (i < body.length()) {
            int eq = body.indexOf('=', i);
            String key = body.substring(i, eq).trim();
            StringBuilder value = new StringBuilder();
            int j = eq + 2; // past ="
            for (; body.charAt(j) != '"'; j++) {
                char c = body.charAt(j);
                if (c == '\\') {
                    c = body.charAt(++j);
                    value.append(c == 'n' ? '\n' : c);
                } else {
                    value.append(c);
                }
            }
            labels.put(key, value.toString());
            i = j + 1;
            if (i < body.length() && body.charAt(i) == ',') {
                i++;
            }
        }
    }

    /** The whole text as scraped. */
    public String text() {
        return text;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** Whether any series of that name exists (with those labels: name, value, name, value...). */
    public boolean has(String name, String... labels) {
        return samples.stream().anyMatch(s -> matches(s, name, labels));
    }

    /** The sum of the samples of that name whose labels include the given ones; 0 when none. */
    public double value(String name, String... labels) {
        return samples.stream()
                .filter(s -> matches(s, name, labels))
                .mapToDouble(Sample::value)
                .sum();
    }

    /** How much a series grew since an earlier scrape. */
    public double since(Scrape before, String name, String... labels) {
        return value(name, labels) - before.value(name, labels);
    }

    /** The distinct values one label takes in the series of that name. */
    public List<String> labelValues(String name, String label) {
        return samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().containsKey(label))
                .map(s -> s.labels().get(label))
                .distinct()
                .sorted()
                .toList();
    }

    private static boolean matches(Sample sample, String name, String... labels) {
        if (!sample.name().equals(name)) {
            return false;
        }
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (!labels[i + 1].equals(sample.labels().get(labels[i]))) {
                return false;
            }
        }
        return true;
    }
}
