# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What runme.sh's audit wrote, checked as a user sees it: the JSON against its schema and the lab's known states,
the JUnit XML, the HTML page in headless Chromium, no secret anywhere, and each tenant's calls with its own token.

Environment (set by runme.sh): REPORT_OUTPUT (the report files; the screenshot goes there too), EMULATOR_WORK
(scenario.yml, lab.yml), EMULATOR_READY, COLLECTION_ROOT, BIND_KEY_SECRET.
"""
import json
import os
import ssl
import urllib.request
from xml.etree import ElementTree

import jsonschema
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

COLLECTION_ROOT = os.environ['COLLECTION_ROOT']
OUTPUT = os.environ['REPORT_OUTPUT']
WORK = os.environ['EMULATOR_WORK']
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
CHROMEDRIVER = os.environ.get('CHROMEDRIVER', '/usr/bin/chromedriver')

CONTROLS = ['reject_direct_send', 'connector_restricted', 'safety_net_rule', 'skip_listing', 'spf', 'dkim', 'dmarc',
            'antiphish', 'antispam', 'ip_allow_list']
C, D, E, N = 'compliant', 'drift', 'error', 'not_applicable'


def row(**cells):
    return [cells[control] for control in CONTROLS]


#: The report the lab must give (make_lab.py says why each tenant is where it is).
EXPECTED = {
    'badcredslab.onmicrosoft.com': [E] * 10,
    'certonlylab.onmicrosoft.com': row(reject_direct_send=D, connector_restricted=D, safety_net_rule=N, skip_listing=N,
                                       spf=C, dkim=D, dmarc=D, antiphish=D, antispam=D, ip_allow_list=C),
    'driftedlab.onmicrosoft.com': row(reject_direct_send=D, connector_restricted=C, safety_net_rule=C, skip_listing=C,
                                      spf=D, dkim=C, dmarc=D, antiphish=C, antispam=C, ip_allow_list=C),
    'hardenedlab.onmicrosoft.com': [C] * 10,
    'phase2lab.onmicrosoft.com': row(reject_direct_send=N, connector_restricted=D, safety_net_rule=D, skip_listing=N,
                                     spf=N, dkim=N, dmarc=N, antiphish=N, antispam=N, ip_allow_list=N),
    'throttledlab.onmicrosoft.com': [E] * 10,
}
TENANTS = sorted(EXPECTED)


def load(name):
    with open(os.path.join(OUTPUT, name), encoding='utf-8') as handle:
        return handle.read()


@pytest.fixture(scope='module')
def report():
    return json.loads(load('compliance-report.json'))


def cell(report, tenant, control):
    return next(entry for entry in report['tenants'] if entry['name'] == tenant)['controls'][control]


def test_the_json_report_matches_its_schema(report):
    with open(os.path.join(COLLECTION_ROOT, 'docs', 'compliance-report.schema.json')) as handle:
        jsonschema.validate(report, json.load(handle))
    assert report['playbooks'] == ['audit.yml'] and report['check_mode'] is True


def test_every_tenant_shows_the_state_it_is_in(report):
    found = dict((tenant['name'], [tenant['controls'][control]['status'] for control in CONTROLS])
                 for tenant in report['tenants'])
    assert found == EXPECTED


def drift_of(cell):
    [evidence] = [entry for entry in cell['evidence'] if entry['status'] == 'drift']
    return evidence


def test_drift_carries_the_diff(report):
    rds = cell(report, 'driftedlab.onmicrosoft.com', 'reject_direct_send')
    assert rds['message'] == 'reject_direct_send: false -> true'
    assert '+  "reject_direct_send": true' in drift_of(rds)['diff']
    # One dns_auth_records task audits both records: each control gets its own record's lines.
    spf = cell(report, 'driftedlab.onmicrosoft.com', 'spf')
    assert spf['message'] == ('drifted-lab.example. TXT: "v=spf1 ip4:192.0.2.0/24 include:spf.protection.outlook.com ~all"'
                              ' -> "v=spf1 ip4:192.0.2.0/24 include:spf.protection.outlook.com -all"')
    assert drift_of(spf)['item'] == 'drifted-lab.example' and '_dmarc' not in drift_of(spf)['diff']
    dmarc = cell(report, 'driftedlab.onmicrosoft.com', 'dmarc')
    assert dmarc['message'] == '_dmarc.drifted-lab.example. TXT: "v=DMARC1; p=none" -> "v=DMARC1; p=reject"'
    assert 'spf1' not in drift_of(dmarc)['diff']
    assert cell(report, 'certonlylab.onmicrosoft.com', 'dmarc')['message'].endswith('(none) -> "v=DMARC1; p=reject"')


def test_not_applicable_says_why(report):
    assert 'centralized_mailflow_phase | int >= 3' in cell(report, 'phase2lab.onmicrosoft.com', 'reject_direct_send')['message']
    assert 'centralized_mailflow_seg_ip_addresses | length > 0' in \
        cell(report, 'certonlylab.onmicrosoft.com', 'safety_net_rule')['message']


def test_a_tenant_that_fails_is_an_error_with_its_message(report):
    badcreds = next(tenant for tenant in report['tenants'] if tenant['name'] == 'badcredslab.onmicrosoft.com')
    assert 'AADSTS7000215' in badcreds['failure']['message']
    assert all(badcreds['failure']['message'] in cell['message'] for cell in badcreds['controls'].values())
    throttled = next(tenant for tenant in report['tenants'] if tenant['name'] == 'throttledlab.onmicrosoft.com')
    assert 'Throttled' in throttled['failure']['message'] or '429' in throttled['failure']['message']


def test_junit_has_a_case_per_tenant_and_control():
    suites = ElementTree.fromstring(load('compliance-report.xml'))
    outcome = {'failure': D, 'error': E, 'skipped': N}
    found = {}
    for suite in suites.findall('testsuite'):
        cases = suite.findall('testcase')
        assert len(cases) == len(CONTROLS)
        found[suite.get('name')] = [next((outcome[child.tag] for child in case), C) for case in cases]
    assert found == EXPECTED
    assert int(suites.get('tests')) == len(TENANTS) * len(CONTROLS)


def secrets():
    """Every credential the run had: the apps' secrets, the wrong one, and the TSIG key."""
    with open(os.path.join(WORK, 'scenario.yml')) as handle:
        found = set(app['client_secret'] for tenant in json.load(handle)['tenants'] for app in tenant['apps'])
    with open(os.path.join(WORK, 'lab.yml')) as handle:
        lab = json.load(handle)
    found.update(host['exo_client_secret'] for host in lab['all']['children']['tenants']['hosts'].values()
                 if 'exo_client_secret' in host)
    found.add(os.environ['BIND_KEY_SECRET'])
    return found


