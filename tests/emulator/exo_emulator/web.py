# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What an endpoint sees of an HTTP request, and what it answers.

Endpoints (login, API, admin, Graph) take a :class:`Request` and return an :class:`Answer`; only ``server``
touches sockets. That keeps each endpoint a plain function of its input.
"""

import json
import urllib.parse

JSON = 'application/json; charset=utf-8'
ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8'


class Request:
    """One HTTP request: ``method``, ``path`` (decoded, without query), ``query`` (name -> first value),
    ``headers`` (case-insensitive ``get``), ``body`` (bytes), ``client_ip`` and ``base_url`` (scheme and
    host as the client addressed us, for links we hand back)."""

    def __init__(self, method, target, headers, body, client_ip, base_url):
        parsed = urllib.parse.urlsplit(target)
        self.method = method
        self.path = urllib.parse.unquote(parsed.path)
        self.query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        self.headers = headers
        self.body = body
        self.client_ip = client_ip
        self.base_url = base_url

    def header(self, name, default=None):
        value = self.headers.get(name)
        return default if value is None else value

    def json(self):
        """The body as JSON; raises ValueError when it is not."""
        return json.loads(self.body.decode('utf-8')) if self.body else None

    def form(self):
        """The body as an ``application/x-www-form-urlencoded`` form (name -> first value)."""
        return dict(urllib.parse.parse_qsl(self.body.decode('utf-8', 'replace'), keep_blank_values=True))


class Answer:
    """An HTTP answer. ``drop`` means: close the connection without answering at all."""

    def __init__(self, status, body=b'', content_type=JSON, headers=None, drop=False):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        if body or content_type != JSON:
            self.headers.setdefault('Content-Type', content_type)
        self.drop = drop

    @classmethod
    def json(cls, status, document, headers=None, content_type=JSON):
        return cls(status, json.dumps(document).encode('utf-8'), content_type=content_type, headers=headers)

    @classmethod
    def dropped(cls):
        return cls(0, drop=True)
