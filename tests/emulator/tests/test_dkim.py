# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DKIM signing configurations through the real HTTPS API: record shape, creation, the DNS check before enabling
(against a DNS server the test runs), rotation and removal."""

import json
import os
import re
import socket
import subprocess
import sys
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
import yaml

from emulator_lab import CONTOSO, EMULATOR, Lab, start_emulator, stop_emulator

LIVE_RECORDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'live_records.json')
TARGET = re.compile(r'^selector([12])-contoso-com\._domainkey\.contoso\.[a-z]-v1\.dkim\.mail\.microsoft$')
VALIDATION = 'Microsoft.Exchange.Management.Tasks.ValidationException'

WOODGROVE = '55555555-5555-4555-8555-555555555555'
WOODGROVE_APP = {'client_id': '66666666-6666-4666-8666-000000000001', 'client_secret': 'woodgrove-secret',
                 'role': 'Exchange Administrator'}
WOODGROVE_DOMAINS = ['woodgrove.example', 'mail.woodgrove.example']


def _live_dkim_record():
    with open(LIVE_RECORDS, encoding='utf-8') as handle:
        return next(record['value'][0] for record in json.load(handle)['records']
                    if record['cmdlet'] == 'Get-DkimSigningConfig')


def _internal(response):
    """The exception's type and sentence, as the envelope's internalexception carries them."""
    internal = response.json()['error']['innererror']['internalexception']
    return {'type': internal['type'], 'message': internal['message']}


def cname_refusal(record):
    """Exchange's sentence (cmdlet-behaviour.md section 4) with the record's own domain and targets."""
    return ('CNAME record does not exist for this config. Please publish the following two CNAME records first. '
            'Domain Name : {Domain} Host Name : selector1._domainkey Points to address or value: {Selector1CNAME} '
            'Host Name : selector2._domainkey Points to address or value: {Selector2CNAME} . If you have already '
            'published the CNAME records, sync will take a few minutes to as many as 4 days based on your specific '
            'DNS. Return and retry this step later.').format(**record)


@pytest.fixture
def contoso(lab):
    """Contoso with no DKIM configuration and an empty call log; the session's scenario names no dns_server."""
    lab.admin('PUT', 'tenants/%s/state' % CONTOSO, {'dkim_signing_configs': []})
    lab.admin('DELETE', 'calls')
    return lab


def _get(lab, domain, **kwargs):
    response = lab.invoke('Get-DkimSigningConfig', {'Identity': domain}, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()['value'][0]


# -- creation and the record's shape ----------------------------------------------------------------------------


def test_new_creates_a_disabled_configuration_with_the_live_record_shape(contoso):
    response = contoso.invoke('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': False})
    assert response.status_code == 200, response.text
    created = response.json()['value'][0]
    record = _get(contoso, 'contoso.com')
    assert created == record
    assert list(record) == list(_live_dkim_record())
    assert (record['Domain'], record['Name'], record['Identity'], record['Id']) == ('contoso.com',) * 4
    assert record['Enabled'] is False and record['Status'] == 'CnameMissing'
    assert (record['Selector1KeySize'], record['Selector2KeySize']) == (1024, 1024)
    assert record['Selector1KeySize@data.type'] == 'System.UInt16'
    assert record['Selector1KeySize@odata.type'] == '#Decimal'
    assert TARGET.match(record['Selector1CNAME']).group(1) == '1'
    assert TARGET.match(record['Selector2CNAME']).group(1) == '2'
    assert record['Selector1CNAME'].split('._domainkey.')[1] == record['Selector2CNAME'].split('._domainkey.')[1]
    assert record['Selector1PublicKey'].startswith('v=DKIM1; k=rsa; p=')
    assert (record['SelectorBeforeRotateOnDate'], record['SelectorAfterRotateOnDate']) == ('selector2', 'selector1')
    assert record['RotateOnDate'] == record['KeyCreationTime']
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$', record['KeyCreationTime'])