def test_no_secret_is_in_any_report_file():
    files = [name for name in os.listdir(OUTPUT) if name.startswith('compliance-report.')]
    assert len(files) >= 3
    for name in files:
        text = load(name) if not name.endswith('.png') else ''
        for secret in secrets():
            assert secret not in text, '%s holds a secret' % name


def admin(path):
    with open(os.environ['EMULATOR_READY']) as handle:
        ready = json.load(handle)
    context = ssl.create_default_context(cafile=ready['ca_file'])
    with urllib.request.urlopen(ready['admin_url'] + path, context=context, timeout=30) as answer:
        return json.load(answer)


def lab_apps():
    with open(os.path.join(WORK, 'scenario.yml')) as handle:
        return dict((tenant['tenant_id'], tenant['apps'][0]['client_id']) for tenant in json.load(handle)['tenants'])


def test_every_api_call_carries_a_token_of_its_own_tenant_and_app():
    apps = lab_apps()
    calls = admin('calls')['calls']
    assert calls
    wrong = [(call['tenant'], call['token_tenant'], call['app'], call['cmdlet']) for call in calls
             if call['token_tenant'] != call['tenant'] or call['app'] != apps.get(call['tenant'])]
    assert wrong == []
    # Four tenants ran, one was throttled after signing in; the one with the wrong secret never got a token.
    assert set(call['tenant'] for call in calls) == set(apps) - {'5c5c5c5c-0000-4000-8000-000000000005'}
    assert set(call['status'] for call in calls if call['tenant'] == '5c5c5c5c-0000-4000-8000-000000000006') == {429}


def test_tokens_are_issued_per_tenant_even_for_one_app_in_two_tenants():
    apps = lab_apps()
    tokens = dict(((entry['tenant'], entry['client_id']), entry) for entry in admin('tokens')['tokens'])
    assert set(tokens) == set(apps.items())
    shared = [key for key in tokens if key[1] == apps['5c5c5c5c-0000-4000-8000-000000000003']]
    assert len(shared) == 2 and all(tokens[key]['issued'] >= 1 for key in shared)
    assert tokens[('5c5c5c5c-0000-4000-8000-000000000005', apps['5c5c5c5c-0000-4000-8000-000000000005'])]['issued'] == 0


