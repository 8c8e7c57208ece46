#!/usr/bin/env python3
"""A hostile-capable HTTPS server on 127.0.0.1 for scriptpin's tests.

Makes a CA and certificates at start (openssl CLI), then listens on five
ports: "trusted" (certificate for 127.0.0.1/localhost from the CA),
"untrusted" (self-signed), "wronghost" (from the CA, but for another name),
"collector" (plain HTTP, records every POST body: the exfiltration
listener of the Codecov replay) and "vendors" (from the CA, for the hosts
popular installers are served from, which a test reaches through curl's
connect-to: it stands in for them, answering by the Host header from the
space that claimed that host in ROOT/hosts/HOST). Prints one JSON line with the ports and the
CA path, then serves until its standard input closes.

One server serves a whole test run. Each test has its own space, a
directory /tmp/scriptpin-https.XXXXXX of its own, named by the first two
segments of the path: /v/scriptpin-https.XXXXXX/files/NAME serves that
space's files/NAME and logs to that space. A request outside any space is
logged to ROOT, which every test reads too, so that a stray request fails
the test that looks for it instead of passing unseen.

Routes (on the HTTPS ports, after the space's prefix):
  /files/NAME          200 with the current content of the space's files/NAME
  /status/CODE/NAME    CODE with the body of the space's files/NAME
  /redirect-http/NAME  302 to http://127.0.0.1:PORT/files/NAME
  /redirect/N/NAME     N hops of 302, then /files/NAME
  /latest/NAME         302 to /v9.9.9/NAME, as a "latest release" link leads to a versioned one
  /v9.9.9/NAME         the space's files/v9.9.9/NAME; /v9.9.9/random as /random
  /loop                302 to itself
  /endless             chunked body that never ends
  /huge-length         Content-Length of 10 GiB, then bytes until the client leaves
  /slow                one byte a second
  /truncated           announces 1000 bytes, sends 10, closes
  /gzip/NAME           gzip of NAME with Content-Encoding: gzip although nobody asked
  /random              different bytes on every request
  /flaky/N/NAME        503 for the first N requests of this path, then NAME
  /malformed-status    a status line that is not HTTP ("HTTP/1.1 2x0 OK")
  /github/repos/OWNER/REPO[/git/…]
                       GitHub's git database API (ref/tags/T, ref/heads/B, matching-refs/tags[/P],
                       tags/SHA, commits/SHA, trees/SHA, blobs/SHA) and the repository's
                       default branch, answered from the real git repository in the
                       space's repos/OWNER/REPO, in GitHub's JSON shapes
On the vendors port: raw.githubusercontent.com/OWNER/REPO/REF/PATH is the file
from the space's repos/OWNER/REPO; any other host's /PATH is the space's
hosts/HOST/PATH (hosts/HOST/index for /).
Every request line is appended to the space's requests.log, without the prefix
(with its Authorization header, spaces as _, or auth=-);
every POST body to its collected.log (for .../merge_requests, after a line with
its PRIVATE-TOKEN header, answered 201 as GitLab's API creates one).
"""
import gzip
import http.server
import json
import os
import re
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import zlib

ROOT = sys.argv[1]
SPACE = re.compile(r"^scriptpin-https\.[A-Za-z0-9]{6}$")
LOCK = threading.Lock()
# The hosts the catalogue's installers are served from, as the vendors port's certificate names them.
VENDOR_HOSTS = ["raw.githubusercontent.com", "codecov.io", "cli.codecov.io", "sh.rustup.rs", "static.rust-lang.org",
                "get.docker.com", "install.ohmyz.sh", "get.k3s.io", "deno.land", "bun.sh", "astral.sh", "starship.rs",
                "pyenv.run", "install.python-poetry.org", "deb.nodesource.com", "tailscale.com",
                # A host no catalogue entry names, for pins named from their URL.
                "tools.example.org"]
COUNTS = {}


def openssl(*arguments):
    subprocess.run(["openssl", *arguments], check=True, capture_output=True)


