# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils._client import ExoClient
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import AccessDenied, NotFound
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import run_resource
from ansible_collections.exoguard.mailflow.plugins.module_utils._transport import InvokeResult, Transport
from ansible_collections.exoguard.mailflow.plugins.modules.exo_antiphish_policy import AntiPhishPolicy
from ansible_collections.exoguard.mailflow.plugins.modules.exo_config_info import run_info
from ansible_collections.exoguard.mailflow.plugins.modules.exo_connection_filter_policy import ConnectionFilterPolicy
from ansible_collections.exoguard.mailflow.plugins.modules.exo_hosted_content_filter_policy import (
    HostedContentFilterPolicy)

ANTIPHISH_EOP = {'Name': 'Office365 AntiPhish Default', 'Identity': 'Office365 AntiPhish Default', 'IsDefault': True,
                 'EnableSpoofIntelligence': True, 'HonorDmarcPolicy': True, 'DmarcQuarantineAction': 'Quarantine',
                 'DmarcRejectAction': 'Reject', 'AuthenticationFailAction': 'MoveToJmf'}
ANTIPHISH_MDO = dict(ANTIPHISH_EOP, EnableMailboxIntelligence=True, EnableMailboxIntelligenceProtection=False,
                     MailboxIntelligenceProtectionAction='NoAction', EnableTargetedUserProtection=False,
                     TargetedUsersToProtect=[], TargetedUserProtectionAction='NoAction',
                     EnableOrganizationDomainsProtection=False, EnableTargetedDomainsProtection=False,
                     TargetedDomainsToProtect=None, TargetedDomainProtectionAction='NoAction', PhishThresholdLevel=1)
CONTENT = {'Name': 'Default', 'Identity': 'Default', 'IsDefault': True, 'BulkThreshold': 7, 'SpamAction': 'MoveToJmf',
           'HighConfidenceSpamAction': 'MoveToJmf', 'PhishSpamAction': 'MoveToJmf',
           'HighConfidencePhishAction': 'Quarantine', 'BulkSpamAction': 'MoveToJmf', 'QuarantineRetentionPeriod': 15,
           'MarkAsSpamBulkMail': 'On', 'AllowedSenderDomains': []}
CONNECTION = {'Name': 'Default', 'Identity': 'Default', 'IsDefault': True, 'IPAllowList': [],
              'IPBlockList': ['203.0.113.0/24', '198.51.100.10-198.51.100.20'], 'EnableSafeList': False,
              'IPAllowList@odata.type': '#Collection(String)'}


class Tenant(Transport):
    """Answers Get-* from fixed records (by Identity, or all of the cmdlet's noun), applies Set-*, records calls."""

    tenant = 'contoso.onmicrosoft.com'

    def __init__(self, records=None, failures=None):
        self.records = dict((cmdlet, [dict(record) for record in rows]) for cmdlet, rows in (records or {}).items())
        self.failures = failures or {}
        self.calls = []

    def invoke(self, cmdlet, parameters):
        self.calls.append((cmdlet, dict(parameters)))
        if cmdlet in self.failures:
            raise self.failures[cmdlet]
        rows = self.records.get('Get-' + cmdlet.split('-', 1)[1], [])
        identity = parameters.get('Identity')
        found = [row for row in rows if identity is None or row['Name'].lower() == str(identity).lower()]
        if cmdlet.startswith('Get-'):
            if identity is not None and not found:
                raise NotFound("object couldn't be found")
            return InvokeResult([dict(row) for row in found])
        found[0].update((key, value) for key, value in parameters.items() if key != 'Identity')
        return InvokeResult()


def run(resource, tenant, identity, check_mode=False, **options):
    return run_resource(resource, options, check_mode=check_mode, diff=True, identity=identity,
                        client_factory=lambda opts: ExoClient(tenant))


def result_of(resource, tenant, identity, **options):
    return run(resource, tenant, identity, **options)[0]


def writes(tenant):
    return [call for call in tenant.calls if not call[0].startswith('Get-')]


# -- policies -----------------------------------------------------------------------------------------------------

RECOMMENDED_ANTIPHISH = dict(enable_spoof_intelligence=True, honor_dmarc_policy=True, dmarc_quarantine_action='Quarantine',
                             dmarc_reject_action='Reject', authentication_fail_action='Quarantine')


