package dev.symbolon.edge.usage;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage events that could not be published yet, kept on disk in order: newline-delimited JSON in
 * numbered segment files. Appends go to the open segment; {@link #closeSegment()} hands the open
 * segment over for replay. Bounded: beyond {@code maxBytes} new events are counted and dropped, loudly,
 * rather than filling the disk.
 */
final class UsageJournal {

    private static final Logger log = LoggerFactory.getLogger(UsageJournal.class);
    private static final String SUFFIX = ".ndjson";

    private final Path directory;
    private final long maxBytes;
    private final AtomicLong dropped = new AtomicLong();
    private long sequence;
    private BufferedWriter open;
    private long bytes;

    UsageJournal(Path directory, long maxBytes) {
        this.directory = directory;
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(directory);
            List<Path> existing = segments();
            for (Path segment : existing) {
                bytes += Files.size(segment);
            }
            sequence = existing.isEmpty() ? 0 : number(existing.get(existing.size() - 1)) + 1;
        } catch (IOException e) {
            throw new UncheckedIOException("usage journal at " + directory + " unusable", e);
        }
    }

    /** Keeps one event (its JSON, one line) until it can be published. */
    synchronized void append(byte[] json) {
        if (bytes + json.length + 1 > maxBytes) {
            long total = dropped.incrementAndGet();
            log.error("usage journal full ({} bytes): event dropped, {} dropped so far", bytes, total);
            return;
        }
        try {
            if (open == null) {
                open = Files.newBufferedWriter(
                        directory.resolve(String.format("%019d%s", sequence++, SUFFIX)),
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
            }
            open.write(new String(json, StandardCharsets.UTF_8));
            open.write('\n');
            open.flush();
            bytes += json.length + 1;
        } catch (IOException e) {
            dropped.incrementAndGet();
            log.error("usage journal write failed: {}", e.toString());
        }
    }

    /** Closes the open segment, so everything appended so far can be replayed. */
    synchronized void closeSegment() {
        if (open != null) {
            try {
                open.close();
            } catch (IOException e) {
                log.warn("closing a usage journal segment failed: {}", e.toString());
            }
            open = null;
        }
    }

    /** Closed segments, oldest first. */
    synchronized List<Path> closedSegments() {
        try {
            List<Path> all = segments();
            return open == null ? all : all.subList(0, Math.max(0, all.size() - 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes a segment whose events were all published. */
    synchronized void remove(Path segment) {
        try {
            bytes -= Files.size(segment);
            Files.delete(segment);
        } catch (IOException e) {
            log.warn("removing replayed journal segment {} failed: {}", segment.getFileName(), e.toString());
        }
    }

    synchronized boolean isEmpty() {
        return bytes == 0;
    }

    /** Bytes of events waiting to be replayed. */
    synchronized long size() {
        return bytes;
    }

    /** Segment files waiting to be replayed (the open one included). */
    synchronized int segmentCount() {
        try {
            return segments().size();
        } catch (IOException e) {
            return -1;
        }
    }

    long dropped() {
        return dropped.get();
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX))
                    .sorted()
                    .toList();
        }
    }

    private static long number(Path segment) {
        String name = segment.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
    }
}
