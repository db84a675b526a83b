/// The HTTP(S) server the namespace tests probe. Embedded as text (not a resource file) so the
/// test target needs no Package.swift change; written to a temporary directory at test time.
/// It exits when its stdin closes, so it cannot outlive the test process.
let probeServerScript = #"""
import collections, http.server, os, ssl, sys, threading, time

hits = collections.Counter()
lock = threading.Lock()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def do_GET(self):
        path = self.path.split("?")[0]
        with lock:
            hits[path] += 1
        if path == "/ok":
            self.reply(200, b"ok")
        elif path == "/fail":
            self.reply(500, b"secret failure body")
        elif path == "/redirect-same":
            self.reply(302, b"moved", [("Location", "/ok")])
        elif path == "/redirect-loop":
            self.reply(302, b"again", [("Location", "/redirect-loop")])
        elif path == "/redirect-other":
            self.reply(302, b"elsewhere", [("Location", "http://other.example:1/")])
        elif path == "/slow":
            time.sleep(5)
            self.reply(200, b"late")
        elif path == "/big":
            self.send_response(200)
            self.send_header("Content-Length", str(1 << 20))
            self.end_headers()
            chunk = b"x" * 65536
            for _ in range(16):
                self.wfile.write(chunk)
            self.close_connection = True
        elif path == "/headers":
            self.reply(200, "".join(f"{k}: {v}\n" for k, v in self.headers.items()).encode())
        elif path.startswith("/hits/"):
            with lock:
                count = hits["/" + path[len("/hits/"):]]
            self.reply(200, str(count).encode())
        else:
            self.reply(404, b"not found")

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # many probes at once must not overflow the accept queue

    def handle_error(self, request, client_address):
        pass  # probes hang up early on purpose (/big, /slow)

def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()

port, tls_port = int(sys.argv[1]), int(sys.argv[2])
serve(Server(("127.0.0.1", port), Handler))
if tls_port:
    tls = Server(("127.0.0.1", tls_port), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[3], sys.argv[4])
    tls.socket = context.wrap_socket(tls.socket, server_side=True)
    serve(tls)
print("READY", flush=True)
sys.stdin.read()
os._exit(0)
"""#
