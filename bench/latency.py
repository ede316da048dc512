#!/usr/bin/env python3
"""Added latency of the edge, one request at a time, against the local stack's demo provider.

Sends the same chat request alternately straight to the demo provider and through the edge (real
pipeline: app credential, policy, limits, key injection, metering to Kafka), over one kept-alive
connection each, and prints p50/p90/p99/p99.9 of both and of the difference of the percentiles.

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

    for _ in range(args.warmup):
        timed(direct, "/v1/chat/completions", direct_headers, body)
        timed(edge, "/compat/demo/v1/chat/completions", edge_headers, body)

    direct_ms, edge_ms = [], []
    for _ in range(args.requests):
        direct_ms.append(timed(direct, "/v1/chat/completions", direct_headers, body))
        edge_ms.append(timed(edge, "/compat/demo/v1/chat/completions", edge_headers, body))
    direct_ms.sort()
    edge_ms.sort()

    print(f"{args.requests} requests each, one at a time, interleaved, after {args.warmup} warm-up pairs")
    print("| percentile | direct (ms) | through edge (ms) | added (ms) |")
    print("|---|---|---|---|")
    for p in (50, 90, 99, 99.9):
        d, e = percentile(direct_ms, p), percentile(edge_ms, p)
        print(f"| p{p:g} | {d:.3f} | {e:.3f} | {e - d:.3f} |")


if __name__ == "__main__":
    main()