def test_antiphish_sends_only_the_changed_parameter_then_is_idempotent():
    tenant = Tenant({'Get-AntiPhishPolicy': [ANTIPHISH_EOP]})
    result, warnings = run(AntiPhishPolicy(), tenant, 'Office365 AntiPhish Default', **RECOMMENDED_ANTIPHISH)
    assert result['changed'] is True
    assert writes(tenant) == [('Set-AntiPhishPolicy', {'Identity': 'Office365 AntiPhish Default',
                                                       'AuthenticationFailAction': 'Quarantine'})]
    assert result['diff'] == {'before': dict(_view(ANTIPHISH_EOP)), 'after': dict(_view(ANTIPHISH_EOP),
                                                                                  authentication_fail_action='Quarantine')}
    assert result['policy']['AuthenticationFailAction'] == 'Quarantine'
    assert warnings == []
    tenant.calls = []
    options = dict(RECOMMENDED_ANTIPHISH)
    options['authentication_fail_action'] = 'quarantine'
    result = result_of(AntiPhishPolicy(), tenant, 'office365 antiphish default', **options)
    assert result['changed'] is False
    assert [call[0] for call in tenant.calls] == ['Get-AntiPhishPolicy']


def _view(record):
    return {'enable_spoof_intelligence': record['EnableSpoofIntelligence'], 'honor_dmarc_policy': record['HonorDmarcPolicy'],
            'dmarc_quarantine_action': record['DmarcQuarantineAction'], 'dmarc_reject_action': record['DmarcRejectAction'],
            'authentication_fail_action': record['AuthenticationFailAction']}


def test_check_mode_predicts_and_writes_nothing():
    tenant = Tenant({'Get-HostedContentFilterPolicy': [CONTENT]})
    result = result_of(HostedContentFilterPolicy(), tenant, 'Default', check_mode=True, bulk_threshold=6,
                       quarantine_retention_period=30, high_confidence_phish_action='Quarantine')
    assert result['changed'] is True
    assert writes(tenant) == []
    assert result['policy']['BulkThreshold'] == 6 and result['policy']['QuarantineRetentionPeriod'] == 30
    assert result['diff']['before']['bulk_threshold'] == 7 and result['diff']['after']['bulk_threshold'] == 6


def test_without_defender_impersonation_options_are_skipped_with_a_warning_and_never_sent():
    tenant = Tenant({'Get-AntiPhishPolicy': [ANTIPHISH_EOP]})
    result, warnings = run(AntiPhishPolicy(), tenant, 'Office365 AntiPhish Default', honor_dmarc_policy=False,
                           enable_targeted_user_protection=True, phish_threshold_level=3,
                           targeted_users_to_protect=['CEO;ceo@contoso.com'])
    assert result['changed'] is True
    assert writes(tenant) == [('Set-AntiPhishPolicy', {'Identity': 'Office365 AntiPhish Default',
                                                       'HonorDmarcPolicy': False})]
    assert len(warnings) == 3
    assert all("not available in this tenant's licence" in warning for warning in warnings)
    assert any(warning.startswith('phish_threshold_level (PhishThresholdLevel)') for warning in warnings)
    assert 'enable_targeted_user_protection' not in result['diff']['after']


def test_without_defender_only_impersonation_options_is_no_change_and_no_write():
    tenant = Tenant({'Get-AntiPhishPolicy': [ANTIPHISH_EOP]})
    result, warnings = run(AntiPhishPolicy(), tenant, 'Office365 AntiPhish Default', check_mode=True,
                           enable_mailbox_intelligence_protection=True)
    assert result['changed'] is False
    assert writes(tenant) == [] and len(warnings) == 1


def test_with_defender_impersonation_is_managed_and_null_lists_equal_empty():
    tenant = Tenant({'Get-AntiPhishPolicy': [ANTIPHISH_MDO]})
    result, warnings = run(AntiPhishPolicy(), tenant, 'Office365 AntiPhish Default', targeted_domains_to_protect=[],
                           enable_targeted_user_protection=True,
                           targeted_users_to_protect=['Chief Executive;ceo@contoso.com'],
                           targeted_user_protection_action='Quarantine', phish_threshold_level=3)
    assert warnings == []
    assert writes(tenant) == [('Set-AntiPhishPolicy', {
        'Identity': 'Office365 AntiPhish Default', 'EnableTargetedUserProtection': True,
        'TargetedUsersToProtect': ['Chief Executive;ceo@contoso.com'], 'TargetedUserProtectionAction': 'Quarantine',
        'PhishThresholdLevel': 3})]
    tenant.calls = []
    result = result_of(AntiPhishPolicy(), tenant, 'Office365 AntiPhish Default',
                       targeted_users_to_protect=['chief executive;CEO@contoso.com'], phish_threshold_level=3)
    assert result['changed'] is False and writes(tenant) == []


