# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every transport gives the client: run one cmdlet, get records and warnings back.

Private to this collection; may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class InvokeResult:
    """The outcome of one cmdlet: ``records`` (list of dicts with PowerShell property names, type annotations
    removed) and ``warnings`` (list of str, Exchange's own warning lines)."""

    __slots__ = ('records', 'warnings')

    def __init__(self, records=None, warnings=None):
        self.records = list(records or [])
        self.warnings = list(warnings or [])

    def __repr__(self):
        return 'InvokeResult(records=%r, warnings=%r)' % (self.records, self.warnings)


#: Verbs whose cmdlet makes a new object each time it runs (New-TransportRule, Start-HistoricalSearch): such a call is
#: never sent again once the service may have seen it.
CREATING_VERBS = ('New-', 'Start-')


def creates(cmdlet):
    """Whether running ``cmdlet`` twice could make two objects."""
    return cmdlet.startswith(CREATING_VERBS)


def strip_annotations(record):
    """Drop the ``X@data.type`` / ``X@odata.type`` sidecar keys Exchange puts beside some values."""
    if isinstance(record, dict):
        return dict((key, strip_annotations(value)) for key, value in record.items() if '@' not in key)
    if isinstance(record, list):
        return [strip_annotations(item) for item in record]
    return record


class Transport:
    """A way to run Exchange Online cmdlets. Subclasses implement :meth:`invoke`.

    ``invoke(cmdlet, parameters)`` runs one cmdlet with a dict of typed parameters (bool, int, str, list of str,
    dict for add/remove hashtables) and returns an :class:`InvokeResult`, or raises an error from ``_errors``.
    ``close()`` releases what the transport holds open.
    """

    #: The tenant this transport talks to, used in error messages.
    tenant = None

    def invoke(self, cmdlet, parameters):
        raise NotImplementedError

    def close(self):
        pass
