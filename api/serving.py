"""How ``gongzhi serve`` stops: no request that reached the server goes unanswered.

On SIGTERM Sanic closes the listening socket (a new connection is refused: the client knows
nothing was sent), then asks every connection to close if idle, waits up to
``GONGZHI_SHUTDOWN_TIMEOUT`` seconds for the rest and aborts what is left. Its own
``close_if_idle`` closes a keep-alive connection at once, so a request the client sent a moment
before (in flight on the wire) meets a reset and is lost; a connection busy at that moment
stays keep-alive, keeps serving, and is aborted mid-request at the timeout.

:class:`GracefulHttpProtocol` replaces that step: from then on every answer carries
``Connection: close`` (the request is served, and the client learns not to send another on
this connection), and a connection is closed only once it has been silent for ``LINGER``
seconds, so a request already on its way still arrives and is answered.
"""

from __future__ import annotations

import signal
import socket
from time import monotonic  # Sanic's clock of connection activity (``_time``)

from sanic.http import Stage
from sanic.server.protocols.http_protocol import HttpProtocol


class GracefulHttpProtocol(HttpProtocol):
    """Sanic's HTTP/1.1 protocol, closing connections without losing a request at shutdown."""

    LINGER = 1.0  # seconds of silence before an idle connection is closed at shutdown
    CHECK_EVERY = 0.05

    def close_if_idle(self) -> bool:
        """Start draining: later answers close their connection; close when silent (returns
        False: Sanic waits for the connection to go, up to its graceful timeout)."""
        if self.transport is None or self.transport.is_closing():
            return True
        self.request_handler = self._last_request
        http = self.http
        if http is not None and http.stage is Stage.HANDLER:
            http.keep_alive = False  # the answer is not written yet: it says close
        self._close_when_silent()
        return False

    async def _last_request(self, request):
        """Serve a request that arrived while draining; its answer closes the connection."""
        request.stream.keep_alive = False
        return await self.app.handle_request(request)

    def _close_when_silent(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        http = self.http
        idle = http is None or (http.stage is Stage.IDLE and not self.recv_buffer)
        if idle and monotonic() - self._time >= self.LINGER:
            self.close()
            return
        self.loop.call_later(self.CHECK_EVERY, self._close_when_silent)


def stop_accepting_first(app) -> None:
    """With several workers the main process holds the listening socket too: on SIGTERM or
    SIGINT shut it before the workers start draining, so a client told to reconnect is
    refused rather than queued on a socket nobody accepts from any more."""

    @app.main_process_ready
    async def install(app, _loop=None) -> None:
        sockets = [info.settings["sock"] for info in app.state.server_info
                   if info.settings.get("sock") is not None]
        manager = app.manager

        def on_signal(signum, frame) -> None:
            for sock in sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            manager.shutdown_signal(signum, frame)

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, on_signal)
