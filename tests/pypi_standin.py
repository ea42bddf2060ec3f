"""A stand-in for PyPI's vulnerability feed, for pip-audit run for real.

Why a stand-in: pip-audit asks ``https://pypi.org/pypi/NAME/VERSION/json`` for
each dependency, and the machines this suite runs on reach PyPI only through
pip's package index, not that API. So pip-audit itself runs unchanged, as a
subprocess, but through an HTTPS proxy on 127.0.0.1 (``HTTPS_PROXY``, which
pip-audit's ``requests`` honours): the proxy accepts the ``CONNECT`` to
pypi.org, speaks TLS with a certificate for pypi.org signed by a throwaway
authority made here with ``openssl`` (trusted through ``REQUESTS_CA_BUNDLE``),
and answers each query from a table, in PyPI's JSON shape: what is listed has
those vulnerabilities, everything else has none.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import socketserver
import ssl
import subprocess
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

QUERY = re.compile(r"GET /pypi/([^/]+)/([^/]+)/json ")


def make_authority(folder: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate for pypi.org, server key), made with openssl."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl(
        *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
        *("-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=healthgate test CA"),
    )
    openssl(
        *("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key"),
        *("-out", "server.csr", "-subj", "/CN=pypi.org"),
    )
    (folder / "san.ext").write_text("subjectAltName = DNS:pypi.org\n")
    openssl(
        *("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key"),
        *("-CAcreateserial", "-days", "2", "-out", "server.pem", "-extfile", "san.ext"),
    )
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


def _answer(request: str, feed: Mapping[str, list[dict[str, Any]]]) -> bytes:
    found = QUERY.match(request)
    if found is None:
        status, body = "404 Not Found", b"{}"
    else:
        name = found.group(1)
        document = {"info": {"name": name, "version": found.group(2)}, "urls": []}
        document["vulnerabilities"] = feed.get(name, [])
        status, body = "200 OK", json.dumps(document).encode()
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def _read_head(stream: Any) -> str:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = stream.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.decode("latin-1")


class _Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, context: ssl.SSLContext, feed: Mapping[str, list[dict[str, Any]]]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.context = context
        self.feed = feed
        self.queries: list[str] = []


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server = self.server
        assert isinstance(server, _Proxy)
        connection: socket.socket = self.request
        head = _read_head(connection)
        if not head.startswith("CONNECT pypi.org:443 "):
            connection.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        connection.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        with (
            contextlib.suppress(OSError, ssl.SSLError),
            server.context.wrap_socket(connection, server_side=True) as tls,
        ):
            request = _read_head(tls)
            server.queries.append(request.split("\r\n", 1)[0])
            tls.sendall(_answer(request, server.feed))


@contextlib.contextmanager
def vulnerability_feed(
    folder: Path, feed: Mapping[str, list[dict[str, Any]]]
) -> Iterator[tuple[dict[str, str], list[str]]]:
    """The environment variables that send pip-audit to the stand-in, and its query log."""
    authority, certificate, key = make_authority(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    proxy = _Proxy(context, feed)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    port = proxy.server_address[1]
    environment = {
        "HTTPS_PROXY": f"http://127.0.0.1:{port}",
        "https_proxy": f"http://127.0.0.1:{port}",
        "NO_PROXY": "",
        "no_proxy": "",
        "REQUESTS_CA_BUNDLE": str(authority),
    }
    try:
        yield environment, proxy.queries
    finally:
        proxy.shutdown()
        proxy.server_close()
