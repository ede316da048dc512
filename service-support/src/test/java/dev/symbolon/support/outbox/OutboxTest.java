package dev.symbolon.support.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.symbolon.support.testing.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.transaction.support.TransactionTemplate;

/** The transactional outbox against a real PostgreSQL and a real (embedded KRaft) broker. */
class OutboxTest {

    static EmbeddedPostgres postgres;
    static EmbeddedKafkaKraftBroker broker;
    static JdbcTemplate jdbc;
    static JdbcTransactionManager transactions;
    static KafkaTemplate<String, byte[]> kafka;

    String topic;

    @BeforeAll
    static void start() {
        postgres = TestPostgres.start();
        broker = new EmbeddedKafkaKraftBroker(1, 1);
        broker.afterPropertiesSet();
        javax.sql.DataSource database = postgres.getPostgresDatabase(); // one instance: a new one per call
        jdbc = new JdbcTemplate(database);
        transactions = new JdbcTransactionManager(database);
        kafka = template(broker.getBrokersAsString(), 15_000);
        jdbc.execute(
                """
                create table outbox (
                    id           bigserial   primary key,
                    topic        text        not null,
                    message_key  text        not null,
                    payload      bytea,
                    created_at   timestamptz not null default now(),
                    published_at timestamptz,
                    traceparent  text)""");
    }

    @AfterAll
    static void stop() throws IOException {
        kafka.destroy();
        broker.destroy();
        postgres.close();
    }

    @BeforeEach
    void freshTopic() {
        topic = "outbox.test." + UUID.randomUUID();
        jdbc.update("delete from outbox");
    }

    @Test
    void a_committed_message_goes_out_in_order_and_a_rolled_back_one_never_does() {
        Outbox outbox = outbox(kafka);
        inTransaction(() -> {
            outbox.append(topic, "t1", bytes("first"));
            outbox.append(topic, "t1", null); // a tombstone
        });
        assertThatThrownBy(() -> inTransaction(() -> {
                    outbox.append(topic, "t1", bytes("rolled back"));
                    throw new IllegalStateException("the change fails after its message was appended");
                }))
                .hasMessageContaining("the change fails");
        inTransaction(() -> outbox.append(topic, "t2", bytes("third")));

        assertThat(outbox.publishBatch()).isEqualTo(3);

        assertThat(read(topic, 3)).containsExactly("t1=first", "t1=<tombstone>", "t2=third");
        assertThat(jdbc.queryForObject("select count(*) from outbox where published_at is null", Integer.class))
                .isZero();
        assertThat(outbox.publishBatch()).isZero();
    }

    @Test
    void its_meters_count_what_waits_and_what_went_out() {
        Outbox outbox = outbox(kafka);
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        outbox.bindTo(meters);
        assertThat(meters.get("symbolon.outbox.backlog")
                        .tag("table", "outbox")
                        .gauge()
                        .value())
                .isEqualTo(-1);
        inTransaction(() -> {
            for (int i = 1; i <= 3; i++) {
                outbox.append(topic, "k", bytes("m" + i));
            }
        });
        jdbc.update("update outbox set created_at = now() - interval '90 seconds' where payload = ?", bytes("m1"));

        outbox.measure();
        assertThat(meters.get("symbolon.outbox.backlog").gauge().value()).isEqualTo(3);
        assertThat(meters.get("symbolon.outbox.oldest.age").gauge().value()).isBetween(90.0, 120.0);

        assertThat(outbox.publishBatch()).isEqualTo(3);
        outbox.measure();
        assertThat(meters.get("symbolon.outbox.backlog").gauge().value()).isZero();
        assertThat(meters.get("symbolon.outbox.oldest.age").gauge().value()).isZero();
        assertThat(meters.get("symbolon.outbox.published").functionCounter().count())
                .isEqualTo(3);
    }

    @Test
    void a_message_goes_out_with_the_trace_context_it_was_written_in() {
        Outbox outbox = outbox(kafka);
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        inTransaction(() -> {
            outbox.append(topic, "k", bytes("traced"), traceparent);
            outbox.append(topic, "k", bytes("untraced"));
        });

        assertThat(outbox.publishBatch()).isEqualTo(2);
        assertThat(read(topic, 2)).containsExactly("k=traced @" + traceparent, "k=untraced");
    }

