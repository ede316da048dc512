package dev.symbolon.local;

import dev.symbolon.local.LocalStack.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

final class FreePorts {

    /**
     * A stack for one test: every service on a free port unless given one, Kafka on free ports (its
     * log remembers them across a restart in the test), extra settings per service.
     */
    static LocalStack.Options stack(
            Path data, Map<Service, Integer> fixedPorts, Map<Service, Map<String, String>> extra) {
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            ports.put(service, fixedPorts.getOrDefault(service, 0));
        }
        return new LocalStack.Options(data, false, ports, 0, next(), next(), 0, extra, Set.of());
    }

    static int next() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private FreePorts() {}
}
