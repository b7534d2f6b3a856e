#!/usr/bin/env python3
"""A stand-in SMS gateway for tests: an HTTP server on loopback that records
each POST body (one JSON document per line) and answers 200, or 500 for the
first --fail-first requests (--fail-first -1: always 500).

    sms_stub.py --port-file FILE --log FILE [--fail-first N]

It binds a free port itself and writes the port number to --port-file once
it is listening, so a test never races for a port. Loopback only."""
import argparse
import http.server
import json
import os
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--fail-first", type=int, default=0)
    args = ap.parse_args()
    state = {"seen": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            state["seen"] += 1
            failing = args.fail_first < 0 or state["seen"] <= args.fail_first
            record = {
                "path": self.path,
                "content_type": self.headers.get("Content-Type"),
                "idempotency_header": self.headers.get("Idempotency-Key"),
                "body": json.loads(body.decode("utf-8")),
                "answered": 500 if failing else 200,
            }
            with open(args.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
            reply = (b'{"error":"gateway busy"}' if failing
                     else json.dumps({"status": "queued", "id": state["seen"]}).encode())
            self.send_response(500 if failing else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, fmt, *a):  # keep the test output quiet
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(tmp, args.port_file)  # appears whole, never half-written
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
