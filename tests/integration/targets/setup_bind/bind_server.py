#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A throw-away BIND 9 primary on 127.0.0.1 for tests: one TSIG key allowed to update each zone.

From Python (pytest)::

    with BindServer(['example.test'], records={'example.test': ['@ TXT "hello"']}) as bind:
        bind.port, bind.key_name, bind.key_secret ...

From a shell, through bind.sh (``start_bind`` / ``stop_bind``), which runs::

    bind_server.py start DIR ZONE[=RECORDS_FILE] ...   # prints `export BIND_...=...` lines
    bind_server.py updates DIR                         # how many UPDATE messages named has processed
    bind_server.py serial DIR ZONE                     # the zone's SOA serial as named serves it
    bind_server.py query DIR NAME TYPE                 # the records as JSON: a list of rdata texts

named runs in the foreground (``-g``) with its own directory, recursion and DNSSEC validation off, no pid or session
key file; it logs to DIR/named.log. A second key, known to named but allowed to update nothing, lets tests provoke a
refused update.
"""

from __future__ import annotations

import base64
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import dns.message
import dns.query
import dns.rdatatype

KEY_NAME = 'upd-key'
OTHER_KEY_NAME = 'other-key'
KEY_ALGORITHM = 'hmac-sha256'
NAMED = shutil.which('named') or '/usr/sbin/named'


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 at the time of asking."""
    for attempt in range(50):  # pylint: disable=unused-variable
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(('127.0.0.1', 0))
            port = tcp.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                    udp.bind(('127.0.0.1', port))
            except OSError:
                continue
            return port
    raise RuntimeError('no free port on 127.0.0.1')


def new_secret():
    return base64.b64encode(secrets.token_bytes(32)).decode('ascii')


def zone_file(zone, extra_lines=()):
    lines = [
        '$ORIGIN %s.' % zone,
        '$TTL 300',
        '@ SOA ns1.%s. hostmaster.%s. 1 3600 600 86400 300' % (zone, zone),
        '@ NS ns1',
        'ns1 A 127.0.0.1',
    ]
    return '\n'.join(lines + list(extra_lines)) + '\n'