@pytest.fixture(scope='module')
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail('headless Chromium is missing: scripts/install-system-packages installs chromium and chromium-driver')
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1600,1000'):
        options.add_argument(argument)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.get('file://' + os.path.join(OUTPUT, 'compliance-report.html'))
    yield driver
    driver.quit()


def visible_tenants(driver):
    return [element.get_attribute('data-tenant') for element in driver.find_elements(By.CSS_SELECTOR, '#matrix tbody tr')
            if element.is_displayed()]


def test_the_page_shows_the_matrix(browser):
    headers = [element.text for element in browser.find_elements(By.CSS_SELECTOR, '#matrix thead th')]
    assert headers == ['Tenant', 'RejectDirectSend', 'Connector restricted', 'Safety-net rule', 'Skip listing', 'SPF',
                       'DKIM', 'DMARC', 'Anti-phish', 'Anti-spam', 'IP allow list']
    assert visible_tenants(browser) == TENANTS
    for tenant in TENANTS:
        cells = browser.find_elements(By.CSS_SELECTOR, '#matrix tbody tr[data-tenant="%s"] td.cell' % tenant)
        assert [element.get_attribute('data-status') for element in cells] == EXPECTED[tenant]
        assert all('status-' + element.get_attribute('data-status') in element.get_attribute('class').split()
                   for element in cells)
    colours = set(element.value_of_css_property('background-color')
                  for element in browser.find_elements(By.CSS_SELECTOR, 'td.cell'))
    assert len(colours) == 4


def test_the_status_filter_shows_only_matching_tenants(browser):
    expected = {'error': ['badcredslab.onmicrosoft.com', 'throttledlab.onmicrosoft.com'],
                'not_applicable': ['certonlylab.onmicrosoft.com', 'phase2lab.onmicrosoft.com'],
                'drift': ['certonlylab.onmicrosoft.com', 'driftedlab.onmicrosoft.com', 'phase2lab.onmicrosoft.com'],
                'compliant': ['certonlylab.onmicrosoft.com', 'driftedlab.onmicrosoft.com', 'hardenedlab.onmicrosoft.com'],
                'all': TENANTS}
    for status, tenants in expected.items():
        browser.find_element(By.CSS_SELECTOR, '.filters button[data-filter="%s"]' % status).click()
        assert visible_tenants(browser) == tenants, status
        assert browser.find_element(By.ID, 'shown-count').text == str(len(tenants))


def test_a_tenants_details_open_with_its_diffs_and_messages(browser):
    browser.find_element(By.CSS_SELECTOR, '.filters button[data-filter="all"]').click()
    details = browser.find_element(By.CSS_SELECTOR, 'details.tenant-details[data-tenant="driftedlab.onmicrosoft.com"]')
    assert details.get_attribute('open') is None
    browser.find_element(By.CSS_SELECTOR, 'tr[data-tenant="driftedlab.onmicrosoft.com"] .tenant-link').click()
    assert details.get_attribute('open') is not None
    section = details.find_element(By.CSS_SELECTOR, '.control[data-control="reject_direct_send"]')
    assert section.is_displayed() and '+  "reject_direct_send": true' in section.text
    browser.find_element(By.CSS_SELECTOR, 'tr[data-tenant="badcredslab.onmicrosoft.com"] td[data-control="dkim"]').click()
    failed = browser.find_element(By.CSS_SELECTOR, 'details.tenant-details[data-tenant="badcredslab.onmicrosoft.com"]')
    assert failed.get_attribute('open') is not None and 'AADSTS7000215' in failed.text
    assert failed.find_element(By.CSS_SELECTOR, '.control[data-control="dkim"]').is_displayed()
    severe = [entry for entry in browser.get_log('browser') if entry['level'] == 'SEVERE']
    assert severe == []  # no script error, nothing the page's content policy had to block


def test_a_screenshot_of_the_page_is_saved(browser):
    browser.find_element(By.CSS_SELECTOR, '.filters button[data-filter="all"]').click()
    browser.execute_script('window.scrollTo(0, 0)')
    path = os.path.join(OUTPUT, 'compliance-report.png')
    assert browser.save_screenshot(path)
    assert os.path.getsize(path) > 10000