def test_cname_targets_are_stable_for_a_domain(contoso):
    contoso.invoke('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': False})
    first = _get(contoso, 'contoso.com')
    contoso.invoke('Remove-DkimSigningConfig', {'Identity': 'contoso.com'})
    contoso.invoke('New-DkimSigningConfig', {'DomainName': 'CONTOSO.COM', 'Enabled': False})
    second = _get(contoso, 'contoso.com')
    assert (first['Selector1CNAME'], first['Selector2CNAME']) == (second['Selector1CNAME'], second['Selector2CNAME'])
    assert first['Selector1PublicKey'] != second['Selector1PublicKey']


def test_key_size_2048_keys_both_selectors_and_other_sizes_are_refused(contoso):
    assert contoso.invoke('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': False,
                                                    'KeySize': 2048}).status_code == 200
    record = _get(contoso, 'contoso.com')
    assert (record['Selector1KeySize'], record['Selector2KeySize']) == (2048, 2048)
    contoso.invoke('New-DkimSigningConfig', {'DomainName': 'contoso.net', 'Enabled': False, 'KeySize': 1024})
    assert len(record['Selector1PublicKey']) > len(_get(contoso, 'contoso.net')['Selector1PublicKey'])
    refused = contoso.invoke('New-DkimSigningConfig', {'DomainName': 'contoso.org', 'Enabled': False, 'KeySize': 4096})
    assert refused.status_code == 400
    assert _internal(refused)['type'] == VALIDATION
    assert [config['Domain'] for config in contoso.state()['dkim_signing_configs']] == ['contoso.com', 'contoso.net']


def test_new_for_a_domain_the_tenant_does_not_accept_is_refused_as_exchange_does(contoso):
    response = contoso.invoke('New-DkimSigningConfig', {'DomainName': 'fabrikam.com', 'Enabled': False})
    assert response.status_code == 400
    assert _internal(response) == {
        'type': VALIDATION,
        'message': 'Invalid domain name specified "fabrikam.com". Please specify tenant name or valid accepted domain.'}
    assert response.json()['error']['details'][0]['message'].startswith('|%s|Invalid domain name' % VALIDATION)
    assert contoso.state()['dkim_signing_configs'] == []


def test_a_second_new_for_the_same_domain_is_refused(contoso):
    contoso.invoke('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': False})
    response = contoso.invoke('New-DkimSigningConfig', {'DomainName': 'Contoso.com', 'Enabled': False})
    assert response.status_code == 400
    assert _internal(response)['type'].endswith('ADObjectAlreadyExistsException')
    assert "CN=contoso.com," in _internal(response)['message'] and 'already exists' in _internal(response)['message']
    assert len(contoso.state()['dkim_signing_configs']) == 1


def test_enabled_is_mandatory_on_new(contoso):
    response = contoso.invoke('New-DkimSigningConfig', {'DomainName': 'contoso.com'})
    assert response.status_code == 400
    assert _internal(response)['type'].endswith('ParameterBindingException')
    assert contoso.state()['dkim_signing_configs'] == []


# -- reading ---------------------------------------------------------------------------------------------------


def test_get_lists_every_configuration_and_identity_names_one_or_is_not_found(contoso):
    for domain in ('contoso.com', 'contoso.net'):
        contoso.invoke('New-DkimSigningConfig', {'DomainName': domain, 'Enabled': False})
    listed = contoso.invoke('Get-DkimSigningConfig').json()['value']
    assert [record['Domain'] for record in listed] == ['contoso.com', 'contoso.net']
    assert _get(contoso, 'CONTOSO.NET')['Domain'] == 'contoso.net'
    missing = contoso.invoke('Get-DkimSigningConfig', {'Identity': 'contoso.org'})
    assert missing.status_code == 404
    assert _internal(missing)['type'].endswith('ManagementObjectNotFoundException')
    assert "object 'contoso.org' couldn't be found" in _internal(missing)['message']


def test_scenario_records_are_completed_with_exchanges_defaults(contoso):
    contoso.admin('PUT', 'tenants/%s/state' % CONTOSO, {'dkim_signing_configs': [
        {'Domain': 'contoso.com', 'Enabled': True, 'Selector1KeySize': 2048},
        {'Domain': 'contoso.net', 'Enabled': False}]})
    signing, disabled = contoso.invoke('Get-DkimSigningConfig').json()['value']
    assert list(signing) == list(_live_dkim_record())
    assert (signing['Status'], signing['Selector1KeySize'], signing['Selector2KeySize']) == ('Valid', 2048, 2048)
    assert TARGET.match(signing['Selector1CNAME'])
    assert (disabled['Status'], disabled['Name'], disabled['Enabled']) == ('CnameMissing', 'contoso.net', False)
    refused = contoso.admin('PUT', 'tenants/%s/state' % CONTOSO, {'dkim_signing_configs': [{'Enabled': True}]})
    assert refused.status_code == 400


