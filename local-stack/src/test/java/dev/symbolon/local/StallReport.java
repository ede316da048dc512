package dev.symbolon.local;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.http.HttpTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * When a test fails because something did not answer in time (an HTTP request, an await, a future),
 * prints what the stack was doing: every thread that is not idle, with its stack and the lock it waits
 * for, and PostgreSQL's busy sessions and ungranted locks. A stall that shows once in CI is then
 * diagnosable from its output file rather than a guess.
 *
 * <p>Tests name their stack with {@link #of}; the report goes to standard output, which surefire keeps
 * in the test class's output file.
 */
final class StallReport implements TestExecutionExceptionHandler {

    private final Supplier<LocalStack> stack;

    private StallReport(Supplier<LocalStack> stack) {
        this.stack = stack;
    }

    static StallReport of(Supplier<LocalStack> stack) {
        return new StallReport(stack);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        if (isStall(failure)) {
            System.out.println("=== stall report for " + context.getDisplayName() + ": " + failure);
            threads();
            database();
            System.out.println("=== end of stall report");
        }
        throw failure;
    }

    private static boolean isStall(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpTimeoutException
                    || t instanceof ConditionTimeoutException
                    || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static void threads() {
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            StackTraceElement[] frames = info.getStackTrace();
            if (frames.length == 0 || idle(info)) {
                continue;
            }
            StringBuilder out = new StringBuilder()
                    .append('"')
                    .append(info.getThreadName())
                    .append("\" ")
                    .append(info.getThreadState());
            if (info.getLockName() != null) {
                out.append(" on ").append(info.getLockName());
            }
            if (info.getLockOwnerName() != null) {
                out.append(" owned by \"").append(info.getLockOwnerName()).append('"');
            }
            for (int i = 0; i < Math.min(frames.length, 40); i++) {
                out.append("\n\tat ").append(frames[i]);
            }
            System.out.println(out);
        }
    }

    /** Threads parked where an idle pool thread parks, or polling sockets for work: not the story. */
    private static boolean idle(ThreadInfo info) {
        String top = info.getStackTrace()[0].toString();
        String all = java.util.Arrays.toString(info.getStackTrace());
        return (top.contains("epollWait") || top.contains("EPoll.wait") || top.contains("Net.poll"))
                || (info.getThreadState() != Thread.State.RUNNABLE
                        && (all.contains("ThreadPoolExecutor.getTask")
                                || all.contains("ForkJoinPool.awaitWork")
                                || all.contains("LinkedBlockingQueue.poll")));
    }

    private void database() {
        LocalStack running = stack.get();
        if (running == null) {
            return;
        }
        try (Connection db = DriverManager.getConnection(running.postgresJdbcUrl(), "postgres", "")) {
            print(
                    db,
                    "select pid, usename, state, wait_event_type, wait_event, now() - query_start as running,"
                            + " left(query, 300) from pg_stat_activity where state <> 'idle' and pid <> pg_backend_pid()");
            print(
                    db,
                    "select l.pid, l.locktype, l.mode, l.relation::regclass, left(a.query, 200)"
                            + " from pg_locks l join pg_stat_activity a using (pid) where not l.granted");
        } catch (Exception e) {
            System.out.println("(database not readable: " + e + ")");
        }
    }

    private static void print(Connection db, String sql) throws Exception {
        try (ResultSet rs = db.createStatement().executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            System.out.println("-- " + sql);
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int c = 1; c <= columns; c++) {
                    row.append(c > 1 ? " | " : "").append(rs.getString(c));
                }
                System.out.println(row);
            }
        }
    }
}
