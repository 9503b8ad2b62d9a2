# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Microsoft Graph stand-in: ``POST /v1.0/security/runHuntingQuery``.

Only the gate exists yet: the token must be the emulator's, for ``https://graph.microsoft.com``. Hunting over the
front door's EmailEvents comes with the SMTP issue; until then a valid call answers 501 in Graph's error shape.
"""

import time
import uuid

from exo_emulator import tokens
from exo_emulator.web import Answer


class GraphApi:
    def __init__(self, authority, latency_ms=0):
        self.authority = authority
        self.latency_ms = latency_ms

    def run_hunting_query(self, request):
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000.0)
        scheme, _sep, token = request.header('Authorization', '').partition(' ')
        try:
            if scheme.lower() != 'bearer':
                raise tokens.InvalidToken('Access token is empty.')
            claims = self.authority.verify(token.strip())
        except tokens.InvalidToken as exc:
            return _graph_error(request, 401, 'InvalidAuthenticationToken', str(exc))
        if claims.get('aud') != tokens.GRAPH_RESOURCE:
            return _graph_error(request, 401, 'InvalidAuthenticationToken', 'Invalid audience.')
        return _graph_error(request, 501, 'NotImplemented', 'The Exchange Online emulator does not run hunting queries yet.')


def _graph_error(request, status, code, message):
    request_id = request.header('client-request-id') or str(uuid.uuid4())
    return Answer.json(status, {'error': {'code': code, 'message': message,
                                          'innerError': {'request-id': request_id, 'client-request-id': request_id}}})
