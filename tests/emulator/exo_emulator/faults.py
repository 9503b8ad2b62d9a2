# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Injected faults: what tests use to make the service throttle, fail, hang or hang up.

A fault applies to the next ``count`` calls that match it (by target, tenant, cmdlet, app) and is then used
up. Its effects: ``latency_ms`` (wait first), then ``drop`` (close the connection without an answer), or an
answer with ``status`` and/or ``exception``. A fault with only ``latency_ms`` slows matching calls, which then
run normally. ``lose_response`` lets the call run to the end (a New-* really creates) and then closes the
connection without its answer: the lost answer a client must survive without repeating a create. The first
fault added wins when several match.
"""

import threading
import uuid

TARGETS = ('invoke', 'token')
_FIELDS = {'target', 'tenant', 'cmdlet', 'client_id', 'status', 'retry_after', 'latency_ms', 'drop', 'exception', 'message', 'count',
           'lose_response'}


class FaultError(ValueError):
    """A fault description the admin API refuses."""


class Fault:
    """One injected fault; see the module docstring. ``remaining`` counts the matching calls still to hit."""

    def __init__(self, spec):
        unknown = sorted(set(spec) - _FIELDS)
        if unknown:
            raise FaultError('unknown fault field(s): %s (known: %s)' % (', '.join(unknown), ', '.join(sorted(_FIELDS))))
        self.id = uuid.uuid4().hex[:12]
        self.target = spec.get('target', 'invoke')
        self.tenant = spec.get('tenant')
        self.cmdlet = spec.get('cmdlet')
        self.client_id = spec.get('client_id')
        self.status = spec.get('status')
        self.retry_after = spec.get('retry_after')
        self.latency_ms = spec.get('latency_ms', 0)
        self.drop = spec.get('drop', False)
        self.lose_response = spec.get('lose_response', False)
        self.exception = spec.get('exception')
        self.message = spec.get('message')
        self.remaining = spec.get('count', 1)
        self.applied = 0
        self._check()
        if self.status is None and self.exception:
            self.status = 500
        if self.status == 429 and self.retry_after is None:
            self.retry_after = 1

    def _check(self):
        if self.target not in TARGETS:
            raise FaultError('target must be one of %s' % ', '.join(TARGETS))
        for name in ('tenant', 'cmdlet', 'client_id', 'exception', 'message'):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise FaultError('%s must be a string' % name)
        if self.status is not None and (isinstance(self.status, bool) or not isinstance(self.status, int) or not 400 <= self.status <= 599):
            raise FaultError('status must be an HTTP error status (400-599)')
        if self.retry_after is not None and (isinstance(self.retry_after, bool) or not isinstance(self.retry_after, (int, float))
                                             or self.retry_after < 0):
            raise FaultError('retry_after must be a number of seconds >= 0')
        if isinstance(self.latency_ms, bool) or not isinstance(self.latency_ms, int) or not 0 <= self.latency_ms <= 600000:
            raise FaultError('latency_ms must be a whole number of milliseconds (0-600000)')
        if not isinstance(self.drop, bool) or not isinstance(self.lose_response, bool):
            raise FaultError('drop and lose_response must be true or false')
        if self.lose_response and (self.drop or self.status or self.exception or self.target != 'invoke'):
            raise FaultError('lose_response runs an InvokeCommand call and loses its answer: it is for target invoke, without drop, '
                             'status or exception')
        if isinstance(self.remaining, bool) or not isinstance(self.remaining, int) or self.remaining < 1:
            raise FaultError('count must be a whole number >= 1')
        if not (self.status or self.exception or self.drop or self.latency_ms or self.lose_response):
            raise FaultError('a fault needs at least one of status, exception, drop, lose_response, latency_ms')

    @property
    def answers(self):
        """Whether the fault answers the call itself (rather than only delaying it or losing its answer)."""
        return bool(self.drop or self.status)

    def matches(self, target, tenant_names, cmdlet, client_id):
        if self.target != target or self.remaining < 1:
            return False
        if self.tenant and self.tenant.lower() not in tenant_names:
            return False
        if self.cmdlet and (cmdlet or '').lower() != self.cmdlet.lower():
            return False
        if self.client_id and (client_id or '').lower() != self.client_id.lower():
            return False
        return True

    def describe(self):
        return {'id': self.id, 'target': self.target, 'tenant': self.tenant, 'cmdlet': self.cmdlet, 'client_id': self.client_id,
                'status': self.status, 'retry_after': self.retry_after, 'latency_ms': self.latency_ms, 'drop': self.drop,
                'lose_response': self.lose_response, 'exception': self.exception, 'message': self.message, 'remaining': self.remaining,
                'applied': self.applied}


class FaultBook:
    """The faults in force."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def add(self, spec):
        if not isinstance(spec, dict):
            raise FaultError('a fault is a JSON object')
        fault = Fault(spec)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, target, tenant_names=(), cmdlet=None, client_id=None):
        """The first fault matching this call, with one use consumed, or None."""
        names = {str(name).lower() for name in tenant_names}
        with self._lock:
            for fault in self._faults:
                if fault.matches(target, names, cmdlet, client_id):
                    fault.remaining -= 1
                    fault.applied += 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def describe(self):
        with self._lock:
            return [fault.describe() for fault in self._faults]

    def remove(self, fault_id=None):
        """Remove one fault (by id) or all; returns how many were removed."""
        with self._lock:
            before = len(self._faults)
            self._faults = [fault for fault in self._faults if fault_id is not None and fault.id != fault_id]
            return before - len(self._faults)
