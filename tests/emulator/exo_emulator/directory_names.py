# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Distinguished names of a tenant's configuration objects, as Exchange Online's directory spells them.

The form follows published Exchange Online objects (live-records.json, Get-HostedConnectionFilterPolicy:
``CN=Default,CN=Hosted Connection Filter,CN=Transport Settings,CN=Configuration,CN=<org>,CN=ConfigurationUnits,
DC=<forest>,DC=prod,DC=outlook,DC=com``). The forest part is the emulator's own, matching the domain controller
named in its not-found errors.
"""

FOREST = 'DC=EXOEMULATOR01,DC=PROD,DC=OUTLOOK,DC=COM'


def _escape(name):
    """RFC 4514 escaping of one RDN value (a comma in a rule name must not split the DN)."""
    escaped = ''.join('\\' + char if char in ',+"\\<>;=' else char for char in name)
    if escaped.startswith(('#', ' ')):
        escaped = '\\' + escaped
    if escaped.endswith(' ') and not escaped.endswith('\\ '):
        escaped = escaped[:-1] + '\\ '
    return escaped


def configuration_object(organization, name, *containers):
    """``CN=<name>,CN=<container>...,CN=Configuration,CN=<organization>,CN=ConfigurationUnits,<forest>``;
    ``containers`` are given innermost first."""
    parts = ['CN=' + _escape(name)] + ['CN=' + container for container in containers]
    parts += ['CN=Configuration', 'CN=' + organization, 'CN=ConfigurationUnits', FOREST]
    return ','.join(parts)