# -- enabling without a DNS server ------------------------------------------------------------------------------


def test_without_a_dns_server_enabling_is_refused_with_exchanges_validation_text(contoso):
    contoso.invoke('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': False})
    record = _get(contoso, 'contoso.com')
    response = contoso.invoke('Set-DkimSigningConfig', {'Identity': 'contoso.com', 'Enabled': True,
                                                        'BodyCanonicalization': 'Simple'})
    assert response.status_code == 400
    assert _internal(response) == {'type': VALIDATION, 'message': cname_refusal(record)}
    assert response.json()['error']['details'][0]['message'] == '|%s|%s' % (VALIDATION, cname_refusal(record))
    after = _get(contoso, 'contoso.com')
    assert (after['Enabled'], after['Status'], after['BodyCanonicalization']) == (False, 'CnameMissing', 'Relaxed')


def test_new_with_enabled_true_creates_the_configuration_disabled_and_refuses_to_enable_it(contoso):
    response = contoso.invoke('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': True})
    assert response.status_code == 400
    record = _get(contoso, 'contoso.com')
    assert _internal(response)['message'] == cname_refusal(record)
    assert (record['Enabled'], record['Status']) == (False, 'CnameMissing')


# -- settings, rotation, removal --------------------------------------------------------------------------------


def test_set_writes_canonicalization_and_warns_when_nothing_changed(contoso):
    contoso.invoke('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': False,
                                             'HeaderCanonicalization': 'simple'})
    assert _get(contoso, 'contoso.com')['HeaderCanonicalization'] == 'Simple'
    changed = contoso.invoke('Set-DkimSigningConfig', {'Identity': 'contoso.com', 'BodyCanonicalization': 'Simple'})
    assert changed.status_code == 200 and changed.json()['@adminapi.warnings'] == []
    assert _get(contoso, 'contoso.com')['BodyCanonicalization'] == 'Simple'
    unchanged = contoso.invoke('Set-DkimSigningConfig', {'Identity': 'contoso.com', 'Enabled': False})
    assert unchanged.json()['@adminapi.warnings'] == [
        "The command completed successfully but no settings of 'contoso.com' have been modified."]
    assert contoso.invoke('Set-DkimSigningConfig', {'Identity': 'contoso.org', 'Enabled': False}).status_code == 404


def test_rotate_rekeys_the_selector_not_in_use_and_twice_rekeys_both(contoso):
    contoso.invoke('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': False})
    created = _get(contoso, 'contoso.com')
    assert contoso.invoke('Rotate-DkimSigningConfig', {'Identity': 'contoso.com', 'KeySize': 2048}).status_code == 200
    once = _get(contoso, 'contoso.com')
    assert (once['Selector1KeySize'], once['Selector2KeySize']) == (1024, 2048)
    assert once['Selector2PublicKey'] != created['Selector2PublicKey']
    assert once['Selector1PublicKey'] == created['Selector1PublicKey']
    assert (once['SelectorBeforeRotateOnDate'], once['SelectorAfterRotateOnDate']) == ('selector1', 'selector2')
    assert once['RotateOnDate'] > once['KeyCreationTime']
    assert (once['Selector1CNAME'], once['Selector2CNAME']) == (created['Selector1CNAME'], created['Selector2CNAME'])
    contoso.invoke('Rotate-DkimSigningConfig', {'Identity': 'contoso.com', 'KeySize': 2048})
    twice = _get(contoso, 'contoso.com')
    assert (twice['Selector1KeySize'], twice['Selector2KeySize']) == (2048, 2048)
    assert twice['SelectorAfterRotateOnDate'] == 'selector1'
    contoso.invoke('Rotate-DkimSigningConfig', {'Identity': 'contoso.com'})
    assert _get(contoso, 'contoso.com')['Selector2KeySize'] == 2048
    refused = contoso.invoke('Rotate-DkimSigningConfig', {'Identity': 'contoso.com', 'KeySize': 512})
    assert refused.status_code == 400 and _internal(refused)['type'] == VALIDATION


