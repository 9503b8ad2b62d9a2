# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The compliance report callback, fed the task results an audit of the centralized_mailflow role produces."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import hashlib
import json
import os
import re
from xml.etree import ElementTree

import jsonschema
import pytest

from ansible.plugins.loader import callback_loader

from ansible_collections.exoguard.mailflow.plugins.callback import compliance_report
from ansible_collections.exoguard.mailflow.plugins.callback.compliance_report import (
    CONTROL_IDS, ComplianceReport, render_html, render_json, render_junit, write_reports)

SCHEMA = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'docs', 'compliance-report.schema.json')
GENERATED = datetime.datetime(2026, 3, 2, 7, 30, tzinfo=datetime.timezone.utc)
CONTOSO = 'contoso.onmicrosoft.com'
FABRIKAM = 'fabrikam.onmicrosoft.com'


class FakeHost:
    def __init__(self, name):
        self.name = name

    def get_name(self):
        return self.name


class FakeTask:
    def __init__(self, name, controls=None, action='exoguard.mailflow.exo_org_config', check_mode=True):
        self.name = name
        self.action = action
        self.check_mode = check_mode
        self.vars = {} if controls is None else {'exoguard_control': controls}

    def get_name(self):
        return 'exoguard.mailflow.centralized_mailflow : ' + self.name


class FakeResult:
    def __init__(self, host, task, result):
        self.host = FakeHost(host)
        self.task = task
        self.result = result


class FakePlay:
    def __init__(self, tasks):
        self.tasks = tasks


class FakeStats:
    pass


def changed(before, after, **extra):
    return dict({'changed': True, 'diff': {'before': before, 'after': after}}, **extra)


def unchanged(record, **extra):
    return dict({'changed': False, 'diff': {'before': record, 'after': record}}, **extra)


def dns_result(before, after, findings=()):
    return {'changed': before != after, 'findings': list(findings), 'records': {}, 'diff': {'before': before, 'after': after}}


def document(report):
    return report.document(generated_at=GENERATED)


def cell(doc, tenant, control):
    return next(row for row in doc['tenants'] if row['name'] == tenant)['controls'][control]


def validate(doc):
    with open(SCHEMA) as handle:
        jsonschema.validate(doc, json.load(handle))


def audit_of_two_tenants():
    """Contoso hardened but for RejectDirectSend; Fabrikam at phase 2 (later phases skipped)."""
    report = ComplianceReport()
    rds = FakeTask('Block Direct Send', 'reject_direct_send')
    report.record(CONTOSO, 'Block Direct Send', ['reject_direct_send'], 'ok',
                  changed({'reject_direct_send': False}, {'reject_direct_send': True},
                          invocation={'module_args': {'tenant_id': 'c0c0c0c0-0000-4000-8000-000000000001'}}),
                  action=rds.action, check_mode=True)
    report.record(CONTOSO, 'The gateway connector', ['connector_restricted'], 'ok',
                  unchanged({'restrict_domains_to_ip_addresses': True}), check_mode=True)
    report.record(FABRIKAM, 'Phase 3 - RejectDirectSend', ['reject_direct_send'], 'skipped',
                  {'changed': False, 'false_condition': 'centralized_mailflow_phase | int >= 3'},
                  action='ansible.builtin.include_tasks')
    report.record(FABRIKAM, 'The gateway connector', ['connector_restricted'], 'ok',
                  changed({}, {'restrict_domains_to_ip_addresses': True, 'enabled': True}), check_mode=True)
    return report


def test_every_tenant_has_a_cell_for_every_control_and_the_json_matches_its_schema():
    doc = document(audit_of_two_tenants())
    validate(doc)
    validate(json.loads(render_json(doc)))
    assert [row['name'] for row in doc['tenants']] == [CONTOSO, FABRIKAM]
    assert [control['id'] for control in doc['controls']] == list(CONTROL_IDS)
    assert all(set(row['controls']) == set(CONTROL_IDS) for row in doc['tenants'])
    assert doc['generated_at'] == '2026-03-02T07:30:00Z' and doc['check_mode'] is True
    assert sum(doc['summary'].values()) == 2 * len(CONTROL_IDS)


