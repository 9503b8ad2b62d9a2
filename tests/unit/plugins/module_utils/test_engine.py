# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils._client import ExoClient
from ansible_collections.exoguard.mailflow.plugins.module_utils._engine import (
    BOOLEAN, DOMAIN_SET, IP_RANGE_SET, TEXT, Property, Resource, ensure, require)
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ConfigurationError, NotFound, Transient
from ansible_collections.exoguard.mailflow.plugins.module_utils._transport import InvokeResult, Transport


class FakeTenant(Transport):
    """A tenant with singleton settings and named connectors, recording every call."""

    tenant = 'contoso.onmicrosoft.com'

    def __init__(self, settings=None, connectors=None, fail_reads=None):
        self.settings = dict(settings or {'RejectDirectSend': False, 'Name': 'contoso'})
        self.connectors = dict((c['Name'], dict(c)) for c in (connectors or []))
        self.fail_reads = fail_reads
        self.calls = []

    @property
    def writes(self):
        return [call for call in self.calls if not call[0].startswith('Get-')]

    def invoke(self, cmdlet, parameters):
        self.calls.append((cmdlet, dict(parameters)))
        if cmdlet.startswith('Get-') and self.fail_reads:
            raise self.fail_reads
        if cmdlet == 'Get-Settings':
            return InvokeResult([dict(self.settings)])
        if cmdlet == 'Set-Settings':
            self.settings.update(parameters)
            return InvokeResult([], ['The command completed successfully but no settings have been modified.'][:0])
        name = parameters.get('Identity')
        if cmdlet == 'Get-Connector':
            if name not in self.connectors:
                raise NotFound("object '%s' couldn't be found" % name)
            return InvokeResult([dict(self.connectors[name])])
        if cmdlet == 'New-Connector':
            record = dict(parameters, Name=name, SenderDomains=['smtp:%s;1' % d for d in parameters.get('SenderDomains', [])])
            record.pop('Identity')
            self.connectors[name] = record
            return InvokeResult([record])
        if cmdlet == 'Set-Connector':
            self.connectors[name].update((k, v) for k, v in parameters.items() if k != 'Identity')
            return InvokeResult()
        if cmdlet == 'Remove-Connector':
            del self.connectors[name]
            return InvokeResult()
        raise AssertionError(cmdlet)


class Settings(Resource):
    noun = 'settings'
    get_cmdlet = 'Get-Settings'
    set_cmdlet = 'Set-Settings'
    return_key = 'config'
    properties = (Property('reject_direct_send', 'RejectDirectSend', BOOLEAN),
                  Property('display_name', 'DisplayName', TEXT))


class Connector(Resource):
    noun = 'connector'
    get_cmdlet, new_cmdlet, set_cmdlet, remove_cmdlet = 'Get-Connector', 'New-Connector', 'Set-Connector', 'Remove-Connector'
    identity_parameter = 'Identity'
    properties = (Property('sender_domains', 'SenderDomains', DOMAIN_SET),
                  Property('sender_ip_addresses', 'SenderIPAddresses', IP_RANGE_SET),
                  Property('enabled', 'Enabled', BOOLEAN))

    def validate(self, desired, state):
        require(state == 'absent' or desired.get('sender_domains'), 'sender_domains', 'give at least one domain')


def run(tenant, resource, desired, **kwargs):
    client = ExoClient(tenant)
    return ensure(client, resource, desired, **kwargs)


def test_a_difference_is_applied_with_only_the_changed_parameter_and_read_back():
    tenant = FakeTenant()
    outcome = run(tenant, Settings(), {'reject_direct_send': True, 'display_name': None})
    assert outcome.changed is True
    assert tenant.writes == [('Set-Settings', {'RejectDirectSend': True})]
    assert [c[0] for c in tenant.calls] == ['Get-Settings', 'Set-Settings', 'Get-Settings']
    assert outcome.record['RejectDirectSend'] is True
    assert outcome.diff == {'before': {'reject_direct_send': False, 'display_name': ''},
                            'after': {'reject_direct_send': True, 'display_name': ''}}


def test_second_run_makes_no_write_call():
    tenant = FakeTenant({'RejectDirectSend': True})
    outcome = run(tenant, Settings(), {'reject_direct_send': True})
    assert outcome.changed is False
    assert tenant.writes == []
    assert outcome.before == outcome.after


def test_check_mode_predicts_the_change_with_zero_write_calls():
    tenant = FakeTenant()
    outcome = run(tenant, Settings(), {'reject_direct_send': True}, check_mode=True)
    assert outcome.changed is True
    assert tenant.writes == []
    assert outcome.record['RejectDirectSend'] is True
    assert outcome.after['reject_direct_send'] is True
    assert tenant.settings['RejectDirectSend'] is False


def test_null_read_back_equals_false():
    tenant = FakeTenant({'RejectDirectSend': None})
    assert run(tenant, Settings(), {'reject_direct_send': False}).changed is False


def test_options_not_given_are_not_compared_or_set():
    tenant = FakeTenant({'RejectDirectSend': True, 'DisplayName': 'Contoso'})
    outcome = run(tenant, Settings(), {'reject_direct_send': None, 'display_name': 'CONTOSO'})
    assert outcome.changed is False
    assert tenant.writes == []