def make_certificates():
    path = lambda name: os.path.join(ROOT, name)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "2",
            "-subj", "/CN=scriptpin test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    vendors = ",".join(f"DNS:{host}" for host in VENDOR_HOSTS)
    for name, alt in (("trusted", "IP:127.0.0.1,DNS:localhost"), ("wronghost", "DNS:wrong.example"), ("vendors", vendors)):
        openssl("req", *ec, "-keyout", path(f"{name}.key"), "-out", path(f"{name}.csr"), "-subj", f"/CN={name}")
        with open(path(f"{name}.ext"), "w") as ext:
            ext.write(f"subjectAltName={alt}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        openssl("x509", "-req", "-in", path(f"{name}.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                "-CAcreateserial", "-days", "2", "-out", path(f"{name}.pem"), "-extfile", path(f"{name}.ext"))
    openssl("req", "-x509", *ec, "-keyout", path("untrusted.key"), "-out", path("untrusted.pem"), "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are two writes: without this, a kept-alive connection waits out the client's delayed ACK (40 ms) on each answer.
    disable_nagle_algorithm = True

    def parse_request(self):
        """Splits the space's prefix off the path: self.prefix, self.root, and self.path as the test wrote it."""
        if not super().parse_request():
            return False
        self.prefix, self.root = "", ROOT
        parts = self.path.split("/", 3)
        if len(parts) >= 3 and parts[1] == "v" and SPACE.match(parts[2]) and os.path.isdir(os.path.join("/tmp", parts[2])):
            self.prefix, self.root = f"/v/{parts[2]}", os.path.join("/tmp", parts[2])
            self.path = "/" + (parts[3] if len(parts) > 3 else "")
        return True

    def log_message(self, format, *args):
        root = getattr(self, "root", ROOT)
        with LOCK, open(os.path.join(root, "requests.log"), "a") as log:
            authorization = self.headers.get("Authorization", "-")
            log.write(f"{self.server.label} {self.command} {self.path} {self.headers.get('Accept-Encoding', '-')} {self.headers.get('User-Agent', '-')} auth={authorization.replace(' ', '_')}\n")

    def send_body(self, code, body, headers=()):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def file(self, name):
        with open(os.path.join(self.root, "files", name), "rb") as source:
            return source.read()

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        # A merge request, as GitLab's API takes one: its token is logged before its form.
        creates = "/merge_requests" in self.path
        token = (b"private-token=" + self.headers.get("PRIVATE-TOKEN", "-").encode() + b"\n") if creates else b""
        with LOCK, open(os.path.join(self.root, "collected.log"), "ab") as log:
            log.write(token + body + b"\n")
        self.send_body(201 if creates else 200, b'{"iid": 1}\n' if creates else b"thanks\n")

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        try:
            if self.server.label == "vendors":
                self.vendor_route()
                return
            self.route(parts)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass
        except FileNotFoundError:
            self.send_body(404, b"no such fixture\n")

    def route(self, parts):
        head = parts[0]
        if head == "files":
            self.send_body(200, self.file("/".join(parts[1:])))
        elif head == "status":
            self.send_body(int(parts[1]), self.file(parts[2]))
        elif head == "redirect-http":
            self.redirect(f"http://127.0.0.1:{self.server.server_address[1]}{self.prefix}/files/{parts[1]}")
        elif head == "redirect":
            hops = int(parts[1])
            rest = "/".join(parts[2:])
            self.redirect(f"{self.prefix}/redirect/{hops - 1}/{rest}" if hops > 1 else f"{self.prefix}/files/{rest}")
        elif head == "loop":
            self.redirect(f"{self.prefix}/loop")
        elif head == "endless":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"echo endless\n" * 5000
            while True:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        elif head == "huge-length":
            self.send_response(200)
            self.send_header("Content-Length", str(10 << 30))
            self.end_headers()
            while True:
                self.wfile.write(b"#" * 65536)
        elif head == "slow":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"#")
                self.wfile.flush()
                time.sleep(1)
        elif head == "truncated":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"echo trunc")
            self.wfile.flush()
            self.close_connection = True
        elif head == "gzip":
            self.send_body(200, gzip.compress(self.file(parts[1])), [("Content-Encoding", "gzip")])
        elif head == "latest":
            self.redirect(f"{self.prefix}/v9.9.9/{'/'.join(parts[1:])}")
        elif head == "v9.9.9":
            if parts[1:] == ["random"]:
                self.send_body(200, b"echo " + os.urandom(8).hex().encode() + b"\n")
            else:
                self.send_body(200, self.file("/".join(["v9.9.9"] + parts[1:])))
        elif head == "random":
            self.send_body(200, b"echo " + os.urandom(8).hex().encode() + b"\n")
        elif head == "flaky":
            key = self.prefix + self.path
            with LOCK:
                COUNTS[key] = COUNTS.get(key, 0) + 1
                count = COUNTS[key]
            if count <= int(parts[1]):
                self.send_body(503, b"try later\n")
            else:
                self.send_body(200, self.file(parts[2]))
        elif head == "github":
            self.github(parts[1:])
        elif head == "malformed-status":
            self.wfile.write(b"HTTP/1.1 2x0 OK\r\nContent-Length: 8\r\n\r\necho hi\n")
            self.close_connection = True
        else:
            self.send_body(404, b"unknown route\n")


