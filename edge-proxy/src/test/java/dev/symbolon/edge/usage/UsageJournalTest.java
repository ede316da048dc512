package dev.symbolon.edge.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageJournalTest {

    @TempDir
    Path dir;

    @Test
    void events_are_kept_in_order_in_closed_segments_and_survive_a_restart() throws Exception {
        UsageJournal journal = new UsageJournal(dir, 1_000_000);
        journal.append(bytes("{\"n\":1}"));
        journal.append(bytes("{\"n\":2}"));
        assertThat(journal.closedSegments())
                .as("the open segment is not handed out")
                .isEmpty();

        journal.closeSegment();
        journal.append(bytes("{\"n\":3}"));
        journal.closeSegment();

        UsageJournal reopened = new UsageJournal(dir, 1_000_000);
        assertThat(reopened.closedSegments()).hasSize(2);
        assertThat(Files.readAllLines(reopened.closedSegments().get(0))).containsExactly("{\"n\":1}", "{\"n\":2}");
        assertThat(Files.readAllLines(reopened.closedSegments().get(1))).containsExactly("{\"n\":3}");
        reopened.append(bytes("{\"n\":4}"));
        reopened.closeSegment();
        assertThat(reopened.closedSegments()).hasSize(3);
    }

    @Test
    void a_replayed_segment_is_removed_and_the_journal_empties() {
        UsageJournal journal = new UsageJournal(dir, 1_000_000);
        journal.append(bytes("{\"n\":1}"));
        journal.closeSegment();

        journal.remove(journal.closedSegments().get(0));

        assertThat(journal.isEmpty()).isTrue();
        assertThat(journal.closedSegments()).isEmpty();
    }

    @Test
    void beyond_its_size_the_journal_drops_and_counts_instead_of_filling_the_disk() {
        UsageJournal journal = new UsageJournal(dir, 20);
        journal.append(bytes("{\"n\":1}"));
        journal.append(bytes("{\"n\":2}"));
        journal.append(bytes("{\"n\":3}"));

        assertThat(journal.dropped()).isEqualTo(1);
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
