#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: exo_inbound_connector
short_description: Manage Exchange Online inbound connectors, such as a Partner connector locked to your mail gateway
version_added: 0.1.0
description:
  - Creates, updates or removes an inbound connector (C(New-/Set-/Remove-InboundConnector)). Only the options you give
    are compared and set; the rest of the connector is left as it is.
  - Values are compared the way Exchange reads them back, so an audit reports no drift that is not there. Sender
    domains read back as C(smtp:contoso.com;1) equal C(contoso.com); CIDR blocks are compared masked to their network
    (C(192.0.2.7/24) is C(192.0.2.0/24)); lists compare as sets; names and domains without case. C(ConnectorSource)
    is never compared.
  - For a secure email gateway in front of Exchange Online, the hardening is a B(Partner) connector for sender domain
    C(*) with the gateway's IP addresses and O(restrict_domains_to_ip_addresses=true) (or the gateway's TLS certificate
    with O(restrict_domains_to_certificate=true)). Mail from anywhere else that is addressed straight to the tenant is
    then refused with C(550 5.7.51 TenantInboundAttribution).
  - Input Exchange would refuse is refused before any call, with the option and the fix.
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
  name:
    description: The connector's name (its identity). Matched without case.
    type: str
    required: true
  state:
    description: Whether the connector exists.
    type: str
    choices: [present, absent]
    default: present
  connector_type:
    description:
      - V(Partner) for mail from a third-party gateway or partner organisation; V(OnPremises) for your own on-premises
        servers. Microsoft warns against OnPremises connectors authenticated by shared third-party IP addresses.
    type: str
    choices: [Partner, OnPremises]
  sender_domains:
    description:
      - The sender domains the connector applies to (C(-SenderDomains)); V(*) for all. Required to create a connector.
      - Each is C(*), C(contoso.com) or C(*.contoso.com).
    type: list
    elements: str
  sender_ip_addresses:
    description:
      - The IP addresses the connector recognises the sender by (C(-SenderIPAddresses)).
      - IPv4 only, single addresses or CIDR blocks from C(/24) to C(/32).
    type: list
    elements: str
  restrict_domains_to_ip_addresses:
    description:
      - Refuse mail for the sender domains that does not come from O(sender_ip_addresses) (Partner only).
      - V(true) needs O(sender_ip_addresses) in the same task.
    type: bool
  restrict_domains_to_certificate:
    description:
      - Refuse mail for the sender domains whose TLS certificate is not O(tls_sender_certificate_name) (Partner only).
      - V(true) needs O(tls_sender_certificate_name) and O(require_tls=true) in the same task; not together with
        O(restrict_domains_to_ip_addresses) (use two connectors).
    type: bool
  tls_sender_certificate_name:
    description:
      - The subject domain of the sender's TLS certificate, such as C(mail.gateway.example) or C(*.gateway.example);
        C(*) alone is not allowed. Needs O(require_tls=true).
    type: str
  require_tls:
    description: Require TLS for mail this connector receives. Exchange's documented default changed over time; set it.
    type: bool
  enabled:
    description: Whether the connector is enabled.
    type: bool
  comment:
    description: A free-text comment on the connector.
    type: str
  treat_messages_as_internal:
    description: OnPremises connectors only; treat messages from the on-premises organisation as internal.
    type: bool
  cloud_services_mail_enabled:
    description: OnPremises connectors only; the connector carries hybrid mail flow. Not with O(treat_messages_as_internal).
    type: bool
  trusted_organizations:
    description: Other Microsoft 365 organisations that are trusted mail sources (for example after a merger).
    type: list
    elements: str
  associated_accepted_domains:
    description: Restrict the connector to these accepted domains of the tenant.
    type: list
    elements: str
requirements:
  - msal (with O(transport=rest))
seealso:
  - module: exoguard.mailflow.exo_skiplist
  - module: exoguard.mailflow.exo_transport_rule
  - name: New-InboundConnector
    description: The cmdlet's reference.
    link: https://learn.microsoft.com/powershell/module/exchangepowershell/new-inboundconnector
'''

EXAMPLES = r'''
- name: Phase 2 - accept the tenant's mail only from the gateway's IP addresses
  exoguard.mailflow.exo_inbound_connector:
    name: From Secure Email Gateway
    connector_type: Partner
    sender_domains: ['*']
    sender_ip_addresses: [192.0.2.0/24, 198.51.100.10]
    restrict_domains_to_ip_addresses: true
    require_tls: true
    enabled: true
    comment: Mail from the SEG only; managed by exoguard.mailflow

- name: Or lock it to the gateway's TLS certificate
  exoguard.mailflow.exo_inbound_connector:
    name: From Secure Email Gateway (TLS)
    connector_type: Partner
    sender_domains: ['*']
    tls_sender_certificate_name: '*.gateway.example'
    require_tls: true
    restrict_domains_to_certificate: true

- name: Audit - reports changed when the connector drifted
  exoguard.mailflow.exo_inbound_connector:
    name: From Secure Email Gateway
    restrict_domains_to_ip_addresses: true
    sender_ip_addresses: [192.0.2.0/24, 198.51.100.10]
  check_mode: true
  diff: true

- name: Roll back phase 2 - stop restricting
  exoguard.mailflow.exo_inbound_connector:
    name: From Secure Email Gateway
    restrict_domains_to_ip_addresses: false
'''

RETURN = r'''
connector:
  description: The connector as C(Get-InboundConnector) returns it after the run (in check mode, as it would be); null when absent.
  returned: success
  type: dict
  sample:
    Name: From Secure Email Gateway
    ConnectorType: Partner
    SenderDomains: ['smtp:*;1']
    SenderIPAddresses: [192.0.2.0/24]
    RestrictDomainsToIPAddresses: true
