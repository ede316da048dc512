package dev.symbolon.admin.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** Cursor paging: the extra row tells that more exist, the cursor is the last id, bad input is a 400. */
class PageTest {

    @Test
    void a_page_of_limit_plus_one_rows_keeps_limit_and_points_after_the_last() {
        Page<String> page = Page.of(List.of("a", "b", "c"), 2, Function.identity());

        assertThat(page.items()).containsExactly("a", "b");
        assertThat(Page.after(page.nextCursor())).isEqualTo("b");
        assertThat(Page.of(List.of("a", "b"), 2, Function.identity()).nextCursor())
                .isNull();
        assertThat(Page.after(null)).isEmpty();
        assertThat(Page.after(" ")).isEmpty();
    }

    @Test
    void a_cursor_this_api_did_not_return_and_a_limit_out_of_range_are_400s_naming_what_is_wrong() {
        assertThatThrownBy(() -> Page.after("not base64!")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(e.getMessage()).contains("cursor");
        });
        assertThatThrownBy(() -> Page.limit(0)).hasMessageContaining("limit must be between 1 and 200");
        assertThatThrownBy(() -> Page.limit(201)).hasMessageContaining("limit must be between 1 and 200");
        assertThat(Page.limit(null)).isEqualTo(Page.DEFAULT_LIMIT);
        assertThat(Page.limit(200)).isEqualTo(200);
    }
}
