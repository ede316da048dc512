package dev.symbolon.keyvault.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Local mode's key store, standing in for Vault on a developer machine (not meant for production).
 *
 * <ul>
 *   <li>Entries: one file per path, sealed with AES-256-GCM under the first key of the key ring with the
 *       path as associated data (a file moved to another path does not open). File names are hashes of
 *       paths, so a listing reveals no ids. Only the newest version of an entry is kept.
 *   <li>Encryption (Vault Transit's part): AES-256-GCM under a key derived per context (HMAC-SHA256 of
 *       the context under a key-ring key); ciphertexts read {@code local:v<n>:<base64>}.
 * </ul>
 *
 * The key ring is a file of 32-byte keys (the first one created on first start, owner-only); rotation
 * appends one. Whoever has that file and the directory has the keys: keep them apart in backups.
 */
final class LocalKeyStore implements KeyStore {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int KEY_BYTES = 32;
    private static final byte FORMAT = 2;
    private static final String PREFIX = "local:v";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path directory;
    private final Path keyRingFile;
    private final SecureRandom random = new SecureRandom();
    private volatile List<SecretKeySpec> keyRing;

    public LocalKeyStore(Path directory, Path keyRingFile) {
        this.directory = directory;
        this.keyRingFile = keyRingFile;
        try {
            Files.createDirectories(directory);
            this.keyRing = loadOrCreateKeyRing(keyRingFile, random);
        } catch (IOException e) {
            throw new UncheckedIOException("local key store at " + directory + " unusable", e);
        }
    }

    @Override
    public synchronized Optional<Entry> read(String path) {
        Path file = fileOf(path);
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file.getFileName() + " failed", e);
        }
        if (content.length < 1 + NONCE_BYTES || content[0] != FORMAT) {
            throw new IllegalStateException("sealed entry " + file.getFileName() + " has an unknown format");
        }
        byte[] plain = open(
                keyRing.get(0),
                Arrays.copyOfRange(content, 1, 1 + NONCE_BYTES),
                Arrays.copyOfRange(content, 1 + NONCE_BYTES, content.length),
                path.getBytes(StandardCharsets.UTF_8),
                "sealed entry " + file.getFileName() + " does not open with this key ring");
        try {
            Stored stored = JSON.readValue(plain, new TypeReference<Stored>() {});
            return Optional.of(new Entry(stored.version(), stored.data()));
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    @Override
    public synchronized int write(String path, Map<String, String> data, int expectedVersion) {
        int current = read(path).map(Entry::version).orElse(0);
        if (current != expectedVersion) {
            throw new ConcurrentChangeException(path);
        }
        int version = current + 1;
        byte[] plain = JSON.writeValueAsBytes(new Stored(version, data));
        try {
            byte[] nonce = nonce();
            byte[] sealed = seal(keyRing.get(0), nonce, plain, path.getBytes(StandardCharsets.UTF_8));
            writeAtomically(
                    fileOf(path),
                    ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length)
                            .put(FORMAT)
                            .put(nonce)
                            .put(sealed)
                            .array());
            return version;
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    @Override
    public void destroyVersion(String path, int version) {
        // Only the newest version is ever kept on disk; older ones are gone already.
    }

    @Override
    public synchronized void destroy(String path) {
        try {
            Files.deleteIfExists(fileOf(path));
        } catch (IOException e) {
            throw new UncheckedIOException("destroying an entry failed", e);
        }
    }

    @Override
    public String encrypt(String context, byte[] plaintext) {
        List<SecretKeySpec> ring = keyRing;
        int version = ring.size();
        byte[] nonce = nonce();
        byte[] sealed = seal(derived(ring.get(version - 1), context), nonce, plaintext, new byte[0]);
        return PREFIX + version + ":"
                + Base64.getEncoder()
                        .encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length)
                                .put(nonce)
                                .put(sealed)
                                .array());
    }

    @Override
    public byte[] decrypt(String context, String ciphertext) {
        int version = wrappingVersionOf(ciphertext);
        List<SecretKeySpec> ring = keyRing;
        if (version > ring.size()) {
            throw new IllegalStateException("ciphertext made with an unknown key version");
        }
        byte[] raw = Base64.getDecoder().decode(ciphertext.substring(ciphertext.indexOf(':', PREFIX.length()) + 1));
        return open(
                derived(ring.get(version - 1), context),
                Arrays.copyOf(raw, NONCE_BYTES),
                Arrays.copyOfRange(raw, NONCE_BYTES, raw.length),
                new byte[0],
                "ciphertext does not open for this context");
    }

    @Override
    public String rewrap(String context, String ciphertext) {
        byte[] plain = decrypt(context, ciphertext);
        try {
            return encrypt(context, plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    @Override
    public synchronized void rotateWrappingKey() {
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        List<SecretKeySpec> ring = new ArrayList<>(keyRing);
        ring.add(new SecretKeySpec(key, "AES"));
        ByteBuffer file = ByteBuffer.allocate(ring.size() * KEY_BYTES);
        ring.forEach(k -> file.put(k.getEncoded()));
        writeAtomically(keyRingFile, file.array());
        keyRing = List.copyOf(ring);
    }

    @Override
    public int wrappingVersionOf(String ciphertext) {
        int end = ciphertext.indexOf(':', PREFIX.length());
        if (!ciphertext.startsWith(PREFIX) || end < 0) {
            throw new IllegalStateException("not a local key store ciphertext");
        }
        return Integer.parseInt(ciphertext.substring(PREFIX.length(), end));
    }

    @Override
    public int currentWrappingVersion() {
        return keyRing.size();
    }

    private byte[] nonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        return nonce;
    }

    private static SecretKeySpec derived(SecretKeySpec key, String context) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return new SecretKeySpec(
                    mac.doFinal(("symbolon-local-transit|" + context).getBytes(StandardCharsets.UTF_8)), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] seal(SecretKeySpec key, byte[] nonce, byte[] plain, byte[] aad) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            return cipher.doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed", e);
        }
    }

    private static byte[] open(SecretKeySpec key, byte[] nonce, byte[] sealed, byte[] aad, String failure) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            return cipher.doFinal(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(failure, e);
        }
    }

    private Path fileOf(String path) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8));
            return directory.resolve(HexFormat.of().formatHex(digest) + ".sealed");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<SecretKeySpec> loadOrCreateKeyRing(Path file, SecureRandom random) throws IOException {
        if (!Files.exists(file)) {
            byte[] key = new byte[KEY_BYTES];
            random.nextBytes(key);
            Files.createDirectories(file.toAbsolutePath().getParent());
            writeAtomically(file, key);
        }
        byte[] keys = Files.readAllBytes(file);
        if (keys.length == 0 || keys.length % KEY_BYTES != 0) {
            throw new IllegalStateException("key ring file " + file + " must hold whole 32-byte keys");
        }
        List<SecretKeySpec> ring = new ArrayList<>();
        for (int i = 0; i < keys.length; i += KEY_BYTES) {
            ring.add(new SecretKeySpec(keys, i, KEY_BYTES, "AES"));
        }
        Arrays.fill(keys, (byte) 0);
        return List.copyOf(ring);
    }

    private static void writeAtomically(Path target, byte[] content) {
        try {
            Path temp = Files.createTempFile(target.toAbsolutePath().getParent(), ".tmp-", ".part");
            try {
                restrictToOwner(temp);
                Files.write(temp, content);
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + target.getFileName() + " failed", e);
        }
    }

    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system; rely on the directory's permissions.
        }
    }

    /** What a sealed file holds. */
    record Stored(int version, Map<String, String> data) {}
}
