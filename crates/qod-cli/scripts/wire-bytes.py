#!/usr/bin/env python3
"""Request bytes on the wire for create + get + delete: qod-client (via the `qod` gateway commands) vs Python
`requests`, in the same run, against one byte-counting loopback server. Same 40-character bearer token, same Host, same create body
(requests gets the JSON qod sent, parsed, via `json=`). Only request bytes are counted, at the server socket.

    python3 crates/qod-cli/scripts/wire-bytes.py [PATH/TO/qod]     # default: $CARGO_TARGET_DIR/debug/qod

Prints a table and the ratio; exits 1 if a call failed. Needs `requests` (pip install requests).
"""
import json
import os
import socket
import subprocess
import sys
import threading

TOKEN = "0123456789abcdef0123456789abcdef01234567"
assert len(TOKEN) == 40
SID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def session(body):
    s = dict(body)
    s.update({"sessionId": SID, "duration": body.get("duration", 600), "startedAt": 1639479600,
              "expiresAt": 1639480200, "qosStatus": "AVAILABLE"})
    return json.dumps(s, separators=(",", ":")).encode()


class Server:
    """HTTP/1.1 keep-alive server on a raw socket that records every request's exact bytes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.requests = []  # (client, method, path, raw bytes)
        self.client = "?"
        self.last_body = {}
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    conn.close()
                    return
                buf += data
            head, rest = buf.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                k, v = line.split(":", 1)
                if k.strip().lower() == "content-length":
                    length = int(v)
            while len(rest) < length:
                rest += conn.recv(65536)
            body, buf = rest[:length], rest[length:]
            self.requests.append((self.client, method, path, head + b"\r\n\r\n" + body))
            if method == "POST":
                self.last_body = json.loads(body)
                payload, status = session(self.last_body), "201 Created"
            elif method == "GET":
                payload, status = session(self.last_body), "200 OK"
            else:
                payload, status = b"", "204 No Content"
            resp = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            if status != "204 No Content":
                resp += f"Content-Length: {len(payload)}\r\n"
            conn.sendall(resp.encode() + b"\r\n" + payload)


def main():
    qod = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "debug", "qod")
    srv = Server()
    base = f"http://127.0.0.1:{srv.port}/qod/v0"
    common = [qod, "--server", base, "--token", TOKEN]
    srv.client = "qod"
    create = ["session", "create", "--phone-number", "+436641234567", "--as-ipv4", "198.51.100.0/24",
              "--profile", "QOS_VC", "--duration", "600"]
    for args in (create, ["session", "get", SID], ["session", "delete", SID]):
        subprocess.run(common + args, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn"})
    sent_body = srv.last_body

    import requests  # noqa: E402 (only needed here)
    srv.client = "requests"
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {TOKEN}"
    for r in (s.post(f"{base}/sessions", json=sent_body), s.get(f"{base}/sessions/{SID}"),
              s.delete(f"{base}/sessions/{SID}")):
        r.raise_for_status()

    rows = {}
    for client, method, path, raw in srv.requests:
        rows.setdefault(method, {})[client] = len(raw)
    total = {"qod": 0, "requests": 0}
    print(f"| call | qod-client (B) | requests {requests.__version__} (B) | ratio |")
    print("|---|---|---|---|")
    for method in ("POST", "GET", "DELETE"):
        q, r = rows[method]["qod"], rows[method]["requests"]
        total["qod"] += q
        total["requests"] += r
        print(f"| {method} | {q} | {r} | {q / r:.3f} |")
    ratio = total["qod"] / total["requests"]
    print(f"| **total** | **{total['qod']}** | **{total['requests']}** | **{ratio:.3f}** |")
    for client, method, path, raw in srv.requests:
        if method == "POST":
            print(f"\n{client} POST:\n{raw.decode()}")


if __name__ == "__main__":
    main()