def vendor_route(handler):
    """Answers for a vendor's host from the space that claimed it."""
    host = handler.headers.get("Host", "").split(":")[0]
    with open(os.path.join(ROOT, "hosts", host)) as claim:
        handler.root = claim.read().strip()
    path = handler.path.split("?")[0].strip("/")
    if host == "raw.githubusercontent.com":
        owner, name, ref, rest = path.split("/", 3)
        content = git(os.path.join(handler.root, "repos", owner, name), "show", f"{ref}:{rest}")
        if content is None:
            raise FileNotFoundError(path)
        handler.send_body(200, content)
    else:
        with open(os.path.join(handler.root, "hosts", host, path or "index"), "rb") as source:
            handler.send_body(200, source.read())


Handler.vendor_route = vendor_route


def git(repository, *arguments):
    result = subprocess.run(["git", "-C", repository, *arguments], capture_output=True)
    return result.stdout if result.returncode == 0 else None


def read_object(repository, sha):
    """(type, content) of a git object: read from its loose file (what a fresh commit or tag leaves),
    without a process per request, else asked of git; None when the repository has no such object."""
    if not re.fullmatch(r"[0-9a-f]{40}", sha):
        return None
    try:
        with open(os.path.join(repository, ".git", "objects", sha[:2], sha[2:]), "rb") as loose:
            data = zlib.decompress(loose.read())
        header, _, content = data.partition(b"\0")
        return header.split(b" ")[0].decode(), content
    except FileNotFoundError:
        kind = git(repository, "cat-file", "-t", sha)
        if kind is None:
            return None
        kind = kind.decode().strip()
        return kind, git(repository, "cat-file", kind, sha)


def resolve_ref(repository, ref):
    """The object id a ref (refs/tags/T, refs/heads/B) names, from its loose file or packed-refs; None when absent."""
    try:
        with open(os.path.join(repository, ".git", ref)) as loose:
            return loose.read().strip()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        sha = git(repository, "rev-parse", "--verify", "-q", ref)
        return sha.decode().strip() if sha else None


def tree_entries(content):
    """A tree object's entries as GitHub lists them."""
    entries, index = [], 0
    while index < len(content):
        space = content.index(b" ", index)
        nul = content.index(b"\0", space)
        mode, name, sha = content[index:space].decode(), content[space + 1:nul].decode(), content[nul + 1:nul + 21].hex()
        kind = {"40000": "tree", "160000": "commit"}.get(mode, "blob")
        entries.append({"path": name, "mode": mode.rjust(6, "0"), "type": kind, "sha": sha})
        index = nul + 21
    return entries