    @Test
    void a_message_is_appended_only_in_the_transaction_of_its_change() {
        assertThatThrownBy(() -> outbox(kafka).append(topic, "k", bytes("orphan")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("transaction");
        assertThat(jdbc.queryForObject("select count(*) from outbox", Integer.class))
                .isZero();
    }

    @Test
    void while_the_broker_is_unreachable_messages_wait_and_then_go_out_in_order() throws Exception {
        KafkaTemplate<String, byte[]> nowhere = template("127.0.0.1:" + closedPort(), 500);
        Outbox down = outbox(nowhere);
        inTransaction(() -> {
            for (int i = 1; i <= 3; i++) {
                down.append(topic, "k", bytes("m" + i));
            }
        });

        assertThatThrownBy(down::publishBatch).hasMessageContaining("sending outbox message");
        assertThat(jdbc.queryForObject("select count(*) from outbox where published_at is null", Integer.class))
                .isEqualTo(3);
        nowhere.destroy();

        assertThat(outbox(kafka).publishBatch()).isEqualTo(3);
        assertThat(read(topic, 3)).containsExactly("k=m1", "k=m2", "k=m3");
    }

    @Test
    void two_replicas_publishing_at_once_send_every_message_once_in_order() {
        Outbox one = outbox(kafka);
        Outbox two = outbox(kafka);
        int n = 450;
        inTransaction(() -> {
            for (int i = 0; i < n; i++) {
                one.append(topic, "k", bytes(Integer.toString(i)));
            }
        });

        one.start();
        two.start();
        try {
            List<String> received = read(topic, n);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add("k=" + i);
            }
            assertThat(received).containsExactlyElementsOf(expected);
        } finally {
            one.stop();
            two.stop();
        }
    }

    @Test
    void a_commit_wakes_the_publisher_at_once_however_many_messages_it_appended() {
        Outbox outbox =
                new Outbox(jdbc, transactions, kafka, "outbox", Duration.ofHours(1), Duration.ofDays(1)); // no polling
        outbox.start();
        try {
            inTransaction(() -> {
                for (int i = 1; i <= 3; i++) {
                    outbox.append(topic, "k", bytes("m" + i));
                }
            });

            assertThat(read(topic, 3)).containsExactly("k=m1", "k=m2", "k=m3");
        } finally {
            outbox.stop();
        }
    }

    @Test
    void sent_messages_are_kept_for_keep_published_then_deleted_and_unsent_ones_never() {
        Outbox outbox = outbox(kafka);
        inTransaction(() -> {
            outbox.append(topic, "old", bytes("sent long ago"));
            outbox.append(topic, "new", bytes("sent just now"));
        });
        outbox.publishBatch();
        jdbc.update("update outbox set published_at = now() - interval '2 days' where message_key = 'old'");
        jdbc.update(
                "insert into outbox (topic, message_key, payload, created_at) values (?, 'unsent', null, now() - interval '30 days')",
                topic);

        assertThat(outbox.purgePublished()).isEqualTo(1);
        assertThat(jdbc.queryForList("select message_key from outbox order by id", String.class))
                .containsExactly("new", "unsent");
    }

    @Test
    void the_table_name_is_a_plain_name_or_refused() {
        assertThatThrownBy(() -> new Outbox(
                        jdbc, transactions, kafka, "outbox; drop table x", Duration.ofSeconds(1), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("symbolon.outbox.table");
    }

    private Outbox outbox(KafkaTemplate<String, byte[]> template) {
        return new Outbox(jdbc, transactions, template, "outbox", Duration.ofMillis(100), Duration.ofDays(1));
    }

    private static void inTransaction(Runnable work) {
        new TransactionTemplate(transactions).executeWithoutResult(tx -> work.run());
    }

    private static List<String> read(String topic, int count) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.getBrokersAsString(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "outbox-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        List<String> received = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    String traceparent = dev.symbolon.support.traces.Traces.traceparent(record.headers());
                    received.add(record.key() + "="
                            + (record.value() == null
                                    ? "<tombstone>"
                                    : new String(record.value(), StandardCharsets.UTF_8))
                            + (traceparent == null ? "" : " @" + traceparent));
                }
            }
        }
        return received;
    }

    private static KafkaTemplate<String, byte[]> template(String bootstrap, int maxBlockMs) {
        return new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ProducerConfig.MAX_BLOCK_MS_CONFIG,
                        maxBlockMs,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                        Math.max(maxBlockMs, 1_000) + 1_000,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        Math.max(maxBlockMs, 1_000)),
                new StringSerializer(),
                new ByteArraySerializer()));
    }

    private static int closedPort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
