# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: snapshot_options
short_description: Module options from a record as Exchange returns it (a snapshot), for restoring it
version_added: 0.1.0
description:
  - Each option is the snake_case of an Exchange property (C(restrict_domains_to_ip_addresses) for
    C(RestrictDomainsToIPAddresses), C(ip_allow_list) for C(IPAllowList)); this filter finds each option's property in
    the record, without regard to case, and returns the options with the record's values.
  - Options the record does not have are left out, so a module leaves those settings as they are.
author:
  - exoguard.mailflow contributors (@exoguard)
positional: options
options:
  _input:
    description: A record as Get-* returns it, for example from an exo_config_info snapshot.
    type: dict
    required: true
  options:
    description: The module options wanted.
    type: list
    elements: str
    required: true
'''

EXAMPLES = r'''
- name: Put the connector back as the snapshot had it
  exoguard.mailflow.exo_inbound_connector: >-
    {{ {'name': connector.Name} | combine(connector | exoguard.mailflow.snapshot_options(
         ['sender_domains', 'sender_ip_addresses', 'restrict_domains_to_ip_addresses', 'enabled'])) }}
'''

RETURN = r'''
_value:
  description: Option name to the record's value, for the options the record has.
  type: dict
'''

from ansible.errors import AnsibleFilterError


def snapshot_options(record, options):
    if not isinstance(record, dict):
        raise AnsibleFilterError('snapshot_options needs a record (a dict), not %s' % type(record).__name__)
    by_key = dict((key.lower(), key) for key in record if '@' not in key)
    found = {}
    for option in options:
        key = by_key.get(str(option).replace('_', '').lower())
        if key is not None:
            found[option] = record[key]
    return found


class FilterModule(object):

    def filters(self):
        return {'snapshot_options': snapshot_options}