def github_answer(handler, parts):
    """The JSON (or, for a blob asked for raw, the bytes) GitHub's API gives for parts, or None for a 404."""
    if len(parts) == 3 and parts[0] == "repos":
        repository = os.path.join(handler.root, "repos", parts[1], parts[2])
        head = git(repository, "symbolic-ref", "--short", "HEAD") if os.path.isdir(repository) else None
        return None if head is None else {"full_name": f"{parts[1]}/{parts[2]}", "default_branch": head.decode().strip()}
    if len(parts) < 6 or parts[0] != "repos" or parts[3] != "git":
        return None
    repository = os.path.join(handler.root, "repos", parts[1], parts[2])
    kind, rest = parts[4], parts[5:]
    if not os.path.isdir(repository):
        return None
    if kind == "matching-refs" and rest and rest[0] == "tags":
        prefix = "refs/" + "/".join(rest)
        query = dict(item.split("=", 1) for item in handler.path.partition("?")[2].split("&") if "=" in item)
        per_page, page = int(query.get("per_page", "30")), int(query.get("page", "1"))
        lines = git(repository, "for-each-ref", "--format=%(refname) %(objecttype) %(objectname)", "refs/tags").decode().splitlines()
        refs = [{"ref": ref, "object": {"type": kind, "sha": sha}} for ref, kind, sha in (line.split(" ") for line in lines)
                if ref.startswith(prefix)]
        return refs[(page - 1) * per_page:page * per_page]
    if kind == "ref" and len(rest) >= 2 and rest[0] in ("tags", "heads"):
        ref = "refs/" + "/".join(rest)
        sha = resolve_ref(repository, ref)
        found = sha and read_object(repository, sha)
        return {"ref": ref, "object": {"type": found[0], "sha": sha}} if found else None
    sha = rest[0]
    found = read_object(repository, sha)
    if found is None:
        return None
    object_type, content = found
    if kind == "tags" and object_type == "tag":
        text = content.decode()
        header, _, message = text.partition("\n\n")
        fields = dict(line.split(" ", 1) for line in header.splitlines())
        # As GitHub answers: the signature git appended to the message, and the text it covers.
        begin = min([text.find(marker) for marker in ("\n-----BEGIN PGP SIGNATURE-----", "\n-----BEGIN SSH SIGNATURE-----")
                     if text.find(marker) >= 0] or [-1])
        if begin >= 0:
            verification = {"verified": True, "reason": "valid", "payload": text[:begin + 1], "signature": text[begin + 1:]}
        else:
            verification = {"verified": False, "reason": "unsigned", "signature": None, "payload": text}
        return {"sha": sha, "tag": fields["tag"], "message": message,
                "object": {"type": fields["type"], "sha": fields["object"]}, "verification": verification}
    if kind == "commits" and object_type == "commit":
        tree = content.decode().splitlines()[0].split(" ")[1]
        return {"sha": sha, "tree": {"sha": tree}}
    if kind == "trees" and object_type == "tree":
        return {"sha": sha, "tree": tree_entries(content), "truncated": False}
    if kind == "blobs" and object_type == "blob":
        if "raw" in handler.headers.get("Accept", ""):
            return content
        import base64
        return {"sha": sha, "size": len(content), "encoding": "base64", "content": base64.b64encode(content).decode()}
    return None


def github_route(handler, parts):
    answer = github_answer(handler, parts)
    if answer is None:
        handler.send_body(404, b'{"message": "Not Found"}', [("Content-Type", "application/json")])
    elif isinstance(answer, bytes):
        handler.send_body(200, answer)
    else:
        handler.send_body(200, json.dumps(answer).encode(), [("Content-Type", "application/json")])


Handler.github = github_route


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(label, certificate=None):
    server = Server(("127.0.0.1", 0), Handler)
    server.label = label
    if certificate:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(ROOT, f"{certificate}.pem"), os.path.join(ROOT, f"{certificate}.key"))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def main():
    make_certificates()
    ports = {
        "trusted": serve("trusted", "trusted"),
        "untrusted": serve("untrusted", "untrusted"),
        "wronghost": serve("wronghost", "wronghost"),
        "collector": serve("collector"),
        "vendors": serve("vendors", "vendors"),
    }
    print(json.dumps({"ports": ports, "ca": os.path.join(ROOT, "ca.pem")}), flush=True)
    # Ends when the test closes our standard input or kills us.
    sys.stdin.read()


if __name__ == "__main__":
    main()
