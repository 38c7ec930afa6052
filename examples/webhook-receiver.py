# A coincide webhook receiver: checks X-Coincide-Signature, prints each delivery once. Python 3, stdlib only.
import hashlib, hmac, os, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
SECRET, seen = os.environ["COINCIDE_WEBHOOK_SECRET"].encode(), set()
class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body, t = self.rfile.read(int(self.headers["Content-Length"])), self.headers.get("X-Coincide-Timestamp", "0")
        mac = "v1=" + hmac.new(SECRET, t.encode() + b"." + body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(mac, self.headers.get("X-Coincide-Signature", "")) and abs(time.time() - int(t)) < 300
        self.send_response(204 if ok else 401); self.end_headers()
        key = self.headers["Idempotency-Key"]  # the same on a retry: handle each key once
        if ok and key not in seen: seen.add(key); print(key, body.decode(), flush=True)
server = HTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8000), Hook)
print("listening on port", server.server_port, flush=True); server.serve_forever()