class BindServer:
    """One named process serving ``zones``; ``records`` maps a zone to extra zone-file lines."""

    def __init__(self, zones, records=None, directory=None):
        self.zones = list(zones)
        self.records = dict(records or {})
        self.directory = directory or tempfile.mkdtemp(prefix='bind-')
        self.port = None
        self.key_name = KEY_NAME
        self.key_secret = new_secret()
        self.key_algorithm = KEY_ALGORITHM
        self.other_key_name = OTHER_KEY_NAME
        self.other_key_secret = new_secret()
        self.process = None

    @property
    def log_path(self):
        return os.path.join(self.directory, 'named.log')

    def _config(self):
        keys = ''.join('key "%s" { algorithm %s; secret "%s"; };\n' % (name, KEY_ALGORITHM, secret)
                       for name, secret in ((self.key_name, self.key_secret),
                                            (self.other_key_name, self.other_key_secret)))
        options = ('options { directory "%s"; listen-on port %d { 127.0.0.1; }; listen-on-v6 { none; };\n'
                   '  recursion no; dnssec-validation no; pid-file none; session-keyfile none;\n'
                   '  notify no; allow-transfer { none; }; };\ncontrols { };\n' % (self.directory, self.port))
        zones = ''.join('zone "%s" { type primary; file "%s/%s.db"; allow-update { key "%s"; }; };\n'
                        % (zone, self.directory, zone, self.key_name) for zone in self.zones)
        return keys + options + zones

    def _write_files(self):
        for zone in self.zones:
            with open(os.path.join(self.directory, zone + '.db'), 'w') as handle:
                handle.write(zone_file(zone, self.records.get(zone, ())))
        with open(os.path.join(self.directory, 'named.conf'), 'w') as handle:
            handle.write(self._config())
        # named drops privileges to its own user even when started as root; it writes journals here.
        if os.geteuid() == 0:
            try:
                bind_user = pwd.getpwnam('bind')
            except KeyError:
                bind_user = None
            if bind_user is not None:
                for path in [self.directory] + [os.path.join(self.directory, name) for name in os.listdir(self.directory)]:
                    os.chown(path, bind_user.pw_uid, bind_user.pw_gid)
        os.chmod(self.directory, 0o777)

    def start(self, timeout=20):
        """Start named, wait until it answers for every zone; retries on another port if the port was taken."""
        for attempt in range(5):  # pylint: disable=unused-variable
            self.port = free_port()
            self._write_files()
            command = [NAMED, '-g', '-c', os.path.join(self.directory, 'named.conf')]
            if os.geteuid() == 0:
                command += ['-u', 'bind']
            log = open(self.log_path, 'ab')
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
            log.close()
            if self._wait_ready(timeout):
                return self
            self.stop(remove=False)
        with open(self.log_path) as handle:
            raise RuntimeError('named did not start:\n' + handle.read()[-4000:])

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if all(self.serial(zone) is not None for zone in self.zones):
                    return True
            except (OSError, dns.exception.DNSException):
                pass
            time.sleep(0.05)
        return False

    def query(self, name, rdtype):
        """The answer section of an authoritative query, as a list of RRsets."""
        request = dns.message.make_query(name, rdtype)
        return dns.query.udp_with_fallback(request, '127.0.0.1', port=self.port, timeout=1)[0].answer

    def serial(self, zone):
        for rrset in self.query(zone, dns.rdatatype.SOA):
            for rdata in rrset:
                return rdata.serial
        return None

    def updates(self):
        """How many UPDATE messages named has answered so far (it logs one line per update request)."""
        try:
            with open(self.log_path, errors='replace') as handle:
                text = handle.read()
        except OSError:
            return 0
        return len(re.findall(r'signer "[^"]*" approved|update \'[^\']*\' denied|request has invalid signature', text))

    def stop(self, remove=True):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if remove:
            shutil.rmtree(self.directory, ignore_errors=True)

    def environment(self):
        return {
            'BIND_SERVER': '127.0.0.1',
            'BIND_PORT': str(self.port),
            'BIND_KEY_NAME': self.key_name,
            'BIND_KEY_SECRET': self.key_secret,
            'BIND_KEY_ALGORITHM': self.key_algorithm,
            'BIND_OTHER_KEY_NAME': self.other_key_name,
            'BIND_OTHER_KEY_SECRET': self.other_key_secret,
            'BIND_DIR': self.directory,
            'BIND_PID': str(self.process.pid),
        }

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def _start(directory, zone_args):
    zones, records = [], {}
    for arg in zone_args:
        zone, records_file = arg.split('=', 1) if '=' in arg else (arg, '')
        zones.append(zone)
        if records_file:
            with open(records_file) as handle:
                records[zone] = handle.read().splitlines()
    server = BindServer(zones, records, directory=directory).start()
    # The process outlives this script: bind.sh stops it with BIND_PID.
    server.process = type('Detached', (), {'pid': server.process.pid})()
    for name, value in sorted(server.environment().items()):
        print('export %s=%s' % (name, value))


def _attach(directory):
    server = BindServer([], directory=directory)
    with open(os.path.join(directory, 'named.conf')) as handle:
        server.port = int(re.search(r'listen-on port (\d+)', handle.read()).group(1))
    return server


def main(argv):
    if len(argv) >= 3 and argv[0] == 'start':
        _start(argv[1], argv[2:])
    elif len(argv) == 2 and argv[0] == 'updates':
        print(_attach(argv[1]).updates())
    elif len(argv) == 3 and argv[0] == 'serial':
        print(_attach(argv[1]).serial(argv[2]))
    elif len(argv) == 4 and argv[0] == 'query':
        print(json.dumps([rdata.to_text() for rrset in _attach(argv[1]).query(argv[2], argv[3])
                          if rrset.rdtype == dns.rdatatype.from_text(argv[3]) for rdata in rrset]))
    else:
        sys.exit('usage: bind_server.py start DIR ZONE[=RECORDS_FILE]... | updates DIR | serial DIR ZONE | '
                 'query DIR NAME TYPE')


if __name__ == '__main__':
    main(sys.argv[1:])
