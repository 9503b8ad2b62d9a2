# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's token authority: it signs the access tokens the login side issues and checks them on the API side.

Tokens are RS256 JWTs signed with a key made at start-up (never written to disk), with the claims of an Entra
v1 app-only token for the resource: ``aud`` (the resource), ``tid``, ``appid``, ``roles``, ``exp``. The public
key is published as JWKS, so a client may verify tokens as it would Entra's.
"""

import base64
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

EXCHANGE_RESOURCE = 'https://outlook.office365.com'
GRAPH_RESOURCE = 'https://graph.microsoft.com'
EXCHANGE_APP_ROLE = 'Exchange.ManageAsApp'
# What an app needs for Graph's runHuntingQuery; consented apps have it unless the scenario's ``graph_roles`` leaves it out.
GRAPH_HUNTING_ROLE = 'ThreatHunting.Read.All'
RESOURCES = (EXCHANGE_RESOURCE, GRAPH_RESOURCE)


class InvalidToken(Exception):
    """A bearer token the API refuses; the message says why (it never contains the token)."""


def _b64url_uint(number):
    raw = number.to_bytes((number.bit_length() + 7) // 8, 'big')
    return base64.urlsafe_b64encode(raw).rstrip(b'=').decode('ascii')


class TokenAuthority:
    """Issues and verifies the emulator's access tokens."""

    def __init__(self):
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key_id = uuid.uuid4().hex

    def jwks(self):
        numbers = self._key.public_key().public_numbers()
        return {'keys': [{'kty': 'RSA', 'use': 'sig', 'alg': 'RS256', 'kid': self.key_id,
                          'n': _b64url_uint(numbers.n), 'e': _b64url_uint(numbers.e)}]}

    def issue(self, tenant_id, app, resource, credential_kind):
        """A signed access token for ``app`` in ``tenant_id`` and its lifetime in seconds.

        ``credential_kind`` is ``secret`` or ``certificate`` (Entra's ``appidacr`` 1 or 2). An app without
        consent (``consented: false``) gets a token without roles, as Entra issues one.
        """
        now = int(time.time())
        roles = []
        if app.consented:
            roles = [EXCHANGE_APP_ROLE] if resource == EXCHANGE_RESOURCE else list(getattr(app, 'graph_roles', [GRAPH_HUNTING_ROLE]))
        claims = {
            'aud': resource, 'iss': 'https://sts.windows.net/%s/' % tenant_id, 'iat': now, 'nbf': now,
            'exp': now + app.token_lifetime, 'appid': app.client_id, 'appidacr': '2' if credential_kind == 'certificate' else '1',
            'idtyp': 'app', 'oid': str(uuid.uuid5(uuid.NAMESPACE_URL, tenant_id + '/' + app.client_id)),
            'sub': str(uuid.uuid5(uuid.NAMESPACE_URL, tenant_id + '/' + app.client_id)), 'tid': tenant_id,
            'ver': '1.0', 'uti': uuid.uuid4().hex,
        }
        if roles:
            claims['roles'] = roles
        token = jwt.encode(claims, self._key, algorithm='RS256', headers={'kid': self.key_id})
        return token, app.token_lifetime

    def verify(self, token):
        """The claims of a token this authority issued and that has not expired; raises InvalidToken."""
        try:
            return jwt.decode(token, self._key.public_key(), algorithms=['RS256'],
                              options={'verify_aud': False, 'require': ['exp', 'aud', 'tid']})
        except jwt.ExpiredSignatureError:
            raise InvalidToken('The access token has expired.')
        except jwt.InvalidSignatureError:
            raise InvalidToken('The access token signature is invalid.')
        except jwt.PyJWTError as exc:
            raise InvalidToken('The access token is malformed or invalid (%s).' % exc.__class__.__name__)
