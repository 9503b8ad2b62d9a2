# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Command line: build the emulator from a scenario, start its servers, announce them in the ready file, and
run until SIGTERM or SIGINT (then stop cleanly and exit 0).

Exit codes: 0 stopped on a signal, 2 bad arguments or scenario, 3 a port could not be opened.
"""

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading

from exo_emulator import ca, calls, faults, paging, server, smtp, state, tokens
from exo_emulator.admin import AdminApi
from exo_emulator.api import InvokeCommandApi
from exo_emulator.catalogue import Catalogue
from exo_emulator.cmdlets.registry import load_handlers
from exo_emulator.graph import GraphApi
from exo_emulator.login import LoginService
from exo_emulator.mailflow import FrontDoor
from exo_emulator.scenario import ScenarioError, load_scenario

SMTP_HOSTNAME = 'exo-emulator.mail.protection.outlook.com'


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(prog='exo-emulator', description='Exchange Online emulator for tests and the lab.')
    parser.add_argument('--scenario', required=True, help='scenario file (YAML) describing the tenants')
    parser.add_argument('--ready-file', required=True, help='where to write the JSON that says the emulator is ready')
    parser.add_argument('--latency-ms', type=int, default=0, help='sleep this long in every InvokeCommand and Graph call')
    parser.add_argument('--host', default='127.0.0.1', help='address to listen on (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='HTTPS port (default 0: any free port)')
    parser.add_argument('--smtp-port', type=int, default=0, help='SMTP port (default 0: any free port)')
    parser.add_argument('--verbose', action='store_true', help='log every HTTP request line to stderr')
    arguments = parser.parse_args(argv)
    if arguments.latency_ms < 0:
        parser.error('--latency-ms must be >= 0')
    return arguments


class Emulator:
    """All the parts of one running emulator; :meth:`start` opens the ports, :meth:`stop` closes them."""

    def __init__(self, scenario, host='127.0.0.1', port=0, smtp_port=0, latency_ms=0, verbose=False):
        load_handlers()
        self.catalogue = Catalogue.load()
        self.scenario = scenario
        self.directory = state.Directory(scenario, self.catalogue)
        self.work_dir = tempfile.mkdtemp(prefix='exo-emulator-')
        try:
            self._build(host, port, smtp_port, latency_ms, verbose)
        except BaseException:
            shutil.rmtree(self.work_dir, ignore_errors=True)
            raise
        self.host = host
        self._threads = []

    def _build(self, host, port, smtp_port, latency_ms, verbose):
        self.certificates = ca.ServerCertificates(self.work_dir, [host, SMTP_HOSTNAME, '*.mail.protection.outlook.com'])
        self.authority = tokens.TokenAuthority()
        self.call_log = calls.CallLog()
        self.token_log = calls.TokenRequestLog()
        self.fault_book = faults.FaultBook()
        router = server.Router(
            login=LoginService(self.directory, self.authority, self.token_log, self.fault_book),
            api=InvokeCommandApi(self.directory, self.catalogue, self.authority, self.call_log, self.fault_book,
                                 paging.ContinuationBook(), latency_ms),
            admin=AdminApi(self.directory, self.call_log, self.token_log, self.fault_book, self.ready_info, self.certificates),
            graph=GraphApi(self.authority, latency_ms, self.directory, self.call_log))
        self.https = server.HttpsServer(host, port, server.make_ssl_context(self.certificates.cert_file, self.certificates.key_file),
                                        router, verbose=verbose)
        try:
            starttls = smtp.make_starttls_context(self.certificates.cert_file, self.certificates.key_file, self.certificates.ca_file)
            self.smtp = smtp.SmtpDoor(host, smtp_port, FrontDoor(self.directory, SMTP_HOSTNAME), SMTP_HOSTNAME, starttls)
        except OSError:
            self.https.server_close()
            raise

    def start(self):
        for listener in (self.https, self.smtp):
            thread = threading.Thread(target=listener.serve_forever, kwargs={'poll_interval': 0.2}, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self):
        for listener in (self.https, self.smtp):
            listener.shutdown()
            listener.server_close()
        shutil.rmtree(self.work_dir, ignore_errors=True)

    def ready_info(self):
        """The ready file's document: where everything listens and which credentials the tenants have."""
        host = '[%s]' % self.host if ':' in self.host else self.host
        base = 'https://%s:%d' % (host, self.https.port)
        return {
            'api_url': base, 'login_url': base, 'admin_url': base + '/_emulator/', 'graph_url': base,
            'smtp_host': self.host, 'smtp_port': self.smtp.port, 'ca_file': self.certificates.ca_file, 'pid': os.getpid(),
            'tenants': [{'tenant_id': tenant.tenant_id, 'organization': tenant.organization,
                         'accepted_domains': [name for name, _sub in tenant.accepted_domains()],
                         'apps': [app.ready_entry() for app in tenant.apps]} for tenant in self.directory.tenants],
        }


def write_ready_file(path, document):
    """Write the ready file atomically: readers see no file or a whole one, never a partial one."""
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix='.ready-', dir=directory)
    with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:
        json.dump(document, handle, indent=2)
    os.replace(temporary, path)


def main(argv=None):
    arguments = parse_arguments(argv)
    try:
        scenario = load_scenario(arguments.scenario)
    except ScenarioError as exc:
        sys.stderr.write('exo-emulator: %s\n' % exc)
        return 2
    try:
        emulator = Emulator(scenario, arguments.host, arguments.port, arguments.smtp_port, arguments.latency_ms, arguments.verbose)
    except OSError as exc:
        sys.stderr.write('exo-emulator: cannot listen on %s: %s\n' % (arguments.host, exc))
        return 3
    except ValueError as exc:
        sys.stderr.write('exo-emulator: scenario state: %s\n' % exc)
        return 2
    stopping = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda number, frame: stopping.set())
    emulator.start()
    write_ready_file(arguments.ready_file, emulator.ready_info())
    sys.stderr.write('exo-emulator: ready, API %s, SMTP %s:%d\n' % (emulator.ready_info()['api_url'], arguments.host, emulator.smtp.port))
    while not stopping.wait(1.0):
        pass
    emulator.stop()
    sys.stderr.write('exo-emulator: stopped\n')
    return 0