def test_remove_deletes_the_configuration(contoso):
    contoso.invoke('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': False})
    assert contoso.invoke('Remove-DkimSigningConfig', {'Identity': 'contoso.com'}).status_code == 200
    assert contoso.state()['dkim_signing_configs'] == []
    assert contoso.invoke('Remove-DkimSigningConfig', {'Identity': 'contoso.com'}).status_code == 404


def test_a_global_reader_may_read_but_not_create(contoso):
    assert contoso.invoke('Get-DkimSigningConfig', token=contoso.token('reader')).status_code == 200
    refused = contoso.invoke('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': False},
                             token=contoso.token('reader'))
    assert refused.status_code == 401
    assert contoso.state()['dkim_signing_configs'] == []


def test_the_call_log_marks_every_dkim_cmdlet_but_get_as_a_write(contoso):
    contoso.invoke('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': False})
    contoso.invoke('Get-DkimSigningConfig')
    contoso.invoke('Rotate-DkimSigningConfig', {'Identity': 'contoso.com'})
    contoso.invoke('Remove-DkimSigningConfig', {'Identity': 'contoso.com'})
    calls = contoso.admin('GET', 'calls').json()['calls']
    assert [(call['cmdlet'], call['write']) for call in calls] == [
        ('New-DkimSigningConfig', True), ('Get-DkimSigningConfig', False), ('Rotate-DkimSigningConfig', True),
        ('Remove-DkimSigningConfig', True)]


# -- enabling against a DNS server ------------------------------------------------------------------------------


class Nameserver:
    """An authoritative DNS server on 127.0.0.1 (UDP) that answers CNAME queries from ``records``
    (name -> target) and NXDOMAIN otherwise, and counts the questions it was asked."""

    def __init__(self):
        self.records = {}
        self.questions = []
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(('127.0.0.1', 0))
        self.port = self.socket.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                wire, client = self.socket.recvfrom(4096)
            except OSError:
                return
            query = dns.message.from_wire(wire)
            question = query.question[0]
            name = question.name.to_text().rstrip('.').lower()
            self.questions.append((name, dns.rdatatype.to_text(question.rdtype)))
            response = dns.message.make_response(query)
            response.flags |= dns.flags.AA
            if name in self.records:
                response.answer.append(dns.rrset.from_text(question.name, 300, 'IN', 'CNAME', self.records[name] + '.'))
            else:
                response.set_rcode(dns.rcode.NXDOMAIN)
            self.socket.sendto(response.to_wire(), client)

    def close(self):
        self.socket.close()


@pytest.fixture(scope='module')
def nameserver():
    server = Nameserver()
    yield server
    server.close()


@pytest.fixture(scope='module')
def woodgrove_lab(tmp_path_factory, nameserver):
    """A second emulator whose scenario names the test's DNS server."""
    directory = tmp_path_factory.mktemp('woodgrove')
    scenario = directory / 'scenario.yml'
    scenario.write_text(yaml.safe_dump({
        'dns_server': '127.0.0.1:%d' % nameserver.port,
        'tenants': [{'tenant_id': WOODGROVE, 'organization': 'woodgrove.onmicrosoft.com',
                     'accepted_domains': WOODGROVE_DOMAINS, 'apps': [WOODGROVE_APP]}]}))
    process, info = start_emulator(scenario, directory / 'ready.json')
    try:
        yield Lab(info, None)
    finally:
        stop_emulator(process)


@pytest.fixture
def woodgrove(woodgrove_lab, nameserver):
    woodgrove_lab.admin('PUT', 'tenants/%s/state' % WOODGROVE, {'dkim_signing_configs': []})
    nameserver.records.clear()
    del nameserver.questions[:]
    token = woodgrove_lab.token(WOODGROVE_APP['client_id'], tenant_id=WOODGROVE)

    def invoke(cmdlet, parameters=None):
        return woodgrove_lab.invoke(cmdlet, parameters, token=token, tenant_segment=WOODGROVE)
    return invoke


