#!/usr/bin/env python3
"""Mixed hostile load against a running edge for a while, sampling the edge's resources. Used by
bench/soak.sh.

    soak.py --edge H:P --credential C --pid PID --journal DIR --minutes M --out FILE

Load, all at once, for M minutes:
  steady     requests through the edge at about 100/s (a kept-alive connection per worker)
  errors     requests the upstream answers 500 or 429 (about 10/s)
  streams    SSE streams (about 5/s), every other one cancelled after its first chunk
  slow       10 clients at a time trickling request headers one byte a second (the edge cuts them)
Every SAMPLE_S seconds: the edge's RSS, heap used (jcmd GC.heap_info), open sockets and threads,
and the usage journal's size. Then the load stops, and after a quiet minute a last sample is taken.
Writes the samples as a Markdown table plus a verdict: flat means the last quarter of the run is not
above its second quarter by more than the tolerance, and after the quiet minute the sockets are back
near the idle figure and the journal is empty.
"""
import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import threading
import time

SAMPLE_S = 30
BODY = json.dumps({"model": "bench-1", "messages": [{"role": "user", "content": "ping"}]})
STREAM_BODY = json.dumps({"model": "bench-1", "stream": True, "messages": [{"role": "user", "content": "ping"}]})

stop = threading.Event()
counts = {"steady": 0, "errors": 0, "streams": 0, "cancelled": 0, "slow_cut": 0, "failures": 0}
lock = threading.Lock()


def count(name, n=1):
    with lock:
        counts[name] += n


def paced(rate, work):
    """Calls work() about rate times a second until stopped."""
    gap = 1.0 / rate
    nxt = time.monotonic()
    while not stop.is_set():
        try:
            work()
        except Exception:
            count("failures")
        nxt += gap
        delay = nxt - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            nxt = time.monotonic()


def steady_worker(host, port, headers, rate):
    conn = [http.client.HTTPConnection(host, port, timeout=10)]

    def one():
        try:
            conn[0].request("POST", "/compat/bench/v1/chat/completions", BODY, headers)
            response = conn[0].getresponse()
            response.read()
            count("steady" if response.status == 200 else "failures")
        except Exception:
            conn[0].close()
            conn[0] = http.client.HTTPConnection(host, port, timeout=10)
            raise

    paced(rate, one)


def error_worker(host, port, headers, rate):
    def one():
        conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            conn.request("POST", "/compat/broken/v1/chat/completions", BODY, headers)
            response = conn.getresponse()
            response.read()
            count("errors" if response.status in (429, 500, 502) else "failures")
        finally:
            conn.close()

    paced(rate, one)


def stream_worker(host, port, headers, rate):
    toggle = [False]

    def one():
        toggle[0] = not toggle[0]
        cancel = toggle[0]
        conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            conn.request("POST", "/compat/benchsse/v1/chat/completions", STREAM_BODY, headers)
            response = conn.getresponse()
            if cancel:
                response.read(64)  # the first chunk, then the client vanishes
                conn.sock.shutdown(socket.SHUT_RDWR)
                count("cancelled")
            else:
                response.read()
                count("streams")
        finally:
            conn.close()

    paced(rate, one)


def slow_worker(host, port):
    request = b"POST /compat/bench/v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    while not stop.is_set():
        s = socket.create_connection((host, port), timeout=5)
        try:
            for byte in request:
                if stop.is_set():
                    break
                s.send(bytes([byte]))
                time.sleep(1)
        except OSError:
            count("slow_cut")  # the edge closed it: what the header deadline is for
        finally:
            s.close()


