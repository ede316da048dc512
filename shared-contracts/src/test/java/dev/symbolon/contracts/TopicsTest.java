package dev.symbolon.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void every_topic_name_is_versioned_and_distinct() {
        assertThat(Topics.ALL).doesNotHaveDuplicates().allMatch(t -> t.matches("[a-z-]+\\.v\\d+"));
    }

    @Test
    void compacted_topics_are_topics_of_the_design() {
        assertThat(Topics.ALL).containsAll(Topics.COMPACTED);
        assertThat(Topics.COMPACTED)
                .containsExactlyInAnyOrder(
                        "tenant-config.v1", "quota-state.v1", "admin-key-revocations.v1", "prices.v1");
    }

    @Test
    void dead_letter_topics_append_dlt() {
        assertThat(Topics.deadLetter(Topics.USAGE_RECORDED)).isEqualTo("usage-recorded.v1.dlt");
    }

    @Test
    void the_layout_covers_every_topic_and_compacts_exactly_the_compacted_ones() {
        assertThat(Topics.LAYOUT).extracting(Topics.Spec::name).containsAll(Topics.ALL);
        assertThat(Topics.LAYOUT)
                .filteredOn(Topics.Spec::compacted)
                .extracting(Topics.Spec::name)
                .containsExactlyInAnyOrderElementsOf(Topics.COMPACTED);
        assertThat(Topics.LAYOUT).allMatch(spec -> spec.partitions() > 0);
    }
}
