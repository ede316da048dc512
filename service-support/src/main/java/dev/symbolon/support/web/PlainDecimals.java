package dev.symbolon.support.web;

import java.math.BigDecimal;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * Money and every other decimal in a JSON answer read as a plain number without trailing zeros:
 * {@code 0}, {@code 0.01014}, {@code 5000.000001}, never {@code 0E-12} or {@code 1.2E+3}. The value
 * is exact either way; this is how it reads.
 */
public final class PlainDecimals extends ValueSerializer<BigDecimal> {

    /** The module every service's JSON mapper gets (registered by service-support). */
    public static SimpleModule module() {
        return new SimpleModule("symbolon-plain-decimals").addSerializer(BigDecimal.class, new PlainDecimals());
    }

    /** The text of a decimal as it is written. */
    public static String text(BigDecimal value) {
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }

    @Override
    public void serialize(BigDecimal value, JsonGenerator gen, SerializationContext context) {
        gen.writeNumber(text(value));
    }
}
