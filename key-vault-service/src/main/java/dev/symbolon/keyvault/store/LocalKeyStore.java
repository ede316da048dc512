package dev.symbolon.keyvault.store;

import dev.symbolon.contracts.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Local mode's key store: one file per entry, each sealed with AES-256-GCM under a master key kept
 * in its own file. The entry's path is the GCM associated data, so a sealed file moved to another
 * path does not open. File names are hashes of paths, so the directory listing reveals no key ids.
 *
 * <p>This stands in for Vault on a developer machine; it is not meant for production.
 */
public final class LocalKeyStore implements KeyStore {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte FORMAT = 1;

    private final Path directory;
    private final SecretKeySpec masterKey;
    private final SecureRandom random = new SecureRandom();

    public LocalKeyStore(Path directory, Path masterKeyFile) {
        this.directory = directory;
        try {
            Files.createDirectories(directory);
            this.masterKey = new SecretKeySpec(loadOrCreateMasterKey(masterKeyFile, random), "AES");
        } catch (IOException e) {
            throw new UncheckedIOException("local key store at " + directory + " unusable", e);
        }
    }

    @Override
    public void write(String path, Secret value) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] plain = value.revealBytes();
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, path);
            byte[] sealed = cipher.doFinal(plain);
            ByteBuffer file = ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length);
            file.put(FORMAT).put(nonce).put(sealed);
            writeAtomically(fileOf(path), file.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    @Override
    public Optional<Secret> read(String path) {
        Path file = fileOf(path);
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file.getFileName() + " failed", e);
        }
        if (content.length < 1 + NONCE_BYTES || content[0] != FORMAT) {
            throw new IllegalStateException("sealed entry " + file.getFileName() + " has an unknown format");
        }
        byte[] plain = null;
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, Arrays.copyOfRange(content, 1, 1 + NONCE_BYTES), path);
            plain = cipher.doFinal(content, 1 + NONCE_BYTES, content.length - 1 - NONCE_BYTES);
            return Optional.of(Secret.of(new String(plain, StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "sealed entry " + file.getFileName() + " does not open with this master key", e);
        } finally {
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
        }
    }

    @Override
    public void destroy(String path) {
        try {
            Files.deleteIfExists(fileOf(path));
        } catch (IOException e) {
            throw new UncheckedIOException("destroying an entry failed", e);
        }
    }

    private Cipher cipher(int mode, byte[] nonce, String path) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, masterKey, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(path.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    private Path fileOf(String path) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8));
            return directory.resolve(HexFormat.of().formatHex(digest) + ".sealed");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] loadOrCreateMasterKey(Path file, SecureRandom random) throws IOException {
        if (Files.exists(file)) {
            byte[] key = Files.readAllBytes(file);
            if (key.length != 32) {
                throw new IllegalStateException("master key file " + file + " must hold exactly 32 bytes");
            }
            return key;
        }
        byte[] key = new byte[32];
        random.nextBytes(key);
        Files.createDirectories(file.toAbsolutePath().getParent());
        writeAtomically(file, key);
        return key;
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
}
