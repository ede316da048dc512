package dev.symbolon.edge.routing;

import java.time.Duration;

/**
 * One key's health as one edge sees it, a circuit breaker: <b>closed</b> (in use), <b>open</b> (left
 * alone until a time) or <b>half-open</b> (one probe request may try it; its answer closes the breaker
 * or opens it again for twice as long). A 429 opens it at once until the provider's reset; 5xx answers
 * and timeouts open it after {@code threshold} in a row. Times are {@link
 * System#nanoTime()} values passed in, so the state machine is tested without waiting.
 */
final class Breaker {

    enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    /** Why a breaker opened. */
    enum Reason {
        RATE_LIMITED,
        FAILING;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final int threshold;
    private final long cooldown;
    private final long maxCooldown;

    private volatile State state = State.CLOSED;
    /** Failures in a row; read without the lock only to skip it when there is nothing to reset. */
    private volatile int failures;

    private long openUntil;
    private long lastCooldown;
    /** Times it opened since it was last closed: 2 means it stayed unhealthy over a whole cooldown. */
    private int opensInRow;

    private long probeStarted;
    private Reason reason;

    Breaker(int threshold, Duration cooldown, Duration maxCooldown) {
        this.threshold = threshold;
        this.cooldown = cooldown.toNanos();
        this.maxCooldown = maxCooldown.toNanos();
    }

    /**
     * Whether a request may use the key now. Closed: yes. Open: no until its time is up; then this
     * request is the half-open probe, and others wait for its answer (a probe whose answer never came is
     * replaced after a cooldown).
     */
    boolean tryAcquire(long now) {
        if (state == State.CLOSED) {
            return true;
        }
        synchronized (this) {
            if (state == State.CLOSED) {
                return true;
            }
            boolean due = state == State.OPEN ? now - openUntil >= 0 : now - probeStarted >= cooldown;
            if (!due) {
                return false;
            }
            state = State.HALF_OPEN;
            probeStarted = now;
            return true;
        }
    }

    /** The key answered (anything but a 429 or a 5xx): closed, the failures forgotten. */
    void succeeded() {
        if (state == State.CLOSED && failures == 0) {
            return; // the request path: two volatile reads, no lock
        }
        synchronized (this) {
            state = State.CLOSED;
            failures = 0;
            lastCooldown = 0;
            opensInRow = 0;
            reason = null;
        }
    }

    /**
     * The provider answered 429: open until its reset ({@code reset}, capped at the longest cooldown),
     * else for {@code fallback}.
     *
     * @return whether this opened a breaker that was not open
     */
    synchronized boolean rateLimited(long now, Duration reset, Duration fallback) {
        long wait = Math.min(maxCooldown, (reset != null ? reset : fallback).toNanos());
        return open(now, Math.max(wait, 0), Reason.RATE_LIMITED);
    }

    /**
     * A 5xx answer or a timeout: open after {@code threshold} in a row, or at once
     * when it was the half-open probe (then for twice the last cooldown).
     *
     * @return whether this opened a breaker that was not open
     */
    synchronized boolean failed(long now) {
        failures++;
        if (state == State.HALF_OPEN) {
            return open(now, lastCooldown == 0 ? cooldown : Math.min(maxCooldown, lastCooldown * 2), Reason.FAILING);
        }
        if (state == State.CLOSED && failures >= threshold) {
            return open(now, cooldown, Reason.FAILING);
        }
        return false;
    }

    private boolean open(long now, long wait, Reason why) {
        boolean opened = state != State.OPEN;
        long until = now + wait;
        // already open (a late answer of a request sent before): the later of the two times holds
        openUntil = opened || until - openUntil > 0 ? until : openUntil;
        state = State.OPEN;
        lastCooldown = wait;
        reason = why;
        if (opened) {
            opensInRow++;
        }
        return opened;
    }

    State state() {
        return state;
    }

    /** When an open breaker lets a probe through ({@link System#nanoTime()} scale). */
    synchronized long openUntil() {
        return openUntil;
    }

    synchronized Reason reason() {
        return reason;
    }

    /** Times it opened since it was last closed (1: once; 2: its probe failed too, and so on). */
    synchronized int opensInRow() {
        return opensInRow;
    }

    /** How long it was last opened for. */
    synchronized Duration lastCooldown() {
        return Duration.ofNanos(lastCooldown);
    }
}
