# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTPS server: one port for login, the admin API, Graph and the emulator's admin API, routed by path.

The TLS handshake runs in the connection's own thread (not in the accept loop), so one slow or broken client
cannot stall the others. Connections are kept alive (HTTP/1.1) as the real front door does.
"""

import re
import socket
import ssl
import sys
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from exo_emulator.web import Answer, Request

MAX_BODY = 16 * 1024 * 1024
_HOST_HEADER = re.compile(r'^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$')


class Router:
    """Sends each request to the endpoint its method and path name."""

    def __init__(self, login, api, admin, graph):
        self.login = login
        self.api = api
        self.admin = admin
        self.graph = graph

    def __call__(self, request):
        parts = [part for part in request.path.split('/') if part]
        method = request.method
        if parts[:1] == ['_emulator']:
            return self.admin.handle(request, '/'.join(parts[1:]))
        if len(parts) == 4 and [p.lower() for p in parts[:2]] == ['adminapi', 'beta'] and parts[3].lower() == 'invokecommand':
            return self.api.handle(request, parts[2]) if method == 'POST' else _not_allowed()
        if [p.lower() for p in parts] == ['v1.0', 'security', 'runhuntingquery']:
            return self.graph.run_hunting_query(request) if method == 'POST' else _not_allowed()
        if len(parts) == 4:
            tail = [p.lower() for p in parts[1:]]
            if tail == ['v2.0', '.well-known', 'openid-configuration']:
                return self.login.openid_configuration(request, parts[0]) if method == 'GET' else _not_allowed()
            if tail == ['discovery', 'v2.0', 'keys']:
                return self.login.keys(request, parts[0]) if method == 'GET' else _not_allowed()
            if tail == ['oauth2', 'v2.0', 'token']:
                return self.login.token(request, parts[0]) if method == 'POST' else _not_allowed()
        return Answer.json(404, {'error': {'code': 'NotFound', 'message': 'No endpoint at %s' % request.path}})


def _not_allowed():
    return Answer.json(405, {'error': {'code': 'MethodNotAllowed', 'message': 'The method is not allowed for this endpoint.'}})


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'Microsoft-HTTPAPI/2.0'
    # Idle keep-alive connections are closed after this many seconds.
    timeout = 60
    # Buffered writes: status line, headers and body leave in one segment. Unbuffered, the body follows the
    # headers in a second small segment and Nagle plus delayed ACK add ~40 ms to every answer.
    wbufsize = 64 * 1024

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def _dispatch(self):
        try:
            length = int(self.headers.get('Content-Length') or 0)
        except ValueError:
            length = -1
        if self.headers.get('Transfer-Encoding') or not 0 <= length <= MAX_BODY:
            self._write(Answer.json(411, {'error': {'code': 'LengthRequired', 'message': 'Send a Content-Length of at most %d.' % MAX_BODY}}))
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b''
        request = Request(self.command, self.path, self.headers, body, self.client_address[0], self._base_url())
        try:
            answer = self.server.router(request)
        except Exception:  # a bug in an endpoint must answer 500, not kill the connection thread silently
            traceback.print_exc(file=sys.stderr)
            answer = Answer.json(500, {'error': {'code': 'InternalServerError', 'message': 'The emulator failed; see its stderr.'}})
        if answer.drop:
            self.close_connection = True
            return
        self._write(answer)

    def _write(self, answer):
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(answer.body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(answer.body)

    def version_string(self):
        return self.server_version

    def _base_url(self):
        host = self.headers.get('Host', '')
        if not _HOST_HEADER.match(host):
            host = self.server.default_host
        return 'https://' + host

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            sys.stderr.write('%s %s\n' % (self.address_string(), format % args))


class HttpsServer(ThreadingHTTPServer):
    """A threading HTTPS server whose requests go to ``router``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host, port, ssl_context, router, verbose=False):
        self.ssl_context = ssl_context
        self.router = router
        self.verbose = verbose
        family = socket.AF_INET6 if ':' in host else socket.AF_INET
        self.address_family = family
        super().__init__((host, port), _RequestHandler)
        bound_host, bound_port = self.server_address[:2]
        self.default_host = ('[%s]' % bound_host if ':' in bound_host else bound_host) + ':%d' % bound_port

    @property
    def port(self):
        return self.server_address[1]

    def finish_request(self, request, client_address):
        request.settimeout(_RequestHandler.timeout)
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            connection = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(connection, client_address, self)
        except (ConnectionError, TimeoutError, ssl.SSLError):
            pass
        finally:
            try:
                connection.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        # A client that hangs up mid-request is normal for a test server; print only real bugs.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            super().handle_error(request, client_address)


def make_ssl_context(cert_file, key_file):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context