def _publish(nameserver, record, selectors=('selector1', 'selector2')):
    for selector in selectors:
        nameserver.records['%s._domainkey.%s' % (selector, record['Domain'])] = record['Selector%sCNAME' % selector[-1]]


def test_enabling_succeeds_once_both_cnames_point_at_the_targets(woodgrove, nameserver):
    created = woodgrove('New-DkimSigningConfig', {'DomainName': 'woodgrove.example', 'Enabled': False}).json()['value'][0]
    assert re.match(r'^selector1-woodgrove-example\._domainkey\.woodgrove\.[a-z]-v1\.dkim\.mail\.microsoft$',
                    created['Selector1CNAME'])
    _publish(nameserver, created)
    response = woodgrove('Set-DkimSigningConfig', {'Identity': 'woodgrove.example', 'Enabled': True})
    assert response.status_code == 200, response.text
    record = woodgrove('Get-DkimSigningConfig', {'Identity': 'woodgrove.example'}).json()['value'][0]
    assert (record['Enabled'], record['Status']) == (True, 'Valid')
    assert record['LastChecked'] >= created['LastChecked']
    assert set(nameserver.questions) == {('selector1._domainkey.woodgrove.example', 'CNAME'),
                                         ('selector2._domainkey.woodgrove.example', 'CNAME')}


def test_new_with_enabled_true_signs_at_once_when_the_cnames_are_already_published(woodgrove, nameserver):
    created = woodgrove('New-DkimSigningConfig', {'DomainName': 'mail.woodgrove.example', 'Enabled': False}).json()['value'][0]
    _publish(nameserver, created)
    woodgrove('Remove-DkimSigningConfig', {'Identity': 'mail.woodgrove.example'})
    response = woodgrove('New-DkimSigningConfig', {'DomainName': 'mail.woodgrove.example', 'Enabled': True})
    assert response.status_code == 200, response.text
    assert (response.json()['value'][0]['Enabled'], response.json()['value'][0]['Status']) == (True, 'Valid')


@pytest.mark.parametrize('published', ['selector1 only', 'selector2 elsewhere'])
def test_enabling_is_refused_while_a_cname_is_missing_or_points_elsewhere(woodgrove, nameserver, published):
    created = woodgrove('New-DkimSigningConfig', {'DomainName': 'woodgrove.example', 'Enabled': False}).json()['value'][0]
    if published == 'selector1 only':
        _publish(nameserver, created, ('selector1',))
    else:
        _publish(nameserver, created)
        nameserver.records['selector2._domainkey.woodgrove.example'] = 'selector2-woodgrove-example._domainkey.other.onmicrosoft.com'
    response = woodgrove('Set-DkimSigningConfig', {'Identity': 'woodgrove.example', 'Enabled': True})
    assert response.status_code == 400
    assert _internal(response) == {'type': VALIDATION, 'message': cname_refusal(created)}
    record = woodgrove('Get-DkimSigningConfig', {'Identity': 'woodgrove.example'}).json()['value'][0]
    assert (record['Enabled'], record['Status']) == (False, 'CnameMissing')


def test_cname_targets_compare_without_case_or_trailing_dot(woodgrove, nameserver):
    created = woodgrove('New-DkimSigningConfig', {'DomainName': 'woodgrove.example', 'Enabled': False}).json()['value'][0]
    for selector in ('selector1', 'selector2'):
        nameserver.records['%s._domainkey.woodgrove.example' % selector] = created['Selector%sCNAME' % selector[-1]].upper()
    assert woodgrove('Set-DkimSigningConfig', {'Identity': 'woodgrove.example', 'Enabled': True}).status_code == 200


def test_a_dns_server_that_is_not_host_and_port_stops_the_emulator_before_it_is_ready(tmp_path):
    scenario = tmp_path / 'scenario.yml'
    scenario.write_text(yaml.safe_dump({
        'dns_server': '127.0.0.1:not-a-port',
        'tenants': [{'tenant_id': WOODGROVE, 'organization': 'woodgrove.onmicrosoft.com', 'apps': [WOODGROVE_APP]}]}))
    result = subprocess.run([sys.executable, EMULATOR, '--scenario', str(scenario), '--ready-file', str(tmp_path / 'ready')],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert 'dns_server' in result.stderr
    assert not (tmp_path / 'ready').exists()