def test_a_changed_result_is_drift_with_its_diff_and_the_properties_that_change():
    rds = cell(document(audit_of_two_tenants()), CONTOSO, 'reject_direct_send')
    assert rds['status'] == 'drift'
    assert rds['message'] == 'reject_direct_send: false -> true'
    [evidence] = rds['evidence']
    assert evidence['changes'] == [{'property': 'reject_direct_send', 'before': False, 'after': True}]
    assert '-  "reject_direct_send": false' in evidence['diff'] and '+  "reject_direct_send": true' in evidence['diff']


def test_an_object_that_would_be_created_says_so():
    connector = cell(document(audit_of_two_tenants()), FABRIKAM, 'connector_restricted')
    assert (connector['status'], connector['message']) == ('drift', 'missing: it would be created')


def test_an_unchanged_result_is_compliant():
    doc = document(audit_of_two_tenants())
    assert cell(doc, CONTOSO, 'connector_restricted')['status'] == 'compliant'
    assert 'diff' not in cell(doc, CONTOSO, 'connector_restricted')['evidence'][0]


def test_a_skipped_include_makes_its_controls_not_applicable_with_the_condition():
    rds = cell(document(audit_of_two_tenants()), FABRIKAM, 'reject_direct_send')
    assert rds['status'] == 'not_applicable'
    assert rds['message'] == 'Phase 3 - RejectDirectSend: skipped, since centralized_mailflow_phase | int >= 3 is false'


def test_an_included_file_says_nothing_about_its_controls_by_itself():
    report = ComplianceReport()
    report.record(CONTOSO, 'Phase 3 - RejectDirectSend', ['reject_direct_send'], 'ok', {'changed': False},
                  action='ansible.builtin.include_tasks')
    rds = cell(document(report), CONTOSO, 'reject_direct_send')
    assert rds['status'] == 'not_applicable' and rds['evidence'] == []
    assert rds['message'].startswith('not evaluated in this run')


def test_a_control_no_task_decided_is_not_applicable():
    assert cell(document(audit_of_two_tenants()), CONTOSO, 'antispam')['status'] == 'not_applicable'


@pytest.mark.parametrize('statuses, expected', [
    (['compliant', 'drift'], 'drift'),
    (['drift', 'error', 'compliant'], 'error'),
    (['not_applicable', 'compliant'], 'compliant'),
    (['not_applicable'], 'not_applicable'),
])
def test_a_control_with_several_tasks_takes_the_worst(statuses, expected):
    results = {
        'compliant': ('ok', unchanged({'mode': 'Enforce'})),
        'drift': ('ok', changed({'mode': 'Audit'}, {'mode': 'Enforce'})),
        'error': ('failed', {'msg': 'Throttled: Get-TransportRule', 'changed': False}),
        'not_applicable': ('skipped', {'false_condition': 'centralized_mailflow_phase | int >= 4'}),
    }
    report = ComplianceReport()
    for number, status in enumerate(statuses):
        outcome, result = results[status]
        report.record(CONTOSO, 'Rule %d' % number, ['safety_net_rule'], outcome, result)
    assert cell(document(report), CONTOSO, 'safety_net_rule')['status'] == expected


def test_one_dns_auth_records_result_is_split_into_spf_and_dmarc():
    before = ('contoso.com. 3600 IN TXT "v=spf1 include:spf.protection.outlook.com ~all"\n'
              '_dmarc.contoso.com. 3600 IN TXT "v=DMARC1; p=quarantine"\n')
    after = ('contoso.com. 3600 IN TXT "v=spf1 include:spf.protection.outlook.com -all"\n'
             '_dmarc.contoso.com. 3600 IN TXT "v=DMARC1; p=quarantine"\n')
    report = ComplianceReport()
    result = {'changed': True, 'results': [dict(dns_result(before, after), item='contoso.com', _ansible_item_label='contoso.com')]}
    report.record(CONTOSO, 'SPF and DMARC', ['spf', 'dmarc'], 'ok', result)
    doc = document(report)
    spf, dmarc = cell(doc, CONTOSO, 'spf'), cell(doc, CONTOSO, 'dmarc')
    assert spf['status'] == 'drift' and dmarc['status'] == 'compliant'
    assert spf['evidence'][0]['item'] == 'contoso.com'
    assert '+contoso.com. 3600 IN TXT "v=spf1 include:spf.protection.outlook.com -all"' in spf['evidence'][0]['diff']
    assert '_dmarc' not in spf['evidence'][0]['diff']


