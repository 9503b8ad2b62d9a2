# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Paging of Get-* results: ``ResultSize``, ``Prefer: odata.maxpagesize`` and ``$skiptoken`` continuations.

The rules the emulator follows (rest-protocol.md "Paging", graph2otel's measurements):

- ``ResultSize`` caps what the cmdlet returns at all: absent means Exchange's default of 1000, ``Unlimited``
  means no cap. Records beyond the cap are never served.
- The served records are cut into pages of ``odata.maxpagesize`` (default 1000). A page with more after it
  carries ``@odata.nextLink``; the client re-POSTs the same body to it. A continuation lives 30 minutes.
- The warning "There are more results available ..." is added to a page when results exist beyond it and the
  caller did not ask for them all (``ResultSize`` absent, or a number smaller than the total). With
  ``ResultSize: Unlimited`` a client that follows nextLink gets everything and sees no warning.
"""

import re
import secrets
import threading
import time

DEFAULT_RESULT_SIZE = 1000
DEFAULT_PAGE_SIZE = 1000
CONTINUATION_LIFETIME = 30 * 60
_MAX_CONTINUATIONS = 10000
_MAX_PAGE_SIZE = re.compile(r'odata\.maxpagesize\s*=\s*(\d+)', re.IGNORECASE)


def page_size_from(prefer_header):
    """The page size a ``Prefer`` header asks for, or None."""
    match = _MAX_PAGE_SIZE.search(prefer_header or '')
    if match and int(match.group(1)) > 0:
        return int(match.group(1))
    return None


class Listing:
    """One Get-* answer being paged: the records served and whether the caller asked for them all."""

    def __init__(self, records, result_size):
        limit = None if result_size == 'Unlimited' else (DEFAULT_RESULT_SIZE if result_size is None else result_size)
        self.total = len(records)
        self.records = list(records) if limit is None else list(records[:limit])
        self.asked_for_all = result_size is not None and (limit is None or limit >= self.total)

    def page(self, offset, page_size):
        """``(records, more_served, warn)`` for the page starting at ``offset``."""
        chunk = self.records[offset:offset + page_size]
        last = offset + len(chunk)
        more_served = last < len(self.records)
        more_exist = last < self.total
        return chunk, more_served, more_exist and not self.asked_for_all


class Continuation:
    def __init__(self, tenant_id, request_key, listing, offset, page_size):
        self.tenant_id = tenant_id
        self.request_key = request_key
        self.listing = listing
        self.offset = offset
        self.page_size = page_size
        self.expires = time.monotonic() + CONTINUATION_LIFETIME


class ContinuationBook:
    """Open ``$skiptoken`` continuations. A token stays valid until it expires, so a client may retry a page."""

    def __init__(self):
        self._lock = threading.Lock()
        self._open = {}

    def open(self, tenant_id, request_key, listing, offset, page_size):
        token = secrets.token_urlsafe(24)
        now = time.monotonic()
        with self._lock:
            if len(self._open) >= _MAX_CONTINUATIONS:
                self._open = {key: value for key, value in self._open.items() if value.expires > now}
            self._open[token] = Continuation(tenant_id, request_key, listing, offset, page_size)
        return token

    def find(self, token, tenant_id, request_key):
        """The continuation a token names for this tenant and request, or None (unknown, expired, other request)."""
        with self._lock:
            continuation = self._open.get(token)
            if continuation is None:
                return None
            if continuation.expires <= time.monotonic():
                del self._open[token]
                return None
        if continuation.tenant_id != tenant_id or continuation.request_key != request_key:
            return None
        return continuation
