package dev.symbolon.edge.limits;

/**
 * A token bucket refilled continuously at {@code perMinute / 60} per second up to {@code perMinute}.
 * Thread-safe; state changes are short critical sections on the bucket itself. The balance may go
 * negative when actual use is debited after the fact (tokens of a response), which delays later
 * requests until it is paid back.
 */
final class TokenBucket {

    private static final double NANOS_PER_MINUTE = 60e9;

    private long perMinute;
    private double balance;
    private long updatedNanos;

    TokenBucket(long perMinute, long nowNanos) {
        this.perMinute = perMinute;
        this.balance = perMinute;
        this.updatedNanos = nowNanos;
    }

    /** Takes {@code amount} if the balance allows it; otherwise takes nothing. */
    synchronized boolean tryTake(long amount, long limit, long nowNanos) {
        refill(limit, nowNanos);
        if (balance >= amount) {
            balance -= amount;
            return true;
        }
        return false;
    }

    /** Whether anything is left to spend (for limits debited after the fact). */
    synchronized boolean positive(long limit, long nowNanos) {
        refill(limit, nowNanos);
        return balance > 0;
    }

    /** Takes {@code amount} whatever the balance: use already happened. */
    synchronized void debit(long amount, long limit, long nowNanos) {
        refill(limit, nowNanos);
        balance -= amount;
    }

    /** Gives back what a refused request took from another bucket. */
    synchronized void refund(long amount) {
        balance = Math.min(perMinute, balance + amount);
    }

    /** Nanoseconds until the balance reaches {@code amount}. */
    synchronized long nanosUntil(long amount) {
        double missing = amount - balance;
        return missing <= 0 ? 0 : (long) Math.ceil(missing * NANOS_PER_MINUTE / perMinute);
    }

    private void refill(long limit, long nowNanos) {
        if (limit != perMinute) {
            // The policy changed: keep the balance, within the new capacity.
            perMinute = limit;
            balance = Math.min(balance, limit);
        }
        long elapsed = nowNanos - updatedNanos;
        if (elapsed > 0) {
            balance = Math.min(perMinute, balance + elapsed * perMinute / NANOS_PER_MINUTE);
            updatedNanos = nowNanos;
        }
    }
}
