#!/usr/bin/env python3
"""One request at a time through four arms, interleaved: direct to the fake upstream, through nginx,
through the edge with the operator's server key, through the edge with a split BYOK key (made here
through the edge's /byok/keys). Prints a markdown table of p50/p99/p99.9 and the added latency of
nginx and of the edge. Used by bench/run.sh."""
import argparse
import http.client
import json
import time

PATH = "/v1/chat/completions"
BODY = json.dumps({"model": "bench-1", "messages": [{"role": "user", "content": "ping"}]})


def percentile(values, p):
    index = min(len(values) - 1, max(0, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[index]


def timed(connection, path, headers):
    start = time.perf_counter_ns()
    connection.request("POST", path, body=BODY, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter_ns() - start) / 1e6
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status}")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--credential", required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--proxy", required=True)
    parser.add_argument("--edge", required=True)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=2000)
    args = parser.parse_args()

    plain = {"Content-Type": "application/json"}
    governed = dict(plain, Authorization="Bearer " + args.credential)
    setup = http.client.HTTPConnection(args.edge)
    setup.request("POST", "/byok/keys", body=json.dumps({"provider": "compat:bench", "apiKey": "sk-bench-upstream-key"}),
                  headers=governed)
    created = setup.getresponse()
    key = json.loads(created.read())
    if created.status != 201:
        raise SystemExit(f"split key: HTTP {created.status} {key}")
    split = dict(governed, **{"X-Partial-Key-Id": key["keyId"], "X-Partial-Key": key["clientPart"]})

    arms = [
        ("direct", http.client.HTTPConnection(args.upstream), PATH, plain),
        ("nginx", http.client.HTTPConnection(args.proxy), PATH, plain),
        ("edge, server key", http.client.HTTPConnection(args.edge), "/compat/bench" + PATH, governed),
        ("edge, split key", http.client.HTTPConnection(args.edge), "/compat/bench" + PATH, split),
    ]
    for _ in range(args.warmup):
        for _, connection, path, headers in arms:
            timed(connection, path, headers)
    samples = {name: [] for name, *_ in arms}
    for _ in range(args.requests):
        for name, connection, path, headers in arms:
            samples[name].append(timed(connection, path, headers))
    for values in samples.values():
        values.sort()

    print(f"{args.requests} requests per arm, interleaved, after {args.warmup} warm-up rounds; times in ms.")
    print()
    print("| percentile | direct | nginx | edge (server key) | edge (split key) | nginx added | edge added | "
          "edge added, split | edge added ÷ nginx added |")
    print("|---|---|---|---|---|---|---|---|---|")
    for p in (50, 99, 99.9):
        d, n, e, s = (percentile(samples[name], p) for name in samples)
        ratio = (e - d) / (n - d) if n - d > 0 else float("nan")
        print(f"| p{p:g} | {d:.3f} | {n:.3f} | {e:.3f} | {s:.3f} | {n - d:.3f} | {e - d:.3f} | {s - d:.3f} | {ratio:.1f}× |")
    setup.request("DELETE", "/byok/keys/" + key["keyId"], headers=governed)
    setup.getresponse().read()


if __name__ == "__main__":
    main()