def test_a_dns_finding_is_drift_of_its_own_record_only():
    report = ComplianceReport()
    finding = {'record': 'dmarc', 'severity': 'error', 'message': 'no DMARC record at _dmarc.contoso.com'}
    report.record(CONTOSO, 'SPF and DMARC', ['spf', 'dmarc'], 'ok',
                  {'changed': False, 'results': [dict(dns_result('', '', [finding]), item='contoso.com')]})
    doc = document(report)
    assert cell(doc, CONTOSO, 'spf')['status'] == 'compliant'
    dmarc = cell(doc, CONTOSO, 'dmarc')
    assert (dmarc['status'], dmarc['message']) == ('drift', 'no DMARC record at _dmarc.contoso.com')
    assert dmarc['evidence'][0]['findings'] == [finding]


def test_a_failed_dns_audit_is_an_error_of_both_records():
    report = ComplianceReport()
    failure = {'failed': True, 'msg': 'the DNS server 127.0.0.1 did not answer', 'findings': [], 'item': 'contoso.com'}
    report.record(CONTOSO, 'SPF and DMARC', ['spf', 'dmarc'], 'failed', {'changed': False, 'results': [failure]})
    doc = document(report)
    assert [cell(doc, CONTOSO, control)['message'] for control in ('spf', 'dmarc')] == \
        ['the DNS server 127.0.0.1 did not answer'] * 2


def test_loop_items_each_give_their_own_evidence():
    report = ComplianceReport()
    report.record(CONTOSO, 'DKIM signing configuration', ['dkim'], 'ok', {'changed': True, 'results': [
        dict(unchanged({'enabled': True}), item='contoso.com'),
        dict(changed({}, {'enabled': False}), item='contoso.net'),
        {'skipped': True, 'item': 'contoso.org', 'false_condition': 'item != "contoso.org"'},
    ]})
    dkim = cell(document(report), CONTOSO, 'dkim')
    assert dkim['status'] == 'drift'
    assert [(entry['item'], entry['status']) for entry in dkim['evidence']] == [
        ('contoso.com', 'compliant'), ('contoso.net', 'drift'), ('contoso.org', 'not_applicable')]


def test_dkim_signing_the_role_tolerates_failing_is_still_drift():
    report = ComplianceReport()
    refused = {'changed': False, 'failed': False, 'failed_when_result': False, 'item': 'contoso.com',
               'msg': 'Exchange refuses to enable DKIM signing for contoso.com until both CNAME records are published.',
               'error': {'type': 'InvalidParameter', 'message': 'CNAME record does not exist'}}
    report.record(CONTOSO, 'Enable DKIM signing', ['dkim'], 'ok', {'changed': False, 'results': [refused]})
    dkim = cell(document(report), CONTOSO, 'dkim')
    assert dkim['status'] == 'drift' and dkim['message'].startswith('Exchange refuses to enable DKIM signing')


def test_a_failed_control_task_is_an_error_with_its_message():
    report = ComplianceReport()
    message = 'Throttled: Get-HostedContentFilterPolicy in tenant contoso.onmicrosoft.com: 429 Too Many Requests (4 attempts)'
    report.record(CONTOSO, 'Anti-spam policy', ['antispam'], 'failed', {'changed': False, 'msg': message})
    antispam = cell(document(report), CONTOSO, 'antispam')
    assert (antispam['status'], antispam['message']) == ('error', message)


