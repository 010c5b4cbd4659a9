#!/usr/bin/env python3
"""Stand-in for `qod sim` until it exists: answers every GET with 200 and a
small JSON body, over HTTP/1.1, on the given address.

Usage: dev-server.py HOST PORT

Like `qod sim`, it prints its base URL as the first line on stdout once it
is listening.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "qod-dev-server/0.1"

    def do_GET(self):
        body = json.dumps(
            [{"name": "QOS_E", "description": "dev-server stand-in", "status": "ACTIVE"}]
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("dev-server: %s - %s\n" % (self.address_string(), fmt % args))


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    server = ThreadingHTTPServer((host, port), Handler)
    print("http://%s:%d" % (host, port), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
