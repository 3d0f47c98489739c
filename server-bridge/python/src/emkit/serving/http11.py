"""A small HTTP/1.1 server on asyncio, for the worker's one job: answering JSON requests fast.

The gateway keeps connections to the worker's socket open and sends request after
request on them, so what counts is the cost per request: http.server spends a thread and
buffered files per connection, asyncio streams a few coroutine switches per request.
This protocol parses straight from the bytes it is handed and answers in the same
callback.

It speaks what the gateway speaks: Content-Length bodies, keep-alive (HTTP/1.1's default;
``Connection: close`` is honoured), pipelined requests answered in order. A chunked body
is refused (411) and a body over the limit is refused from its Content-Length, unread
(413): both end the connection, since nothing would tell where the next request starts.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

MAX_HEAD = 65536  # request line and headers; the gateway's are a few hundred bytes
LINGER = 1.0  # seconds a refused connection stays half-open, so the client reads its answer

REASONS = {
    100: "Continue",
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Content Too Large",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    505: "HTTP Version Not Supported",
}
STATUS_LINES = {code: f"HTTP/1.1 {code} {reason}\r\n".encode("ascii") for code, reason in REASONS.items()}
CLOSE = b"Connection: close\r\n"
KEEP_ALIVE = b"Connection: keep-alive\r\n"  # said only to HTTP/1.0 clients, whose default is to close
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_date = [-1, b""]  # [the second it was made for, the Date header line]


def date_header() -> bytes:
    """The Date header line, made at most once a second (and not by locale-dependent strftime)."""
    now = int(time.time())
    if now != _date[0]:
        t = time.gmtime(now)
        day, month = _DAYS[t.tm_wday], _MONTHS[t.tm_mon - 1]
        text = f"Date: {day}, {t.tm_mday:02d} {month} {t.tm_year} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT\r\n"
        _date[0], _date[1] = now, text.encode("ascii")
    return _date[1]


def error_body(code: str, message: str) -> bytes:
    """The worker's error document: ``{"error": {"code": ..., "message": ...}}``."""
    return json.dumps({"error": {"code": code, "message": message}}).encode("utf-8")


class Server:
    """What the connections share: the handler, the body limit and the shutdown.

    ``handler(method, target, body)`` returns ``(status, json_body, extra_header_lines)``;
    it runs inline, so while it runs nothing else does (predictions are CPU-bound anyway).
    """

    def __init__(self, handler, max_body_bytes: int):
        self.handler = handler
        self.max_body = max_body_bytes
        # Stop reading a connection past this much unprocessed input (a client pipelining
        # faster than we answer); one whole request always fits, so it can't deadlock.
        self.read_limit = max_body_bytes + MAX_HEAD + 65536
        self.loop = asyncio.get_running_loop()
        self.connections: set = set()
        self.draining = False
        self._all_closed: asyncio.Event | None = None

    def connection(self) -> Connection:
        """The protocol factory for ``loop.create_server``."""
        return Connection(self)

    async def drain(self, grace: float) -> None:
        """Read no new requests: idle connections close now, busy ones once their requests
        are answered; whatever is left after ``grace`` seconds is cut."""
        self.draining = True
        self._all_closed = asyncio.Event()
        for connection in list(self.connections):
            connection.drain()
        if not self.connections:
            return
        try:
            await asyncio.wait_for(self._all_closed.wait(), grace)
        except asyncio.TimeoutError:
            for connection in list(self.connections):
                connection.transport.abort()

    def forget(self, connection: Connection) -> None:
        self.connections.discard(connection)
        if self._all_closed is not None and not self.connections:
            self._all_closed.set()