def test_a_policy_that_does_not_exist_fails_after_the_read_without_writing():
    tenant = Tenant({'Get-AntiPhishPolicy': [ANTIPHISH_EOP]})
    result = result_of(AntiPhishPolicy(), tenant, 'Strict', honor_dmarc_policy=True)
    assert result['failed'] is True
    assert result['msg'].startswith('Configuration error: name:') and 'does not exist' in result['msg']
    assert [call[0] for call in tenant.calls] == ['Get-AntiPhishPolicy']


def test_connection_filter_compares_ip_lists_as_intervals_and_empties_the_allow_list():
    tenant = Tenant({'Get-HostedConnectionFilterPolicy': [dict(CONNECTION, IPAllowList=['192.0.2.1'])]})
    result = result_of(ConnectionFilterPolicy(), tenant, 'Default', ip_allow_list=[], enable_safe_list=False,
                       ip_block_list=['198.51.100.10-198.51.100.20', '203.0.113.99/24'])
    assert result['changed'] is True
    assert writes(tenant) == [('Set-HostedConnectionFilterPolicy', {'Identity': 'Default', 'IPAllowList': []})]
    tenant.calls = []
    result = result_of(ConnectionFilterPolicy(), tenant, 'Default', ip_allow_list=[])
    assert result['changed'] is False and writes(tenant) == []


def test_content_filter_extra_parameters_and_asf_options():
    tenant = Tenant({'Get-HostedContentFilterPolicy': [CONTENT]})
    result, warnings = run(HostedContentFilterPolicy(), tenant, 'Default', mark_as_spam_bulk_mail='on',
                           extra_parameters={'allowedsenderdomains': [], 'IntraOrgFilterState': 'HighConfidencePhish'})
    assert writes(tenant) == []  # IntraOrgFilterState is not in the record: skipped, never sent
    assert result['changed'] is False
    assert warnings and 'extra_parameters.IntraOrgFilterState (IntraOrgFilterState)' in warnings[0]


def test_content_filter_skips_a_property_the_tenant_no_longer_has():
    tenant = Tenant({'Get-HostedContentFilterPolicy': [CONTENT]})
    result, warnings = run(HostedContentFilterPolicy(), tenant, 'Default', enable_end_user_spam_notifications=False,
                           bulk_threshold=5)
    assert writes(tenant) == [('Set-HostedContentFilterPolicy', {'Identity': 'Default', 'BulkThreshold': 5})]
    assert len(warnings) == 1 and warnings[0].startswith('enable_end_user_spam_notifications')


BAD_INPUTS = [
    (AntiPhishPolicy, {'phish_threshold_level': 5}, 'phish_threshold_level', '1 to 4'),
    (AntiPhishPolicy, {'phish_threshold_level': 0}, 'phish_threshold_level', '1 to 4'),
    (AntiPhishPolicy, {'targeted_users_to_protect': ['ceo@contoso.com']}, 'targeted_users_to_protect', 'DisplayName;'),
    (AntiPhishPolicy, {'targeted_domains_to_protect': ['not a domain']}, 'targeted_domains_to_protect', 'not a domain'),
    (AntiPhishPolicy, {'extra_parameters': {'NoSuch': 1}}, 'extra_parameters', 'not a Set-AntiPhishPolicy parameter'),
    (AntiPhishPolicy, {'extra_parameters': {'HonorDmarcPolicy': True}}, 'extra_parameters', 'own option'),
    (AntiPhishPolicy, {'extra_parameters': {'MakeDefault': True}}, 'extra_parameters', 'not a Set-AntiPhishPolicy'),
    (HostedContentFilterPolicy, {'bulk_threshold': 10}, 'bulk_threshold', '1 to 9'),
    (HostedContentFilterPolicy, {'quarantine_retention_period': 31}, 'quarantine_retention_period', '1 to 30'),
    (HostedContentFilterPolicy, {'quarantine_retention_period': 0}, 'quarantine_retention_period', '1 to 30'),
    (ConnectionFilterPolicy, {'ip_allow_list': ['192.0.2.0/23']}, 'ip_allow_list', '/24 to /32'),
    (ConnectionFilterPolicy, {'ip_block_list': ['2001:db8::/64']}, 'ip_block_list', 'IPv4'),
    (ConnectionFilterPolicy, {'ip_block_list': ['192.0.2.0-192.0.3.0']}, 'ip_block_list', 'at most 256'),
    (ConnectionFilterPolicy, {'ip_allow_list': ['gateway']}, 'ip_allow_list', 'not an IP address'),
]


@pytest.mark.parametrize('resource, options, option, fix', BAD_INPUTS,
                         ids=['%s-%s-%d' % (case[0].__name__, case[2], index) for index, case in enumerate(BAD_INPUTS)])