def test_read_back_forms_do_not_report_drift():
    tenant = FakeTenant(connectors=[{'Name': 'From SEG', 'SenderDomains': ['smtp:*;1'], 'Enabled': True,
                                     'SenderIPAddresses': ['192.0.2.0/24', '198.51.100.7']}])
    outcome = run(tenant, Connector(), {'sender_domains': ['*'], 'enabled': True,
                                        'sender_ip_addresses': ['198.51.100.7/32', '192.0.2.9/24']}, identity='From SEG')
    assert outcome.changed is False
    assert tenant.writes == []


def test_absent_object_is_created_once_and_read_back():
    tenant = FakeTenant()
    outcome = run(tenant, Connector(), {'sender_domains': ['*'], 'enabled': None}, identity='From SEG')
    assert outcome.changed is True
    assert tenant.writes == [('New-Connector', {'Identity': 'From SEG', 'SenderDomains': ['*']})]
    assert outcome.before is None
    assert outcome.after == {'sender_domains': ['*'], 'sender_ip_addresses': [], 'enabled': False}


def test_state_absent_removes_and_then_is_idempotent():
    tenant = FakeTenant(connectors=[{'Name': 'Old', 'SenderDomains': ['smtp:*;1']}])
    assert run(tenant, Connector(), {}, identity='Old', state='absent').changed is True
    assert tenant.writes == [('Remove-Connector', {'Identity': 'Old'})]
    again = run(tenant, Connector(), {}, identity='Old', state='absent')
    assert again.changed is False
    assert len(tenant.writes) == 1


def test_state_absent_in_check_mode_removes_nothing():
    tenant = FakeTenant(connectors=[{'Name': 'Old', 'SenderDomains': ['smtp:*;1']}])
    assert run(tenant, Connector(), {}, identity='Old', state='absent', check_mode=True).changed is True
    assert tenant.writes == []
    assert 'Old' in tenant.connectors


def test_a_failed_read_is_a_failure_never_absent():
    tenant = FakeTenant(fail_reads=Transient('HTTP 503'))
    with pytest.raises(Transient):
        run(tenant, Connector(), {'sender_domains': ['*']}, identity='From SEG')
    assert tenant.writes == []


def test_bad_input_fails_before_any_call_naming_the_option():
    tenant = FakeTenant()
    with pytest.raises(ConfigurationError) as caught:
        run(tenant, Connector(), {'sender_domains': []}, identity='From SEG')
    assert 'sender_domains' in str(caught.value)
    assert tenant.calls == []


def test_argument_spec_comes_from_the_property_table():
    assert Connector().argument_spec() == {
        'sender_domains': {'type': 'list', 'elements': 'str'},
        'sender_ip_addresses': {'type': 'list', 'elements': 'str'},
        'enabled': {'type': 'bool'}}


def test_a_value_that_does_not_stick_is_reported():
    class Stubborn(FakeTenant):
        def invoke(self, cmdlet, parameters):
            if cmdlet == 'Set-Settings':
                self.calls.append((cmdlet, dict(parameters)))
                return InvokeResult()
            return super(Stubborn, self).invoke(cmdlet, parameters)

    outcome = run(Stubborn(), Settings(), {'reject_direct_send': True})
    assert outcome.changed is True
    assert any('RejectDirectSend reads back as False' in warning for warning in outcome.warnings)


class LosesCreateAnswer(FakeTenant):
    """Creates the object, then the answer is lost on the way back (the connection drops after the request left)."""

    def invoke(self, cmdlet, parameters):
        result = super(LosesCreateAnswer, self).invoke(cmdlet, parameters)
        if cmdlet.startswith('New-'):
            raise Transient('RemoteDisconnected after the request was sent', not_processed=False)
        return result


def test_a_create_whose_answer_was_lost_is_found_not_repeated():
    tenant = LosesCreateAnswer()
    outcome = run(tenant, Connector(), {'sender_domains': ['*']}, identity='From SEG')
    assert outcome.changed is True
    assert [c[0] for c in tenant.writes] == ['New-Connector']
    assert list(tenant.connectors) == ['From SEG']
    assert outcome.record['Name'] == 'From SEG'


def test_a_create_that_failed_and_left_nothing_fails():
    class FailsCreate(FakeTenant):
        def invoke(self, cmdlet, parameters):
            if cmdlet.startswith('New-'):
                self.calls.append((cmdlet, dict(parameters)))
                raise Transient('HTTP 500', not_processed=False)
            return super(FailsCreate, self).invoke(cmdlet, parameters)

    tenant = FailsCreate()
    with pytest.raises(Transient):
        run(tenant, Connector(), {'sender_domains': ['*']}, identity='From SEG')
    assert [c[0] for c in tenant.writes] == ['New-Connector']


def test_a_property_read_back_under_another_name_is_compared_and_predicted_in_that_form():
    def read_state(record):
        return record.get('State') == 'Enabled' if record.get('State') else None

    def write_state(record, value):
        record['State'] = 'Enabled' if value else 'Disabled'

    class Rule(Resource):
        get_cmdlet, set_cmdlet = 'Get-Settings', 'Set-Settings'
        properties = (Property('enabled', 'Enabled', BOOLEAN, read=read_state, write=write_state),)

    tenant = FakeTenant({'State': 'Enabled'})
    assert run(tenant, Rule(), {'enabled': True}).changed is False
    outcome = run(tenant, Rule(), {'enabled': False}, check_mode=True)
    assert outcome.changed is True
    assert outcome.record['State'] == 'Disabled'
    assert outcome.after == {'enabled': False}
    assert tenant.writes == []
