#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: exo_org_config
short_description: Manage Exchange Online organization settings, such as RejectDirectSend
version_added: 0.1.0
description:
  - Reads C(Get-OrganizationConfig), compares the settings you give with what the tenant has, and calls
    C(Set-OrganizationConfig) with only the settings that differ. Settings you do not give are left as they are.
  - O(reject_direct_send=true) B(blocks) Direct Send. Exchange's naming is inverted, C(RejectDirectSend) C(true)
    means anonymous mail that claims one of your accepted domains as its envelope sender, and that does not arrive
    through an inbound connector keyed on the sender's IP address or certificate, is refused with
    C(550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources).
  - Before you turn it on, inventory everything that sends as your domains straight to
    C(<tenant>.mail.protection.outlook.com) without a connector; each one stops working. Typically multifunction
    printers and scanners, line-of-business applications, on-premises relays, and SaaS services that send as your
    domain. Each is listed in your SPF record or seen in message trace. Route them through your mail gateway, or
    create a Partner inbound connector for their IP addresses or certificate, first. The C(centralized_mailflow) role's
    preflight lists the candidates from SPF.
  - Exchange can take up to 30 minutes to apply a change; the module reports the stored value at once.
author:
  - exoguard.mailflow contributors (@exoguard)
extends_documentation_fragment:
  - exoguard.mailflow.connection
  - exoguard.mailflow.attributes
  - exoguard.mailflow.attributes.ACTIONGROUP_EXO
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  reject_direct_send:
    description:
      - Whether Direct Send is B(blocked) (C(Set-OrganizationConfig -RejectDirectSend)).
      - V(true) refuses anonymous mail whose envelope sender is one of your accepted domains unless it matches an
        inbound connector keyed on IP address or certificate. V(false) (Exchange's default) accepts it.
      - Not given, the setting is left as it is.
    type: bool
requirements:
  - msal (with O(transport=rest))
  - pypsrp (with O(transport=psrp))
seealso:
  - name: Introducing more control over Direct Send in Exchange Online
    description: Microsoft's announcement of RejectDirectSend.
    link: https://techcommunity.microsoft.com/blog/exchange/introducing-more-control-over-direct-send-in-exchange-online/4408790
  - name: Set-OrganizationConfig
    description: The cmdlet's reference.
    link: https://learn.microsoft.com/powershell/module/exchangepowershell/set-organizationconfig
'''

EXAMPLES = r'''
- name: Block Direct Send (own-domain spoofs straight to EOP get 550 5.7.68)
  exoguard.mailflow.exo_org_config:
    tenant_id: "{{ exo_tenant_id }}"
    client_id: "{{ exo_client_id }}"
    client_secret: "{{ exo_client_secret }}"
    reject_direct_send: true

- name: The same for every tenant host, with the connection set once
  module_defaults:
    group/exoguard.mailflow.exo:
      tenant_id: "{{ exo_tenant_id }}"
      client_id: "{{ exo_client_id }}"
      certificate_path: "{{ exo_certificate_path }}"
  block:
    - name: Audit only - reports changed when the tenant drifted, changes nothing
      exoguard.mailflow.exo_org_config:
        reject_direct_send: true
      check_mode: true
      diff: true

- name: Roll back - accept Direct Send again
  exoguard.mailflow.exo_org_config:
    reject_direct_send: false
'''

RETURN = r'''
config:
  description:
    - The organization configuration as C(Get-OrganizationConfig) returns it after the run (in check mode, as it
      would be), with Exchange's property names.
  returned: success
  type: dict
  sample:
    Name: contoso.onmicrosoft.com
    Identity: contoso.onmicrosoft.com
    RejectDirectSend: true
diff:
  description: The managed settings before and after, when run with C(--diff).
  returned: when diff mode is on
  type: dict
  sample:
    before: {reject_direct_send: false}
    after: {reject_direct_send: true}
error:
  description: What failed, in parts (type, Exchange's message, tenant, cmdlet, HTTP status, exception type, attempts).
  returned: failure
  type: dict
'''

from ansible_collections.exoguard.mailflow.plugins.module_utils._engine import BOOLEAN, Property, Resource
from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import resource_definition


class OrganizationConfig(Resource):
    """The tenant-wide settings of Get-/Set-OrganizationConfig: one object, always present."""

    noun = 'organization configuration'
    get_cmdlet = 'Get-OrganizationConfig'
    set_cmdlet = 'Set-OrganizationConfig'
    return_key = 'config'
    # One row per managed setting.
    properties = (
        Property('reject_direct_send', 'RejectDirectSend', BOOLEAN),
    )


def module_definition():
    return resource_definition(OrganizationConfig())


def main():
    run_module(module_definition())


if __name__ == '__main__':
    main()