diff:
  description: The managed settings before and after, in the form you write them, when run with C(--diff).
  returned: when diff mode is on
  type: dict
error:
  description: What failed, in parts (type, Exchange's message, tenant, cmdlet, HTTP status, exception type, attempts).
  returned: failure
  type: dict
'''

from ansible_collections.exoguard.mailflow.plugins.module_utils import _validate as check
from ansible_collections.exoguard.mailflow.plugins.module_utils._engine import (
    BOOLEAN, DOMAIN_SET, IP_RANGE_SET, TEXT, Property, Resource, require)
from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import resource_definition

PARTNER_ONLY = ('restrict_domains_to_ip_addresses', 'restrict_domains_to_certificate')
ON_PREMISES_ONLY = ('treat_messages_as_internal', 'cloud_services_mail_enabled')


class InboundConnector(Resource):
    """An inbound connector: identity by name, one row per managed setting."""

    noun = 'inbound connector'
    get_cmdlet = 'Get-InboundConnector'
    new_cmdlet = 'New-InboundConnector'
    set_cmdlet = 'Set-InboundConnector'
    remove_cmdlet = 'Remove-InboundConnector'
    identity_parameter = 'Identity'
    new_identity_parameter = 'Name'
    return_key = 'connector'
    properties = (
        Property('connector_type', 'ConnectorType', TEXT, choices=('Partner', 'OnPremises')),
        Property('sender_domains', 'SenderDomains', DOMAIN_SET),
        Property('sender_ip_addresses', 'SenderIPAddresses', IP_RANGE_SET),
        Property('restrict_domains_to_ip_addresses', 'RestrictDomainsToIPAddresses', BOOLEAN),
        Property('restrict_domains_to_certificate', 'RestrictDomainsToCertificate', BOOLEAN),
        Property('tls_sender_certificate_name', 'TlsSenderCertificateName', TEXT),
        Property('require_tls', 'RequireTls', BOOLEAN),
        Property('enabled', 'Enabled', BOOLEAN),
        Property('comment', 'Comment', TEXT),
        Property('treat_messages_as_internal', 'TreatMessagesAsInternal', BOOLEAN),
        Property('cloud_services_mail_enabled', 'CloudServicesMailEnabled', BOOLEAN),
        Property('trusted_organizations', 'TrustedOrganizations', DOMAIN_SET),
        Property('associated_accepted_domains', 'AssociatedAcceptedDomains', DOMAIN_SET),
    )

    def validate_identity(self, identity):
        require(identity and identity.strip(), 'name', 'give the connector a name')

    def validate(self, desired, state):
        if state == 'absent':
            return
        if desired.get('sender_domains') is not None:
            check.sender_domains('sender_domains', desired['sender_domains'])
        if desired.get('sender_ip_addresses') is not None:
            check.sender_ip_addresses('sender_ip_addresses', desired['sender_ip_addresses'])
        for option in ('trusted_organizations', 'associated_accepted_domains'):
            if desired.get(option) is not None:
                check.domains(option, desired[option])
        if desired.get('tls_sender_certificate_name'):
            check.certificate_name('tls_sender_certificate_name', desired['tls_sender_certificate_name'])
            require(desired.get('require_tls') is not False, 'require_tls',
                    'must be true with tls_sender_certificate_name (Exchange checks the certificate only over TLS)')
        if desired.get('restrict_domains_to_ip_addresses'):
            require(desired.get('sender_ip_addresses'), 'restrict_domains_to_ip_addresses',
                    'needs the gateway\'s addresses in sender_ip_addresses in the same task')
        if desired.get('restrict_domains_to_certificate'):
            require(desired.get('tls_sender_certificate_name'), 'restrict_domains_to_certificate',
                    'needs tls_sender_certificate_name in the same task')
            require(desired.get('require_tls') is True, 'restrict_domains_to_certificate',
                    'needs require_tls: true in the same task')
            require(not desired.get('restrict_domains_to_ip_addresses'), 'restrict_domains_to_certificate',
                    'cannot be combined with restrict_domains_to_ip_addresses on one connector; make one connector '
                    'for the IP addresses and another for the certificate')
        if desired.get('treat_messages_as_internal') and desired.get('cloud_services_mail_enabled'):
            require(False, 'treat_messages_as_internal', 'cannot be true together with cloud_services_mail_enabled')
        self._check_type(desired, desired.get('connector_type'))

    def validate_against(self, desired, current, state):
        if state == 'absent':
            return
        if current is None:
            require(desired.get('sender_domains'), 'sender_domains',
                    'is required to create the connector (for a gateway in front of the tenant: [\'*\'])')
        else:
            self._check_type(desired, desired.get('connector_type') or current.get('ConnectorType'))

    @staticmethod
    def _check_type(desired, connector_type):
        if connector_type == 'OnPremises':
            for option in PARTNER_ONLY:
                require(not desired.get(option), option, 'applies to Partner connectors only; set connector_type: Partner')
        elif connector_type == 'Partner':
            for option in ON_PREMISES_ONLY:
                require(not desired.get(option), option,
                        'applies to OnPremises connectors only; a gateway in front of the tenant is a Partner connector')


def module_definition():
    return resource_definition(
        InboundConnector(),
        extra_spec={'name': {'type': 'str', 'required': True},
                    'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'}},
        identity_option='name')


def main():
    run_module(module_definition())


if __name__ == '__main__':
    main()