def sample(pid, journal):
    status = open(f"/proc/{pid}/status").read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024
    threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
    sockets = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                sockets += 1
        except OSError:
            pass
    heap = None
    try:
        info = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=20).stdout
        used = [int(k) for k in re.findall(r"used (\d+)K", info)]
        heap = sum(used[:2]) // 1024 if used else None  # young + old generation (serial GC)
    except Exception:
        pass
    size = 0
    if os.path.isdir(journal):
        for name in os.listdir(journal):
            size += os.path.getsize(os.path.join(journal, name))
    return {"rss": rss, "heap": heap, "sockets": sockets, "threads": threads, "journal": size}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--edge", required=True)
    parser.add_argument("--credential", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--journal", required=True)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    host, port = args.edge.split(":")
    port = int(port)
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + args.credential}

    idle = sample(args.pid, args.journal)
    workers = [threading.Thread(target=steady_worker, args=(host, port, headers, 25), daemon=True) for _ in range(4)]
    workers.append(threading.Thread(target=error_worker, args=(host, port, headers, 10), daemon=True))
    workers += [threading.Thread(target=stream_worker, args=(host, port, headers, 2.5), daemon=True) for _ in range(2)]
    workers += [threading.Thread(target=slow_worker, args=(host, port), daemon=True) for _ in range(10)]
    for worker in workers:
        worker.start()

    started = time.monotonic()
    samples = []
    while time.monotonic() - started < args.minutes * 60:
        time.sleep(SAMPLE_S)
        row = sample(args.pid, args.journal)
        row["t"] = int(time.monotonic() - started)
        with lock:
            row.update(counts)
        samples.append(row)
        print(json.dumps(row), flush=True)
    stop.set()
    for worker in workers:
        worker.join(15)
    time.sleep(60)
    quiet = sample(args.pid, args.journal)

    def mean(rows, key):
        values = [r[key] for r in rows if r[key] is not None]
        return sum(values) / len(values) if values else 0

    n = len(samples)
    second = samples[n // 4: n // 2] or samples
    last = samples[3 * n // 4:] or samples
    verdict = []
    for key, tolerance in (("rss", 0.10), ("heap", 0.25), ("sockets", 0.25), ("threads", 0.05)):
        a, b = mean(second, key), mean(last, key)
        growth = (b - a) / a if a else 0
        verdict.append((key, a, b, growth, growth <= tolerance))
    sockets_back = quiet["sockets"] <= idle["sockets"] + 5
    journal_empty = quiet["journal"] == 0
    flat = all(ok for *_, ok in verdict) and sockets_back and journal_empty

    with open(args.out, "w") as out:
        out.write(f"{args.minutes:g} minutes of mixed load; a sample every {SAMPLE_S} s.\n\n")
        out.write("| t (s) | RSS MiB | heap used MiB | sockets | threads | journal bytes | ok | upstream errors | streams"
                  " | cancelled | slow clients cut | client failures |\n")
        out.write("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
        out.write(f"| idle | {idle['rss']} | {idle['heap']} | {idle['sockets']} | {idle['threads']} | {idle['journal']} |"
                  " | | | | | |\n")
        for r in samples:
            out.write(f"| {r['t']} | {r['rss']} | {r['heap']} | {r['sockets']} | {r['threads']} | {r['journal']} |"
                      f" {r['steady']} | {r['errors']} | {r['streams']} | {r['cancelled']} | {r['slow_cut']} |"
                      f" {r['failures']} |\n")
        out.write(f"| quiet +60 s | {quiet['rss']} | {quiet['heap']} | {quiet['sockets']} | {quiet['threads']} |"
                  f" {quiet['journal']} | | | | | | |\n\n")
        out.write("Second quarter vs last quarter of the run (mean):\n\n")
        for key, a, b, growth, ok in verdict:
            out.write(f"- {key}: {a:.1f} → {b:.1f} ({growth * 100:+.1f} %) {'flat' if ok else 'GROWING'}\n")
        out.write(f"- sockets a minute after the load: {quiet['sockets']} (idle {idle['sockets']})"
                  f" {'back' if sockets_back else 'NOT BACK'}\n")
        out.write(f"- journal a minute after the load: {quiet['journal']} bytes {'empty' if journal_empty else 'NOT EMPTY'}\n\n")
        out.write(f"Verdict: {'flat' if flat else 'NOT FLAT'}.\n")
    print("flat" if flat else "NOT FLAT")
    return 0 if flat else 1


if __name__ == "__main__":
    raise SystemExit(main())
