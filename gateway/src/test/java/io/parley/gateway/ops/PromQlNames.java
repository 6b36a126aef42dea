package io.parley.gateway.ops;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads. A small lexer, enough for the expressions of
 * config/: it drops strings, label matchers, ranges, grouping clauses and Grafana variables,
 * then keeps every identifier that is neither a function (followed by a parenthesis), a
 * keyword, nor part of a number or duration.
 */
final class PromQlNames {
    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GRAFANA_VARIABLES = Pattern.compile("\\$\\{?\\w+}?");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    // Not preceded by a word character or a dot: skips the "m" of 5m and the "e" of 1e3.
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "atan2", "inf", "nan");

    private PromQlNames() {
    }

    static Set<String> of(String expression) {
        String text = STRINGS.matcher(expression).replaceAll(" ");
        text = GRAFANA_VARIABLES.matcher(text).replaceAll(" ");
        text = MATCHERS.matcher(text).replaceAll(" ");
        text = RANGES.matcher(text).replaceAll(" ");
        text = GROUPING.matcher(text).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(text);
        while (m.find()) {
            String word = m.group();
            if (!KEYWORDS.contains(word.toLowerCase()) && !followedByParenthesis(text, m.end())) {
                names.add(word);
            }
        }
        return names;
    }

    private static boolean followedByParenthesis(String text, int from) {
        int i = from;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i < text.length() && text.charAt(i) == '(';
    }
}
