#!/usr/bin/env python3
"""A deliberately minimal, optionally broken QoD server for forcing the
firmware's failure paths that `qod sim` cannot produce (it is too correct).

Usage: fake-qod.py HOST PORT [--keep-deleted]

Serves POST /qod/v0/sessions (201, AVAILABLE at once), GET and DELETE
/qod/v0/sessions/{id} over HTTP/1.1 without authentication. With
--keep-deleted, DELETE answers 204 but keeps the session, so the firmware's
check after the delete fails (exit 10). Like `qod sim`, it prints its base
URL as the first stdout line once it is listening. Use `qod sim` for
everything else.
"""

import json
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BASE = "/qod/v0/sessions"
SESSIONS = {}
KEEP_DELETED = "--keep-deleted" in sys.argv[3:]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-qod/0.1"

    def reply(self, status, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def not_found(self):
        self.reply(404, {"status": 404, "code": "NOT_FOUND", "message": "no such session"})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path != BASE:
            return self.not_found()
        now = int(time.time())
        duration = body.get("duration", 86400)
        session = dict(body, sessionId=str(uuid.uuid4()), duration=duration,
                       startedAt=now, expiresAt=now + duration, qosStatus="AVAILABLE")
        SESSIONS[session["sessionId"]] = session
        self.reply(201, session)

    def do_GET(self):
        session = SESSIONS.get(self.path[len(BASE) + 1:]) if self.path.startswith(BASE + "/") else None
        return self.reply(200, session) if session else self.not_found()

    def do_DELETE(self):
        sid = self.path[len(BASE) + 1:] if self.path.startswith(BASE + "/") else None
        if sid not in SESSIONS:
            return self.not_found()
        if not KEEP_DELETED:
            del SESSIONS[sid]
        self.reply(204)

    def log_message(self, fmt, *args):
        sys.stderr.write("fake-qod: %s\n" % (fmt % args))


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    server = ThreadingHTTPServer((host, port), Handler)
    print("http://%s:%d/qod/v0" % (host, port), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
