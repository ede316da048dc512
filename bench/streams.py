#!/usr/bin/env python3
"""Streams through direct / nginx / edge, one at a time: added time to first chunk, and whether every
chunk arrived on its own (never merged into a later one) and in order. Used by bench/run.sh.

    streams.py serve PORT            an OpenAI-style SSE upstream: CHUNKS chunks, GAP_MS apart
    streams.py measure --direct H:P --nginx H:P --edge H:P --credential C [--streams N]

The upstream answers POST /v1/chat/completions with {"stream": true}: the response headers and the
first chunk at once, then one chunk every GAP_MS, a usage chunk when the request asked for one
(stream_options.include_usage, which the edge adds for metering and strips again), then [DONE].
The client reads the raw socket and decodes chunked encoding itself, so it sees exactly which
events each read returned and when.
"""
import argparse
import json
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from arms import percentile

CHUNKS = 8
GAP_MS = 5
PATH = "/v1/chat/completions"
BODY = json.dumps({"model": "bench-1", "stream": True, "messages": [{"role": "user", "content": "ping"}]})


class StreamingUpstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # each chunk leaves at once, as from a real provider's streaming server

    def log_message(self, *args):
        pass

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for index in range(CHUNKS):
            if index:
                time.sleep(GAP_MS / 1000)
            self.event({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "model": "bench-1",
                        "choices": [{"index": 0, "delta": {"content": f"tok{index} "}}]})
        if request.get("stream_options", {}).get("include_usage"):
            self.event({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "model": "bench-1", "choices": [],
                        "usage": {"prompt_tokens": 12, "completion_tokens": CHUNKS, "total_tokens": 12 + CHUNKS}})
        self.chunk(b"data: [DONE]\n\n")
        self.chunk(b"")

    def event(self, payload):
        self.chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


class StreamClient:
    """One kept-alive connection; sends the stream request and records every SSE event's arrival.

    Connects when it first streams, as a client pool does: a server may close a connection on which
    no request arrives for a while (the edge after its header timeout, nginx after client_header_timeout).
    """

    def __init__(self, address, path, headers):
        host, port = address.split(":")
        self.target = (host, int(port))
        self.sock = None
        lines = [f"POST {path} HTTP/1.1", f"Host: {address}", "Content-Type: application/json",
                 f"Content-Length: {len(BODY)}"] + [f"{k}: {v}" for k, v in headers.items()]
        self.request = ("\r\n".join(lines) + "\r\n\r\n" + BODY).encode()
        self.buffer = b""
        self.reads = 0

    def stream(self):
        """Returns (ms to the first event, [(read number, event text)], status)."""
        if self.sock is None:
            self.sock = socket.create_connection(self.target)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        start = time.perf_counter_ns()
        self.sock.sendall(self.request)
        head = self.until(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        if b"transfer-encoding: chunked" not in head.lower():
            raise SystemExit(f"not a chunked stream: {head!r}")
        events, pending, first = [], b"", None
        while True:
            size_line = self.until(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            data = self.exactly(size + 2)[:-2]
            if size == 0:
                break
            pending += data
            while b"\n\n" in pending:
                event, pending = pending.split(b"\n\n", 1)
                if first is None:
                    first = (time.perf_counter_ns() - start) / 1e6
                events.append((self.reads, event.decode()))
        return first, events, status

    def until(self, marker):
        while marker not in self.buffer:
            self.fill()
        value, self.buffer = self.buffer.split(marker, 1)
        return value

    def exactly(self, n):
        while len(self.buffer) < n:
            self.fill()
        value, self.buffer = self.buffer[:n], self.buffer[n:]
        return value

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise SystemExit("connection closed mid-stream")
        self.reads += 1
        self.buffer += data


def check(events):
    """Every content chunk in order, none missing, each from its own read; then [DONE]."""
    contents = [e for e in events if '"delta"' in e[1]]
    indices = [json.loads(e[1][len("data: "):])["choices"][0]["delta"]["content"] for e in contents]
    in_order = indices == [f"tok{i} " for i in range(CHUNKS)]
    separate = len({read for read, _ in contents}) == len(contents)
    done = bool(events) and events[-1][1] == "data: [DONE]"
    leaked_usage = any('"usage"' in e[1] for e in events)
    return in_order and done and not leaked_usage, separate


def measure(args):
    governed = {"Authorization": "Bearer " + args.credential}
    arms = [("direct", StreamClient(args.direct, PATH, {})),
            ("nginx", StreamClient(args.nginx, PATH, {})),
            ("edge", StreamClient(args.edge, "/compat/benchsse" + PATH, governed))]
    # The stream path (usage injection and stripping, SSE metering) is code the JSON load never ran:
    # give the JIT thousands of streams on it first, many at a time, as it gets in production.
    def warm(_):
        client = StreamClient(args.edge, "/compat/benchsse" + PATH, governed)
        for _ in range(args.edge_warmup // 16):
            client.stream()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(warm, range(16)))
    for _ in range(args.warmup):
        for _, client in arms:
            client.stream()
    ttfb = {name: [] for name, _ in arms}
    complete = {name: 0 for name, _ in arms}
    separate = {name: 0 for name, _ in arms}
    for _ in range(args.streams):
        for name, client in arms:
            first, events, status = client.stream()
            if status != 200:
                raise SystemExit(f"{name}: HTTP {status}")
            ok, apart = check(events)
            ttfb[name].append(first)
            complete[name] += ok
            separate[name] += apart
    print(f"{args.streams} streams per arm, interleaved, after {args.edge_warmup} warm-up streams through the edge "
          f"(16 at a time) and {args.warmup} interleaved warm-up rounds; each stream is {CHUNKS} chunks {GAP_MS} ms "
          "apart; time to first chunk in ms.")
    print()
    print("| arm | TTFB p50 | TTFB p99 | added TTFB p50 | added TTFB p99 | streams complete and in order "
          "| streams with every chunk in its own read |")
    print("|---|---|---|---|---|---|---|")
    direct50, direct99 = percentile(sorted(ttfb["direct"]), 50), percentile(sorted(ttfb["direct"]), 99)
    for name, _ in arms:
        p50, p99 = percentile(sorted(ttfb[name]), 50), percentile(sorted(ttfb[name]), 99)
        added = "–" if name == "direct" else f"{p50 - direct50:.3f}"
        added99 = "–" if name == "direct" else f"{p99 - direct99:.3f}"
        print(f"| {name} | {p50:.3f} | {p99:.3f} | {added} | {added99} | {complete[name]}/{args.streams} "
              f"| {separate[name]}/{args.streams} |")


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "serve":
        server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), StreamingUpstream)
        server.daemon_threads = True
        server.serve_forever()
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["measure"])
    parser.add_argument("--direct", required=True)
    parser.add_argument("--nginx", required=True)
    parser.add_argument("--edge", required=True)
    parser.add_argument("--credential", required=True)
    parser.add_argument("--streams", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--edge-warmup", type=int, default=4000)
    measure(parser.parse_args())


if __name__ == "__main__":
    main()
