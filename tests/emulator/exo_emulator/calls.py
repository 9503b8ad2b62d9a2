# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What tests observe through the admin API: every API call made, and every token requested.

Neither log ever holds a secret, an assertion or a token: calls keep the cmdlet parameters (which Exchange
logs too) and token requests only who asked.
"""

import copy
import threading

from exo_emulator import clock


# A long benchmark must not grow the emulator without bound: beyond this many calls the oldest are forgotten
# (``seq`` keeps counting, so a reader can tell).
MAX_CALLS = 100000


class CallLog:
    """Every InvokeCommand call, refused ones included, in arrival order (the latest MAX_CALLS).

    An entry: ``seq``, ``time``, ``tenant`` (the tenant GUID, or the URL segment when no tenant has that name),
    ``app`` (the token's client ID, or None), ``token_tenant`` (the token's ``tid``, or None; a token of another
    tenant is refused, and its call logged with both, so tests can tell whose token each call carried),
    ``cmdlet``, ``parameters``, ``status`` (HTTP), ``write`` (the cmdlet is not a Get-*), ``client_request_id``,
    ``fault`` (an injected fault answered), ``exception`` (the short .NET exception name of an error answer, or
    None) and ``continuation`` (a ``$skiptoken`` page).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []
        self._seq = 0

    def record(self, **entry):
        with self._lock:
            self._seq += 1
            entry = dict(entry, seq=self._seq, time=clock.iso_time())
            self._entries.append(entry)
            if len(self._entries) > MAX_CALLS:
                del self._entries[:len(self._entries) - MAX_CALLS]
            return entry

    def entries(self, tenant=None, cmdlet=None, since=0):
        with self._lock:
            found = [entry for entry in self._entries if entry['seq'] > since]
        if tenant:
            found = [entry for entry in found if str(entry.get('tenant')).lower() == tenant.lower()]
        if cmdlet:
            found = [entry for entry in found if str(entry.get('cmdlet')).lower() == cmdlet.lower()]
        return copy.deepcopy(found)

    def clear(self):
        with self._lock:
            cleared = len(self._entries)
            self._entries = []
            return cleared


class TokenRequestLog:
    """How many token requests each (tenant, client_id) made: ``count`` all of them, ``issued`` the granted ones."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = {}

    def record(self, tenant, client_id, issued):
        with self._lock:
            entry = self._counts.setdefault((tenant, client_id), {'tenant': tenant, 'client_id': client_id, 'count': 0, 'issued': 0})
            entry['count'] += 1
            if issued:
                entry['issued'] += 1

    def summary(self):
        with self._lock:
            tokens = [dict(entry) for entry in self._counts.values()]
        return {'tokens': tokens, 'total': sum(entry['count'] for entry in tokens)}

    def clear(self):
        with self._lock:
            self._counts = {}