def test_bad_input_fails_before_any_call_naming_the_option(resource, options, option, fix):
    tenant = Tenant()
    result = result_of(resource(), tenant, 'Default', **options)
    assert result['failed'] is True
    assert result['msg'].startswith('Configuration error: %s:' % option), result['msg']
    assert fix in result['msg']
    assert tenant.calls == []


# -- exo_config_info ----------------------------------------------------------------------------------------------

ALL_RECORDS = {
    'Get-OrganizationConfig': [{'Name': 'contoso.onmicrosoft.com', 'RejectDirectSend': True}],
    'Get-AcceptedDomain': [{'Name': 'contoso.com', 'DomainName': 'contoso.com'},
                           {'Name': 'contoso.onmicrosoft.com', 'DomainName': 'contoso.onmicrosoft.com'}],
    'Get-InboundConnector': [{'Name': 'From SEG', 'ConnectorType': 'Partner', 'EFSkipIPs': ['192.0.2.10'],
                              'RestrictDomainsToIPAddresses': True}],
    'Get-TransportRule': [{'Name': 'Safety net', 'Priority@data.type': 'System.Int32', 'Priority': 0,
                           'Actions@odata.type': '#Collection(String)', 'Actions': ['RejectMessageAction']}],
    'Get-DkimSigningConfig': [{'Name': 'contoso.com', 'Selector1KeySize@data.type': 'System.UInt16',
                               'Selector1KeySize': 2048, 'Enabled': True}],
    'Get-AntiPhishPolicy': [dict(ANTIPHISH_EOP, IsDefault=False, Name='Strict'), ANTIPHISH_EOP],
    'Get-HostedContentFilterPolicy': [CONTENT],
    'Get-HostedConnectionFilterPolicy': [CONNECTION],
}


def info(tenant, **options):
    return run_info(options, client_factory=lambda opts: ExoClient(tenant))[0]


def test_info_reads_every_kind_with_one_call_each_and_strips_annotations():
    tenant = Tenant(ALL_RECORDS)
    result = info(tenant)
    assert result['changed'] is False
    assert sorted(call[0] for call in tenant.calls) == sorted(ALL_RECORDS)
    assert all(parameters == {} for _cmdlet, parameters in tenant.calls)
    config = result['config']
    assert config['organization_config']['RejectDirectSend'] is True
    assert [domain['Name'] for domain in config['accepted_domains']] == ['contoso.com', 'contoso.onmicrosoft.com']
    assert config['transport_rules'][0] == {'Name': 'Safety net', 'Priority': 0, 'Actions': ['RejectMessageAction']}
    assert 'Selector1KeySize@data.type' not in config['dkim_signing_configs'][0]
    assert config['antiphish_policy']['Name'] == 'Office365 AntiPhish Default'
    assert 'IPAllowList@odata.type' not in config['hosted_connection_filter_policy']
    assert config['inbound_connectors'][0]['EFSkipIPs'] == ['192.0.2.10']
    assert 'query_result' not in result


def test_info_gather_subset_and_query():
    tenant = Tenant(ALL_RECORDS)
    result = info(tenant, gather=['inbound_connectors', 'organization_config'],
                  query="{reject: organization_config.RejectDirectSend, restricted: "
                        "inbound_connectors[?RestrictDomainsToIPAddresses].Name}")
    assert [call[0] for call in tenant.calls] == ['Get-OrganizationConfig', 'Get-InboundConnector']
    assert sorted(result['config']) == ['inbound_connectors', 'organization_config']
    assert result['query_result'] == {'reject': True, 'restricted': ['From SEG']}


def test_info_bad_query_fails_before_any_call():
    tenant = Tenant(ALL_RECORDS)
    result = info(tenant, query='inbound_connectors[?')
    assert result['failed'] is True
    assert result['msg'].startswith('Configuration error: query:')
    assert tenant.calls == []


def test_info_kind_the_tenant_cannot_serve_fails_by_default_and_is_listed_when_ignored():
    denied = AccessDenied("The user isn't assigned to any management roles", cmdlet='Get-AntiPhishPolicy')
    tenant = Tenant(ALL_RECORDS, failures={'Get-AntiPhishPolicy': denied})
    result = info(tenant)
    assert result['failed'] is True
    assert result['error']['type'] == 'AccessDenied'
    assert 'antiphish_policy' in result['msg'] and 'Get-AntiPhishPolicy' in result['msg']
    tenant = Tenant(ALL_RECORDS, failures={'Get-AntiPhishPolicy': AccessDenied('denied', cmdlet='Get-AntiPhishPolicy')})
    result = info(tenant, ignore_unavailable=True)
    assert 'antiphish_policy' not in result['config']
    assert 'denied' in result['unavailable']['antiphish_policy']
    assert len(result['config']) == 7