def run_callback(events, tmp_path, monkeypatch, play_tasks=None):
    """Feed ``events`` (callback method name, FakeResult) to the plugin as ansible-playbook would; returns the JSON."""
    monkeypatch.setenv('EXOGUARD_REPORT_DIR', str(tmp_path / 'reports'))
    callback = callback_loader.get('exoguard.mailflow.compliance_report')
    callback.set_options()
    callback.v2_playbook_on_play_start(FakePlay(play_tasks or [FakeTask('Phase 3', ['reject_direct_send'])]))
    for method, result in events:
        getattr(callback, method)(result)
    callback.v2_playbook_on_stats(FakeStats())
    path = tmp_path / 'reports' / 'compliance-report.json'
    return json.loads(path.read_text()) if path.exists() else None


def test_a_tenant_that_stopped_is_an_error_for_every_control_it_did_not_reach(tmp_path, monkeypatch):
    first = FakeTask("Read the tenant's accepted domains and organization settings", action='exoguard.mailflow.exo_config_info')
    message = ('AuthFailed: the sign-in of app 7b7b7b7b in tenant t05lab.onmicrosoft.com was refused: '
               'AADSTS7000215: Invalid client secret provided.')
    doc = run_callback([
        ('v2_runner_on_failed', FakeResult('t05lab.onmicrosoft.com', first, {'msg': message, 'changed': False})),
        ('v2_runner_on_ok', FakeResult(CONTOSO, FakeTask('Block Direct Send', 'reject_direct_send'), unchanged({'reject_direct_send': True}))),
    ], tmp_path, monkeypatch)
    validate(doc)
    broken = next(row for row in doc['tenants'] if row['name'] == 't05lab.onmicrosoft.com')
    assert broken['status'] == 'error'
    assert broken['failure'] == {'task': first.name, 'message': message, 'unreachable': False}
    assert set(row['status'] for row in broken['controls'].values()) == {'error'}
    assert message in broken['controls']['dkim']['message']
    assert cell(doc, CONTOSO, 'reject_direct_send')['status'] == 'compliant'


def test_controls_decided_before_a_tenant_stopped_keep_their_status(tmp_path, monkeypatch):
    doc = run_callback([
        ('v2_runner_on_ok', FakeResult(CONTOSO, FakeTask('Block Direct Send', 'reject_direct_send'), unchanged({'reject_direct_send': True}))),
        ('v2_runner_on_skipped', FakeResult(CONTOSO, FakeTask('Enhanced Filtering', ['skip_listing'], action='ansible.builtin.include_tasks'),
                                            {'false_condition': 'centralized_mailflow_seg_ip_addresses | length > 0'})),
        ('v2_runner_on_failed', FakeResult(CONTOSO, FakeTask('Anti-phishing policy', 'antiphish'), {'msg': 'Throttled', 'changed': False})),
    ], tmp_path, monkeypatch)
    statuses = dict((control, cell(doc, CONTOSO, control)['status']) for control in CONTROL_IDS)
    assert statuses['reject_direct_send'] == 'compliant' and statuses['skip_listing'] == 'not_applicable'
    assert statuses['antiphish'] == 'error' and cell(doc, CONTOSO, 'antiphish')['message'] == 'Throttled'
    assert statuses['antispam'] == 'error' and 'not evaluated' in cell(doc, CONTOSO, 'antispam')['message']


def test_an_ignored_failure_does_not_stop_the_tenant(tmp_path, monkeypatch):
    callback_task = FakeTask('Read something', action='ansible.builtin.uri')
    monkeypatch.setenv('EXOGUARD_REPORT_DIR', str(tmp_path / 'reports'))
    callback = callback_loader.get('exoguard.mailflow.compliance_report')
    callback.set_options()
    callback.v2_playbook_on_play_start(FakePlay([FakeTask('Phase 3', ['reject_direct_send'])]))
    callback.v2_runner_on_failed(FakeResult(CONTOSO, callback_task, {'msg': 'no'}), ignore_errors=True)
    callback.v2_runner_on_ok(FakeResult(CONTOSO, FakeTask('Block Direct Send', 'reject_direct_send'), unchanged({})))
    callback.v2_playbook_on_stats(FakeStats())
    doc = json.loads((tmp_path / 'reports' / 'compliance-report.json').read_text())
    assert doc['tenants'][0]['failure'] is None


