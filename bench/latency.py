#!/usr/bin/env python3
"""Added latency of the edge, one request at a time, against the local stack's demo provider.

Sends the same chat request in turn straight to the demo provider, through the edge with the
operator's server key, and through the edge with a split BYOK key (created here through the edge's
/byok/keys for the demo provider's key; the edge opens it with the client part on every request).
The edge arms run the real pipeline: app credential, policy, limits, key injection, metering to
Kafka. One kept-alive connection per arm; prints p50/p90/p99/p99.9 of each and the differences.

    ./symbolon-local &            # wait for the banner
    python3 bench/latency.py [--data-dir=.symbolon] [--requests=3000]

The client and both servers share this machine's cores, so absolute figures are noisy; the edge's
own share is the difference. The full benchmark (nginx arm, throughput, streams) is bench/run.sh.
"""
import argparse
import http.client
import json
import os
import time


def properties(path):
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip()
    return values


def percentile(sorted_values, p):
    index = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def timed(connection, path, headers, body):
    start = time.perf_counter_ns()
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter_ns() - start
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status}")
    return elapsed / 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=".symbolon")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=2000)
    parser.add_argument("--edge", default="localhost:8080")
    parser.add_argument("--provider", default="localhost:8090")
    args = parser.parse_args()

    secrets = properties(os.path.join(args.data_dir, "bootstrap.properties"))
    body = json.dumps({"model": "demo-1", "messages": [{"role": "user", "content": "ping"}]})
    direct_headers = {"Authorization": "Bearer " + secrets["demo-provider-key"], "Content-Type": "application/json"}
    edge_headers = {"Authorization": "Bearer " + secrets["demo-credential"], "Content-Type": "application/json"}
    direct = http.client.HTTPConnection(args.provider)
    edge = http.client.HTTPConnection(args.edge)
    split = http.client.HTTPConnection(args.edge)

    # A split key for the demo provider, made the way a tenant's backend makes one.
    edge.request("POST", "/byok/keys", body=json.dumps({"provider": "compat:demo", "apiKey": secrets["demo-provider-key"],
                                                       "label": "bench"}), headers=edge_headers)
    created = edge.getresponse()
    key = json.loads(created.read())
    if created.status != 201:
        raise SystemExit(f"creating a split key: HTTP {created.status} {key}")
    split_headers = dict(edge_headers, **{"X-Partial-Key-Id": key["keyId"], "X-Partial-Key": key["clientPart"]})
    path = "/compat/demo/v1/chat/completions"

    try:
        for _ in range(args.warmup):
            timed(direct, "/v1/chat/completions", direct_headers, body)
            timed(edge, path, edge_headers, body)
            timed(split, path, split_headers, body)

        direct_ms, edge_ms, split_ms = [], [], []
        for _ in range(args.requests):
            direct_ms.append(timed(direct, "/v1/chat/completions", direct_headers, body))
            edge_ms.append(timed(edge, path, edge_headers, body))
            split_ms.append(timed(split, path, split_headers, body))
    finally:
        edge.request("DELETE", "/byok/keys/" + key["keyId"], headers=edge_headers)
        edge.getresponse().read()
    direct_ms.sort()
    edge_ms.sort()
    split_ms.sort()

    print(f"{args.requests} requests per arm, one at a time, interleaved, after {args.warmup} warm-up rounds")
    print("| percentile | direct (ms) | edge, server key (ms) | edge, split key (ms) | added, server key (ms) "
          "| added, split key (ms) | split over server (ms) |")
    print("|---|---|---|---|---|---|---|")
    for p in (50, 90, 99, 99.9):
        d, e, k = percentile(direct_ms, p), percentile(edge_ms, p), percentile(split_ms, p)
        print(f"| p{p:g} | {d:.3f} | {e:.3f} | {k:.3f} | {e - d:.3f} | {k - d:.3f} | {k - e:.3f} |")


if __name__ == "__main__":
    main()
