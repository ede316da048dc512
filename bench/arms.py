#!/usr/bin/env python3
"""Used by bench/run.sh.

    arms.py split-key --edge H:P --credential C
        makes a split BYOK key for compat:bench through the edge's /byok/keys; prints "keyId clientPart"
    arms.py latency --credential C --split-key ID --client-part P --upstream H:P --proxy H:P --edge H:P
        one request at a time through four arms, interleaved: direct to the fake upstream, through nginx,
        through the edge with the operator's server key, through the edge with the split key (opened with
        the client part on every request). Prints a markdown table of p50/p99/p99.9 and the added latency.
"""
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


def split_key(args):
    edge = http.client.HTTPConnection(args.edge)
    edge.request("POST", "/byok/keys", body=json.dumps({"provider": "compat:bench", "apiKey": "sk-bench-upstream-key"}),
                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + args.credential})
    created = edge.getresponse()
    key = json.loads(created.read())
    if created.status != 201:
        raise SystemExit(f"split key: HTTP {created.status} {key}")
    print(key["keyId"], key["clientPart"])


def latency(args):
    plain = {"Content-Type": "application/json"}
    governed = dict(plain, Authorization="Bearer " + args.credential)
    split = dict(governed, **{"X-Partial-Key-Id": args.split_key, "X-Partial-Key": args.client_part})
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

    print(f"{args.requests} requests per arm, interleaved, after {args.warmup} warm-up rounds; times in ms "
          "(Python client, one kept-alive connection per arm).")
    print()
    print("| percentile | direct | nginx | edge (server key) | edge (split key) | nginx added | edge added | "
          "edge added, split key |")
    print("|---|---|---|---|---|---|---|---|")
    for p in (50, 99, 99.9):
        d, n, e, s = (percentile(samples[name], p) for name in samples)
        print(f"| p{p:g} | {d:.3f} | {n:.3f} | {e:.3f} | {s:.3f} | {n - d:.3f} | {e - d:.3f} | {s - d:.3f} |")


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("split-key")
    make.add_argument("--edge", required=True)
    make.add_argument("--credential", required=True)
    measure = commands.add_parser("latency")
    measure.add_argument("--credential", required=True)
    measure.add_argument("--split-key", required=True)
    measure.add_argument("--client-part", required=True)
    measure.add_argument("--upstream", required=True)
    measure.add_argument("--proxy", required=True)
    measure.add_argument("--edge", required=True)
    measure.add_argument("--requests", type=int, default=3000)
    measure.add_argument("--warmup", type=int, default=1000)
    args = parser.parse_args()
    split_key(args) if args.command == "split-key" else latency(args)


if __name__ == "__main__":
    main()