def test_a_run_without_the_role_writes_no_report(tmp_path, monkeypatch):
    doc = run_callback([
        ('v2_runner_on_failed', FakeResult('localhost', FakeTask('Something else', action='ansible.builtin.command'), {'msg': 'no'})),
    ], tmp_path, monkeypatch, play_tasks=[FakeTask('Something else', action='ansible.builtin.command')])
    assert doc is None and not (tmp_path / 'reports').exists()


def test_the_report_goes_to_exoguard_report_dir_in_three_formats(tmp_path, monkeypatch):
    run_callback([('v2_runner_on_ok', FakeResult(CONTOSO, FakeTask('Block Direct Send', 'reject_direct_send'), unchanged({})))],
                 tmp_path, monkeypatch)
    assert sorted(os.listdir(str(tmp_path / 'reports'))) == ['compliance-report.html', 'compliance-report.json',
                                                             'compliance-report.xml']


def test_check_mode_is_false_when_a_control_task_applied_changes(tmp_path, monkeypatch):
    doc = run_callback([('v2_runner_on_ok', FakeResult(CONTOSO, FakeTask('Block Direct Send', 'reject_direct_send', check_mode=False),
                                                       changed({'reject_direct_send': False}, {'reject_direct_send': True})))],
                       tmp_path, monkeypatch)
    assert doc['check_mode'] is False


def test_junit_has_one_case_per_tenant_and_control():
    doc = document(audit_of_two_tenants())
    suites = ElementTree.fromstring(render_junit(doc))
    cases = suites.findall('testsuite/testcase')
    assert len(cases) == 2 * len(CONTROL_IDS) == int(suites.get('tests'))
    assert [suite.get('name') for suite in suites.findall('testsuite')] == [CONTOSO, FABRIKAM]
    rds = next(case for case in cases if case.get('classname') == CONTOSO + '.reject_direct_send')
    assert rds.get('name') == 'RejectDirectSend'
    assert rds.find('failure').get('message') == 'reject_direct_send: false -> true'
    assert '+  "reject_direct_send": true' in rds.find('failure').text
    assert int(suites.get('failures')) == doc['summary']['drift']
    assert int(suites.get('skipped')) == doc['summary']['not_applicable']
    assert int(suites.get('errors')) == doc['summary']['error'] == 0


def test_junit_reports_an_error_as_an_error():
    report = ComplianceReport()
    report.record(CONTOSO, 'Anti-spam policy', ['antispam'], 'failed', {'msg': 'Throttled <429> & "out"'})
    case = next(case for case in ElementTree.fromstring(render_junit(document(report))).iter('testcase')
                if case.get('classname') == CONTOSO + '.antispam')
    assert case.find('error').get('message') == 'Throttled <429> & "out"'


HOSTILE_TENANT = '<script>alert("tenant")</script>.onmicrosoft.com'
HOSTILE_DIFF = '</pre><img src=x onerror=alert(1)>'


def hostile_report():
    report = ComplianceReport()
    report.record(HOSTILE_TENANT, 'Anti-phishing policy', ['antiphish'], 'ok',
                  changed({'comment': 'old'}, {'comment': HOSTILE_DIFF}))
    report.record(HOSTILE_TENANT, 'Anti-spam policy', ['antispam'], 'failed', {'msg': '<b>refused</b> & "quoted"'})
    return report


def test_the_html_page_escapes_tenant_names_diffs_and_messages():
    page = render_html(document(hostile_report()))
    assert HOSTILE_TENANT not in page and '<img' not in page and '<b>refused' not in page
    assert '&lt;script&gt;alert(&quot;tenant&quot;)&lt;/script&gt;.onmicrosoft.com' in page
    assert '&lt;/pre&gt;&lt;img src=x onerror=alert(1)&gt;' in page
    assert page.count('<script>') == 1


