package dev.symbolon.analytics.ingest;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Month partitions of {@code usage_fact}: created for the current month and the next two (at start
 * and daily), and dropped whole once a month ended more than {@code fact-retention} ago (the rollups
 * keep its totals). Facts of a month without a partition land in the default partition; a month
 * partition is created from its rows when the month comes into range.
 */
@Component
public class FactPartitions {

    private static final Logger log = LoggerFactory.getLogger(FactPartitions.class);
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyy_MM");

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Duration retention;

    FactPartitions(
            JdbcTemplate jdbc,
            TransactionTemplate transactions,
            @Value("${symbolon.analytics.fact-retention:400d}") Duration retention) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.retention = retention;
    }

    @Scheduled(initialDelay = 0, fixedDelayString = "${symbolon.analytics.partition-check-interval-ms:3600000}")
    public void maintain() {
        try {
            LocalDate month = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
            for (int ahead = 0; ahead < 3; ahead++) {
                ensure(month.plusMonths(ahead));
            }
            dropExpired(Instant.now().minus(retention));
        } catch (RuntimeException e) {
            log.warn("fact partition maintenance postponed: {}", e.getClass().getSimpleName());
        }
    }

    /**
     * Creates the partition of a month if missing, moving that month's rows out of the default
     * partition first (PostgreSQL refuses a new partition whose rows sit in the default one).
     */
    public synchronized void ensure(LocalDate month) {
        String name = "usage_fact_" + month.format(NAME);
        Boolean exists = jdbc.queryForObject(
                "select exists (select 1 from pg_tables where schemaname = current_schema() and tablename = ?)",
                Boolean.class,
                name);
        if (Boolean.TRUE.equals(exists)) {
            return;
        }
        String from = month.atStartOfDay(ZoneOffset.UTC).toInstant().toString();
        String to = month.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
        transactions.executeWithoutResult(tx -> {
            jdbc.execute("create temporary table moving on commit drop as select * from usage_fact_default"
                    + " where occurred_at >= '" + from + "' and occurred_at < '" + to + "'");
            jdbc.execute("delete from usage_fact_default where occurred_at >= '" + from + "' and occurred_at < '" + to
                    + "'");
            jdbc.execute("create table " + name + " partition of usage_fact for values from ('" + from + "') to ('" + to
                    + "')");
            jdbc.execute("insert into usage_fact select * from moving");
        });
        log.info("usage_fact partition {} created", name);
    }

    /** Drops month partitions that ended before {@code cutoff}. */
    public synchronized int dropExpired(Instant cutoff) {
        List<String> partitions = jdbc.queryForList(
                "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
                        + " join pg_class p on p.oid = i.inhparent"
                        + " where p.relname = 'usage_fact' and c.relname ~ '^usage_fact_[0-9]{4}_[0-9]{2}$'",
                String.class);
        int dropped = 0;
        for (String partition : partitions) {
            LocalDate month = LocalDate.parse(
                    partition.substring("usage_fact_".length()) + "_01", DateTimeFormatter.ofPattern("yyyy_MM_dd"));
            Instant end = month.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            if (end.isBefore(cutoff)) {
                jdbc.execute("drop table " + partition);
                dropped++;
                log.info("usage_fact partition {} dropped (retention)", partition);
            }
        }
        return dropped;
    }
}