class Connection(asyncio.Protocol):
    """One client connection: requests are parsed from ``buffer`` and answered in order."""

    transport: asyncio.Transport  # from connection_made(), which asyncio calls first

    def __init__(self, server: Server):
        self.server = server
        self.buffer = bytearray()
        self.pending: tuple | None = None  # the parsed head of a request whose body is still arriving
        self.continued = False  # "100 Continue" was sent for the pending request
        self.scheduled = False  # a process() is queued on the loop
        self.writable = True  # False while the transport's write buffer is over its high-water mark
        self.reading = True
        self.done = False  # answered its last request: what still arrives is discarded
        self.eof = False  # the client won't send more

    # --- asyncio callbacks ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)  # a stream's (TCP or Unix socket)
        self.transport = transport
        self.server.connections.add(self)

    def connection_lost(self, exc) -> None:
        self.done = True
        self.server.forget(self)

    def data_received(self, data: bytes) -> None:
        if self.done:
            return
        self.buffer += data
        if not self.scheduled and self.writable:
            self.process()
        if self.reading and not self.done and len(self.buffer) > self.server.read_limit:
            self.reading = False
            self.transport.pause_reading()

    def eof_received(self) -> bool:
        self.eof = True
        if self.done:
            return False  # lingering after a refusal: the client has read it, close now
        if not self.scheduled and self.writable:
            self.process()
        return True  # keep the write side open: process() closes once the answers are out

    def pause_writing(self) -> None:
        self.writable = False

    def resume_writing(self) -> None:
        self.writable = True
        if not self.scheduled and not self.done:
            self.schedule()

    # --- requests ---------------------------------------------------------------------------

    def schedule(self) -> None:
        self.scheduled = True
        self.server.loop.call_soon(self.process)

    def process(self) -> None:
        """Answer the next complete request, if there is one; more pipelined ones are left
        to later turns of the loop, so that other connections (and signals) get theirs."""
        self.scheduled = False
        if self.done or not self.writable:
            return
        request = self.parse()
        if request is None:  # not all there yet, or refused
            if not self.done:
                if self.eof or (self.server.draining and not self.buffer and self.pending is None):
                    self.close()
                else:
                    self.read_more()
            return
        method, target, body, keep_alive, http10 = request
        try:
            status, payload, headers = self.server.handler(method, target, body)
        except Exception:  # a bug of ours: say so, and keep serving
            import traceback

            traceback.print_exc(file=sys.stderr)
            status, payload, headers = 500, error_body("internal", "the worker failed to answer; see its log"), b""
        if keep_alive and not self.buffer and (self.eof or self.server.draining):
            keep_alive = False  # the last answer before closing says so
        self.respond(status, payload, headers, keep_alive, http10)
        if not keep_alive:
            self.end()
        elif self.buffer:
            self.schedule()
        else:
            self.read_more()

    def parse(self):
        """The next whole request as ``(method, target, body, keep_alive, http10)``, or None."""
        buffer = self.buffer
        head = self.pending
        if head is None:
            while buffer[:2] == b"\r\n":  # blank lines before a request line are allowed
                del buffer[:2]
            end = buffer.find(b"\r\n\r\n")
            if end < 0 or end > MAX_HEAD:
                if end > MAX_HEAD or len(buffer) > MAX_HEAD:
                    self.refuse(431, "headers_too_large", f"the request line and headers are over {MAX_HEAD} bytes")
                return None
            head = self.parse_head(buffer[:end].decode("latin-1"))
            if head is None:
                return None
            del buffer[: end + 4]
            self.pending = head
        method, target, length, keep_alive, expect, http10 = head
        if len(buffer) < length:
            if expect and not self.continued:
                self.continued = True
                self.transport.write(CONTINUE)
            return None
        self.pending = None
        self.continued = False
        if length:
            body = bytes(buffer[:length])
            del buffer[:length]
        else:
            body = b""
        return method, target, body, keep_alive, http10

    def parse_head(self, text: str):
        """``(method, target, length, keep_alive, expect_continue, http10)``, or None once refused."""
        lines = text.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[0] or not parts[1]:
            return self.refuse(400, "bad_request", f"malformed request line {lines[0][:100]!r}")
        method, target, version = parts
        if version == "HTTP/1.1":
            keep_alive, http10 = True, False
        elif version == "HTTP/1.0":
            keep_alive, http10 = False, True
        elif version.startswith("HTTP/"):
            return self.refuse(505, "http_version_not_supported", f"{version[:20]} isn't supported: use HTTP/1.1")
        else:
            return self.refuse(400, "bad_request", f"malformed request line {lines[0][:100]!r}")
        length = None
        chunked = expect = close = False
        for index in range(1, len(lines)):
            line = lines[index]
            name, colon, value = line.partition(":")
            if not colon or not name or name[0] in " \t" or name[-1] in " \t":
                return self.refuse(400, "bad_request", f"malformed header line {line[:100]!r}")
            name = name.lower()
            if name == "content-length":
                value = value.strip()
                if not (value.isdigit() and value.isascii()):
                    return self.refuse(400, "bad_request", f"invalid Content-Length {value[:40]!r}")
                if length is not None and int(value) != length:
                    return self.refuse(400, "bad_request", "conflicting Content-Length headers")
                length = int(value)
            elif name == "transfer-encoding":
                chunked = True
            elif name == "connection":
                for token in value.lower().split(","):
                    token = token.strip()
                    if token == "close":
                        close = True
                    elif token == "keep-alive":
                        keep_alive = True
            elif name == "expect":
                expect = value.strip().lower() == "100-continue"
        if chunked:
            return self.refuse(
                411,
                "length_required",
                "chunked (Transfer-Encoding) request bodies aren't supported: send a Content-Length",
            )
        if length is None:
            length = 0
        elif length > self.server.max_body:
            return self.refuse(
                413,
                "payload_too_large",
                f"the body is {length} bytes; this worker takes at most {self.server.max_body} (--max-body-bytes)",
            )
        return method, target, length, keep_alive and not close, expect, http10

    # --- answers ----------------------------------------------------------------------------

    def respond(self, status: int, body: bytes, headers: bytes, keep_alive: bool, http10: bool) -> None:
        line = STATUS_LINES.get(status) or f"HTTP/1.1 {status} Unknown\r\n".encode("ascii")
        connection = (KEEP_ALIVE if http10 else b"") if keep_alive else CLOSE
        head = b"%s%sContent-Type: application/json\r\nContent-Length: %d\r\n%s%s\r\n" % (
            line,
            date_header(),
            len(body),
            connection,
            headers,
        )
        if len(body) < 65536:
            self.transport.write(head + body)  # one send
        else:
            self.transport.write(head)
            self.transport.write(body)

    def refuse(self, status: int, code: str, message: str) -> None:
        """Answer a request whose framing can't be trusted, and end the connection."""
        self.respond(status, error_body(code, message), b"", False, False)
        self.end()

    def end(self) -> None:
        """Close after the last answer. Half-close first and discard what still arrives:
        closing with unread input resets the connection, and the client could lose the
        answer; the client's own close (or LINGER seconds) ends it."""
        if self.done:
            return
        self.done = True
        self.buffer.clear()
        self.pending = None
        self.read_more()
        if self.eof or not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.server.loop.call_later(LINGER, self.transport.close)

    def close(self) -> None:
        """Close between requests: nothing unread to worry about."""
        self.done = True
        self.transport.close()

    def read_more(self) -> None:
        if not self.reading and len(self.buffer) <= self.server.read_limit:
            self.reading = True
            self.transport.resume_reading()

    def drain(self) -> None:
        """The server is stopping: close now unless a request is under way."""
        if self.done or (not self.buffer and self.pending is None and not self.scheduled):
            self.close()
