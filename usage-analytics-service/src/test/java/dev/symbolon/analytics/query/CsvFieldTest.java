package dev.symbolon.analytics.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CsvFieldTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "=HYPERLINK(\"http://x\")",
                "+1+1",
                "-2+3",
                "@SUM(A1)",
                "|calc",
                "\t=1+1",
                "\r=1+1",
                " =1+1",
                "   @SUM(A1)",
                "\u00a0=1",
                "\uFF1DHYPERLINK()",
                "\uFF0B1",
                "\uFF0D1",
                "\uFF20SUM(A1)",
            })
    void nothing_a_spreadsheet_would_run_as_a_formula_leaves_unguarded(String value) {
        String field = UsageQueries.csv(value);
        String unquoted = field.startsWith("\"") ? field.substring(1, field.length() - 1) : field;
        assertThat(unquoted).as(value).startsWith("'");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "gpt-4o-mini|gpt-4o-mini",
                "claude-3-5-sonnet|claude-3-5-sonnet",
                "a,b|\"a,b\"",
                "say \"hi\"|\"say \"\"hi\"\"\"",
            })
    void ordinary_text_is_kept_and_separators_are_quoted(String value, String expected) {
        assertThat(UsageQueries.csv(value)).isEqualTo(expected);
    }
}
