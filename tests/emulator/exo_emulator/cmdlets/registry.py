# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The registry of cmdlet handlers, keyed by cmdlet name.

A handler is a function ``handler(context, parameters) -> CmdletResult`` registered with ``@handles('Verb-Noun')``
in any module of this package (modules are found by :func:`load_handlers`, so a new cmdlet is one new
function, or one new module, and nothing else). By the time it runs, ``parameters`` has been bound against
cmdlets.json (documented spelling, converted values, common parameters included), the caller's role allows the
cmdlet, and the API holds ``context.tenant.lock``. It returns records as Get-* returns them (the API pages them
and applies ``ResultSize``) or raises :class:`~exo_emulator.errors.CmdletError`.
"""

import importlib
import pkgutil

_HANDLERS = {}


class CmdletResult:
    """What a cmdlet produced: ``records`` (list of dicts, Get-* shape) and ``warnings`` (Exchange's warning lines)."""

    def __init__(self, records=None, warnings=None):
        self.records = list(records or [])
        self.warnings = list(warnings or [])


class CmdletContext:
    """What a handler may use: ``tenant`` (TenantState), ``app`` (the caller's AppRegistration), ``cmdlet``
    (the CmdletSpec being run) and ``base_url`` (scheme and host the client addressed, for links handed back)."""

    def __init__(self, tenant, app, cmdlet, base_url=None):
        self.tenant = tenant
        self.app = app
        self.cmdlet = cmdlet
        self.base_url = base_url


class Handler:
    """A registered handler: ``name``, ``run`` and ``record_type`` (the .NET type of its records, for CLIXML)."""

    def __init__(self, name, run, record_type=None):
        self.name = name
        self.run = run
        self.record_type = record_type


def handles(name, record_type=None):
    """Register the decorated function as the handler of cmdlet ``name``."""
    def register(function):
        key = name.lower()
        if key in _HANDLERS:
            raise RuntimeError('two handlers for %s' % name)
        _HANDLERS[key] = Handler(name, function, record_type)
        return function
    return register


def handler_for(name):
    """The handler of a cmdlet (any case), or None when the emulator does not emulate it."""
    return _HANDLERS.get(str(name).lower())


def emulated_cmdlets():
    return sorted(handler.name for handler in _HANDLERS.values())


def load_handlers():
    """Import every module of this package so that their ``@handles`` run."""
    package = importlib.import_module(__name__.rsplit('.', 1)[0])
    for module in pkgutil.iter_modules(package.__path__):
        if module.name not in ('registry', 'common'):
            importlib.import_module('%s.%s' % (package.__name__, module.name))
