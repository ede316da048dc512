package dev.symbolon.webhooks.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

public class WebhookSignerTest {

    /** The Standard Webhooks specification's published test vector. */
    static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long SPEC_TIMESTAMP = 1614265330;
    static final String SPEC_BODY = "{\"test\": 2432232314}";
    static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    @Test
    void the_spec_test_vector_signs_to_the_published_signature() {
        assertThat(WebhookSigner.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(SPEC_SIGNATURE);
        assertThat(Verifier.verify(
                        SPEC_SECRET, SPEC_ID, Long.toString(SPEC_TIMESTAMP), SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP))
                .as("the independent verifier agrees with the spec")
                .isTrue();
    }

    @Test
    void during_a_rotation_both_secrets_sign_and_a_receiver_with_either_verifies() {
        String oldSecret = "whsec_" + Base64.getEncoder().encodeToString("old-secret-0123456789abcdef0123".getBytes());
        String newSecret = "whsec_" + Base64.getEncoder().encodeToString("new-secret-0123456789abcdef0123".getBytes());
        byte[] body = "{\"type\":\"key.rotated\",\"timestamp\":\"2026-11-23T10:00:00Z\",\"data\":{}}"
                .getBytes(StandardCharsets.UTF_8);

        String header = WebhookSigner.header(List.of(newSecret, oldSecret), "msg_1", 1_800_000_000L, body);

        assertThat(header.split(" ")).hasSize(2);
        String text = new String(body, StandardCharsets.UTF_8);
        assertThat(Verifier.verify(oldSecret, "msg_1", "1800000000", text, header, 1_800_000_000L))
                .isTrue();
        assertThat(Verifier.verify(newSecret, "msg_1", "1800000000", text, header, 1_800_000_000L))
                .isTrue();
        assertThat(Verifier.verify(newSecret, "msg_2", "1800000000", text, header, 1_800_000_000L))
                .as("another webhook-id")
                .isFalse();
        assertThat(Verifier.verify(newSecret, "msg_1", "1800000000", text + " ", header, 1_800_000_000L))
                .as("a changed body")
                .isFalse();
        assertThat(Verifier.verify(newSecret, "msg_1", "1800000000", text, header, 1_800_000_000L + 600))
                .as("outside the spec's five-minute tolerance")
                .isFalse();
    }

    /**
     * A receiver's verifier written from the Standard Webhooks specification, independent of the
     * signer: signed content {@code id.timestamp.body}, key = base64-decoded secret without
     * {@code whsec_}, header = space-separated {@code v1,<base64>} entries, constant-time compare,
     * timestamp within five minutes.
     */
    public static final class Verifier {
        public static boolean verify(
                String secret, String id, String timestamp, String body, String signatureHeader, long nowSeconds) {
            long ts = Long.parseLong(timestamp);
            if (Math.abs(nowSeconds - ts) > 300) {
                return false;
            }
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.split("_", 2)[1]), "HmacSHA256"));
                byte[] expected = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
                for (String entry : signatureHeader.split(" ")) {
                    String[] parts = entry.split(",", 2);
                    if (parts.length == 2
                            && parts[0].equals("v1")
                            && MessageDigest.isEqual(
                                    expected, Base64.getDecoder().decode(parts[1]))) {
                        return true;
                    }
                }
                return false;
            } catch (Exception e) {
                return false;
            }
        }
    }
}
