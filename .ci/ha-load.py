#!/usr/bin/env python3
"""Load for .ci/ha.sh: CLIENTS keep-alive connections sending GET / through the proxy, either VIEWS requests in all
or until --stop-file exists (at most SECONDS), then one JSON summary on stdout. --started-file is created once the
first answers came back, so the caller knows the load is on before it breaks something. With --event-file, the
summary also splits the requests around the time (time.time(), one float) that file holds, written by the caller
when it stopped or killed something."""
import os
import argparse
import http.client
import json
import threading
import time
import urllib.parse


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--clients", type=int, default=8)
    amount = parser.add_mutually_exclusive_group(required=True)
    amount.add_argument("--views", type=int)
    amount.add_argument("--seconds", type=float)
    parser.add_argument("--started-file")
    parser.add_argument("--stop-file")
    parser.add_argument("--event-file")
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()

    url = urllib.parse.urlsplit(args.url)
    lock = threading.Lock()
    left = [args.views]
    records = []  # (started, ended, status or None, served_by, error)
    answering = []  # one entry per client that has had an answer, for --started-file
    deadline = time.time() + args.seconds if args.seconds else None

    def take():
        if deadline is not None:
            if args.started_file and len(answering) >= args.clients and not os.path.exists(args.started_file):
                open(args.started_file, "w").close()
            return time.time() < deadline and not (args.stop_file and os.path.exists(args.stop_file))
        with lock:
            if left[0] <= 0:
                return False
            left[0] -= 1
            return True

    def client():
        connection = None
        mine = []
        while take():
            started = time.time()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=args.timeout)
                connection.request("GET", url.path or "/")
                response = connection.getresponse()
                body = response.read()
                status, error = response.status, None
                if status == 200 and b"This page has been seen" not in body:
                    status, error = None, "200 without the page"
                served_by = response.getheader("X-Served-By", "")
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as e:
                status, served_by, error = None, "", type(e).__name__
                if connection is not None:
                    connection.close()
                connection = None
            mine.append((started, time.time(), status, served_by, error))
            if len(mine) == 1:
                answering.append(1)
        with lock:
            records.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    began = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ended = time.time()

    records.sort()
    summary = {
        "requests": len(records),
        "seconds": round(ended - began, 2),
        "per_second": round(len(records) / (ended - began)),
        "statuses": count(str(r[2]) if r[2] else r[4] for r in records),
        "served_by": count(r[3] for r in records if r[2] == 200),
        "slowest_s": round(max((r[1] - r[0] for r in records), default=0), 3),
    }
    if args.event_file:
        with open(args.event_file) as f:
            event = float(f.read().strip())
        after = [r for r in records if r[0] >= event]
        in_flight = [r for r in records if r[0] < event < r[1]]
        # Counting resumes at the first 200 to a request sent after the break was first seen (a non-200), so a view
        # answered in the instant before the break took effect does not count as a recovery.
        first_failure = next((r[1] for r in sorted(after, key=lambda r: r[1]) if r[2] != 200), event)
        first_200 = next((r[1] for r in sorted(after, key=lambda r: r[1]) if r[2] == 200 and r[0] >= first_failure),
                         None)
        last_failure = max((r[1] for r in after if r[2] != 200), default=None)
        failed = lambda r: r[2] != 200 and r[2] != 503
        summary["event"] = {
            "in_flight": len(in_flight),
            "in_flight_failed": sum(1 for r in in_flight if r[2] != 200),
            "started_after": len(after),
            "statuses_after": count(str(r[2]) if r[2] else r[4] for r in after),
            "failed_after": sum(1 for r in after if r[2] != 200),
            "failed_after_not_503": sum(1 for r in after if failed(r)),
            "first_200_after_s": round(first_200 - event, 3) if first_200 else None,
            "first_failure_after_s": round(first_failure - event, 3) if first_failure != event else None,
            "last_failure_after_s": round(last_failure - event, 3) if last_failure else None,
            "slowest_around_s": round(max((r[1] - r[0] for r in records if r[1] >= event), default=0), 3),
            "served_by_after": count(r[3] for r in after if r[2] == 200),
        }
    print(json.dumps(summary, sort_keys=True))


def count(items):
    counts = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return dict(sorted(counts.items()))


if __name__ == "__main__":
    main()
