# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection options every exo_* module takes (documented in the ``connection`` doc fragment).

Private to this collection; may change without notice.

Each option falls back to the environment variable ``EXO_<OPTION>``: that is how AWX credential types inject them,
and how a shell session sets a tenant once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback


_CONNECTION = {
    'tenant_id': {},
    'organization': {},
    'client_id': {},
    'client_secret': {'no_log': True},
    'certificate_path': {'type': 'path'},
    'certificate_password': {'no_log': True},
    'cloud': {'choices': ['commercial', 'gcc', 'gcchigh', 'dod'], 'default': 'commercial'},
    'transport': {'choices': ['rest', 'psrp'], 'default': 'rest'},
    'api_url': {},
    'login_url': {},
    'graph_url': {},
    'ca_path': {'type': 'path'},
    'validate_certs': {'type': 'bool', 'default': True},
    'timeout': {'type': 'int', 'default': 60},
    'retries': {'type': 'int', 'default': 3},
    'token_cache_dir': {'type': 'path'},
    'psrp_server': {},
    'psrp_port': {'type': 'int', 'default': 5986},
    'psrp_username': {},
    'psrp_password': {'no_log': True},
    'psrp_auth': {'choices': ['negotiate', 'kerberos', 'ntlm', 'certificate', 'credssp', 'basic'], 'default': 'negotiate'},
    'psrp_configuration_name': {'default': 'PowerShell.7'},
    'psrp_certificate_thumbprint': {},
}


def connection_argument_spec():
    """A fresh copy of the connection options' argument spec, each with its ``EXO_*`` environment fallback."""
    spec = {}
    for name, extra in _CONNECTION.items():
        extra = dict(extra)
        option_type = extra.pop('type', 'str')
        spec[name] = dict(type=option_type, fallback=(env_fallback, ['EXO_' + name.upper()]), **extra)
    return spec


CONNECTION_OPTIONS = tuple(_CONNECTION)