def test_the_html_page_loads_nothing_from_elsewhere_and_runs_only_its_own_script():
    page = render_html(document(audit_of_two_tenants()))
    assert not re.search(r'''(src|href)\s*=\s*["']?(https?:)?//''', page)
    assert '<link' not in page and '@import' not in page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1).replace('&#x27;', "'")
    assert "default-src 'none'" in policy
    script = re.search(r'<script>(.*?)</script>', page, re.DOTALL).group(1)
    style = re.search(r'<style>(.*?)</style>', page, re.DOTALL).group(1)
    for text, directive in ((script, 'script-src'), (style, 'style-src')):
        digest = base64.b64encode(hashlib.sha256(text.encode('utf-8')).digest()).decode('ascii')
        assert "%s 'sha256-%s'" % (directive, digest) in policy


def test_the_html_matrix_has_a_row_per_tenant_and_a_cell_per_control():
    page = render_html(document(audit_of_two_tenants()))
    assert len(re.findall(r'<tr data-index=', page)) == 2
    assert len(re.findall(r'<td class="cell status-', page)) == 2 * len(CONTROL_IDS)
    assert 'data-control="reject_direct_send" data-status="drift"' in page


CLIENT_SECRET = 'Zq8~lab.client-secret_Value-1234'
TSIG_SECRET = 'c2VjcmV0LXRzaWcta2V5LWZvci1sYWItb25seQ=='
JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJjb250b3NvIn0.c2lnbmF0dXJlLWJ5dGVz'
PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----'


def test_no_secret_reaches_any_report_file(tmp_path):
    report = ComplianceReport()
    report.record(CONTOSO, 'Anti-phishing policy', ['antiphish'], 'ok', {
        'changed': True,
        'diff': {'before': {'client_secret': CLIENT_SECRET, 'enabled': False, 'nested': {'key_secret': TSIG_SECRET}},
                 'after': {'client_secret': CLIENT_SECRET, 'enabled': True, 'certificate': PRIVATE_KEY}},
        'invocation': {'module_args': {'client_secret': CLIENT_SECRET, 'tenant_id': 'x'}}})
    report.record(CONTOSO, 'Anti-spam policy', ['antispam'], 'failed', {
        'msg': 'refused with Authorization: Bearer %s (client_secret=%s, key_secret: %s)' % (JWT, CLIENT_SECRET, TSIG_SECRET)})
    report.record(CONTOSO, 'SPF and DMARC', ['spf', 'dmarc'], 'failed', {'msg': 'token %s was refused' % JWT, 'findings': []})
    report.failed(CONTOSO, 'Anti-spam policy', {'msg': 'password=%s' % CLIENT_SECRET})
    paths = write_reports(document(report), str(tmp_path))
    for path in paths.values():
        with open(path) as handle:
            text = handle.read()
        for secret in (CLIENT_SECRET, TSIG_SECRET, JWT, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'):
            assert secret not in text, (path, secret)
    doc = json.loads(open(paths['json']).read())
    changes = cell(doc, CONTOSO, 'antiphish')['evidence'][0]['changes']
    assert [change['property'] for change in changes] == ['certificate', 'enabled', 'nested']
    assert changes[0]['after'] == '[redacted]' and changes[2]['before'] == {}


def test_a_result_hidden_by_no_log_is_reported_without_its_content():
    report = ComplianceReport()
    report.record(CONTOSO, 'Anti-spam policy', ['antispam'], 'failed',
                  {'censored': "the output has been hidden due to the fact that 'no_log: true' was specified", 'changed': False})
    assert cell(document(report), CONTOSO, 'antispam')['message'] == 'the result is hidden by no_log'


def test_rewriting_the_report_replaces_the_files_whole(tmp_path):
    write_reports(document(audit_of_two_tenants()), str(tmp_path))
    report = ComplianceReport()
    report.record(CONTOSO, 'Block Direct Send', ['reject_direct_send'], 'ok', unchanged({}))
    paths = write_reports(document(report), str(tmp_path))
    assert [row['name'] for row in json.loads(open(paths['json']).read())['tenants']] == [CONTOSO]
    assert sorted(os.listdir(str(tmp_path))) == ['compliance-report.html', 'compliance-report.json', 'compliance-report.xml']


def test_a_task_variable_naming_unknown_controls_is_ignored():
    assert compliance_report.controls_of(['spf', 'no_such_control']) == ['spf']
    assert compliance_report.controls_of('dkim') == ['dkim']
    assert compliance_report.controls_of(None) == []
