# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: compliance_report
type: notification
short_description: One compliance report of every tenant against every control, as JSON, JUnit XML and HTML
version_added: 0.1.0
author:
  - exoguard.mailflow contributors (@exoguard)
description:
  - Watches the tasks of the C(exoguard.mailflow.centralized_mailflow) role (C(playbooks/audit.yml) or
    C(playbooks/harden.yml)) and, at the end of the run, writes one report with a row per tenant (inventory host)
    and a column per control - RejectDirectSend, connector restricted, safety-net rule, skip listing, SPF, DKIM,
    DMARC, anti-phish, anti-spam and the connection filter's IP allow list.
  - Each cell is V(compliant), V(drift) (with the diff), V(error) (with the message) or V(not_applicable) (with the
    reason - a phase the tenant has not reached, a gateway without IP addresses, a part turned off by a role
    variable). A control decided by several tasks takes the worst of them - error, then drift, then compliant, then
    not applicable. A tenant whose run stopped (bad credentials, throttled out, unreachable) shows V(error) with the
    message for every control that was not decided before it stopped.
  - The role names the controls a task decides in the task's own variable C(exoguard_control) (a control or a list),
    so renaming a task never changes the report. On an include, it names the controls that are not applicable when
    the include is skipped.
  - Writes C(compliance-report.json) (schema in C(docs/compliance-report.schema.json)), C(compliance-report.xml)
    (JUnit, one test case per tenant and control) and C(compliance-report.html) (self-contained) into O(report_dir),
    replacing those of an earlier run. A run in which no tenant ran the role writes nothing.
  - Never writes a secret - results are already censored by C(no_log), and any value under a key that names a
    secret, key or token, any bearer token, JWT or private key in a message is left out as well.
  - Enable it with C(callbacks_enabled = exoguard.mailflow.compliance_report) in C(ansible.cfg) or with the
    environment variable C(ANSIBLE_CALLBACKS_ENABLED=exoguard.mailflow.compliance_report).
requirements:
  - enable in configuration
options:
  report_dir:
    description:
      - The directory the report files are written to; created when missing. A relative path is taken from the
        directory C(ansible-playbook) runs in (in AWX, the project directory).
    type: str
    default: reports
    env:
      - name: EXOGUARD_REPORT_DIR
    ini:
      - section: callback_compliance_report
        key: report_dir
'''

import base64
import datetime
import difflib
import hashlib
import html
import json
import os
import re
import tempfile
from xml.etree import ElementTree

from ansible import context
from ansible.plugins.callback import CallbackBase

SCHEMA_VERSION = 1
REPORT_NAME = 'compliance-report'

COMPLIANT = 'compliant'
DRIFT = 'drift'
ERROR = 'error'
NOT_APPLICABLE = 'not_applicable'
STATUSES = (COMPLIANT, DRIFT, ERROR, NOT_APPLICABLE)
#: A control decided by several tasks (or items) takes the worst of their statuses.
_RANK = {NOT_APPLICABLE: 0, COMPLIANT: 1, DRIFT: 2, ERROR: 3}

#: (id, title, what "compliant" means), in the report's column order.
CONTROLS = (
    ('reject_direct_send', 'RejectDirectSend',
     'Set-OrganizationConfig -RejectDirectSend is true: own-domain spoofs sent straight to Exchange Online get 550 5.7.68 '
     '(phase 3).'),
    ('connector_restricted', 'Connector restricted',
     'The Partner connector for the gateway is restricted to its IP addresses and/or TLS certificate (foreign spoofs '
     'straight to Exchange Online get 550 5.7.51), and the connectors for legitimate Direct Send sources exist (phase 2).'),
    ('safety_net_rule', 'Safety-net rule',
     'The transport rule that rejects external mail not from the gateway exists as defined, in the mode of the '
     'tenant\'s phase: Audit in phases 1-3, Enforce from phase 4. Needs the gateway\'s IP addresses.'),
    ('skip_listing', 'Skip listing',
     'Enhanced Filtering on the gateway connector, so Exchange Online sees the sender behind the gateway (phase 4). '
     'Needs the gateway\'s IP addresses.'),
    ('spf', 'SPF', 'Each protected domain\'s SPF record is the one configured, or (audit only) has no finding.'),
    ('dkim', 'DKIM', 'DKIM signing is configured and enabled for each protected domain, its CNAMEs published.'),
    ('dmarc', 'DMARC', 'Each protected domain\'s DMARC record is the one configured, or (audit only) has no finding.'),
    ('antiphish', 'Anti-phish', 'The default anti-phishing policy has the hardened settings.'),
    ('antispam', 'Anti-spam', 'The default anti-spam policy has the hardened settings.'),
    ('ip_allow_list', 'IP allow list',
     'The connection filter\'s IP allow list is empty: allowed IPs skip spoof and spam checks, a way around the gateway.'),
)
CONTROL_IDS = tuple(control[0] for control in CONTROLS)
CONTROL_VARIABLE = 'exoguard_control'

#: Actions whose "ok" result only means "tasks were included": their own status says nothing about a control.
_INCLUDES = frozenset(('include_tasks', 'ansible.builtin.include_tasks', 'ansible.legacy.include_tasks',
                       'import_tasks', 'ansible.builtin.import_tasks', 'include_role', 'ansible.builtin.include_role',
                       'import_role', 'ansible.builtin.import_role', 'include', 'ansible.builtin.include'))
#: dns_auth_records findings and zone-file diff lines tell one record kind from another.
_DNS_CONTROLS = frozenset(('spf', 'dmarc', 'dkim'))

_MAX_TEXT = 20000
#: Keys whose values are never written (wherever they are nested), and secrets that may hide in text.
_SECRET_KEY = re.compile(r'secret|passw|token|private.?key|credential|assertion|authori[sz]ation|api.?key|^key$',
                         re.IGNORECASE)
_SECRET_TEXT = (
    (re.compile(r'-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|\Z)', re.DOTALL), '[redacted]'),
    (re.compile(r'\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*'), '[redacted]'),
    (re.compile(r'(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}'), r'\1 [redacted]'),
    (re.compile(r'(?i)\b([a-z_]*(?:secret|password))(["\']?\s*[:=]\s*["\']?)[^\s"\'&,;]+'), r'\1\2[redacted]'),
)
_XML_INVALID = re.compile('[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd]')


# -- what a result says about a control -----------------------------------------------------------------------------

def scrub(value):
    """``value`` without anything that looks like a secret: keys that name one are dropped, secrets in text redacted."""
    if isinstance(value, dict):
        return dict((str(key), scrub(item)) for key, item in value.items() if not _SECRET_KEY.search(str(key)))
    if isinstance(value, (list, tuple)):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        for pattern, replacement in _SECRET_TEXT:
            value = pattern.sub(replacement, value)
        return value
    return value


def _text(value, limit=_MAX_TEXT):
    if value is None:
        return None
    if not isinstance(value, str):
        value = json.dumps(value, sort_keys=True, default=str)
    value = scrub(value)
    if len(value) > limit:
        value = value[:limit] + '\n[... %d more characters]' % (len(value) - limit)
    return value


def controls_of(value):
    """The control ids a task variable names (a string or a list); unknown names are ignored."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return []
    return [control for control in value if control in CONTROL_IDS]


def _lines(text):
    if isinstance(text, str):
        return [line for line in text.splitlines() if line.strip()]
    if text in (None, {}, []):
        return []
    return json.dumps(text, indent=2, sort_keys=True, default=str).splitlines()


def _record_kind(zone_line):
    """spf, dmarc or dkim for a zone-file line of dns_auth_records' diff, by its owner name."""
    owner = zone_line.split(None, 1)[0].lower() if zone_line.split() else ''
    if owner.startswith('_dmarc.'):
        return 'dmarc'
    if '._domainkey.' in owner:
        return 'dkim'
    return 'spf'


def _unified(before, after):
    return '\n'.join(difflib.unified_diff(before, after, 'before', 'after', lineterm='', n=3))


def diff_of(diff, control=None):
    """``(unified diff text, changes)`` of a module's ``diff`` (a dict or a list of them) for one control.

    ``changes`` lists ``{property, before, after}`` for before/after mappings (empty for text diffs). For a DNS
    control only the zone lines of its own record kind are kept; the text is '' when nothing differs.
    """
    diffs = diff if isinstance(diff, list) else [diff]
    texts, changes = [], []
    for entry in diffs:
        if not isinstance(entry, dict):
            continue
        if 'prepared' in entry and 'before' not in entry:
            texts.append(_text(entry['prepared']))
            continue
        before, after = scrub(entry.get('before')), scrub(entry.get('after'))
        if isinstance(before, dict) or isinstance(after, dict):
            before, after = before or {}, after or {}
            for name in sorted(set(before) | set(after)):
                if before.get(name, None) != after.get(name, None) or (name in before) != (name in after):
                    changes.append({'property': name, 'before': before.get(name), 'after': after.get(name)})
        before_lines, after_lines = _lines(before), _lines(after)
        if control in _DNS_CONTROLS and (isinstance(entry.get('before'), str) or isinstance(entry.get('after'), str)):
            before_lines = [line for line in before_lines if _record_kind(line) == control]
            after_lines = [line for line in after_lines if _record_kind(line) == control]
        if before_lines != after_lines:
            texts.append(_unified(before_lines, after_lines))
    return _text('\n'.join(text for text in texts if text)) or '', changes


def _skip_reason(task_name, result):
    condition = result.get('false_condition')
    if condition is None:
        for item in result.get('results') or []:
            if isinstance(item, dict) and item.get('false_condition'):
                condition = item['false_condition']
                break
    if condition:
        return '%s: skipped, since %s is false' % (task_name, str(condition).strip())
    reason = result.get('skipped_reason') or result.get('skip_reason') or result.get('msg')
    if reason == 'No items in the list':
        return '%s: skipped, nothing to check (an empty list)' % task_name
    return '%s: skipped%s' % (task_name, (' (%s)' % reason) if reason else '')


def _message(result):
    if result.get('censored'):
        return 'the result is hidden by no_log'
    message = result.get('msg')
    error = result.get('error')
    if not message and isinstance(error, dict):
        message = error.get('message')
    if not message and result.get('exception'):
        message = str(result['exception']).strip().splitlines()[-1]
    if not message and result.get('results'):
        failed = [item for item in result['results'] if isinstance(item, dict) and item.get('failed')]
        if failed:
            message = _message(failed[0])
    return _text(message) or 'the task failed without a message'


def _item_label(item_result):
    label = item_result.get('_ansible_item_label', item_result.get('item'))
    if label is None or isinstance(label, str):
        return label
    return _text(label, 200)


def judge(control, outcome, result, task_name):
    """The evidence one task (or loop item) result gives about ``control``: a dict with ``status`` and what backs it.

    ``outcome`` is the event: ``ok``, ``failed``, ``skipped`` or ``unreachable``.
    """
    evidence = {'task': task_name}
    if outcome == 'skipped' or (outcome == 'ok' and result.get('skipped')):
        evidence.update(status=NOT_APPLICABLE, message=_skip_reason(task_name, result))
        return evidence
    if outcome in ('failed', 'unreachable') or result.get('failed') or result.get('unreachable'):
        evidence.update(status=ERROR, message=_message(result))
        return evidence
    if result.get('censored'):
        evidence.update(status=DRIFT if result.get('changed') else COMPLIANT, message=_message(result))
        return evidence
    if isinstance(result.get('error'), dict) and result.get('failed_when_result') is False:
        # The role tolerates this failure (DKIM CNAMEs not yet published), but the control is not in place.
        evidence.update(status=DRIFT, message=_message(result))
        return evidence
    diff_text, changes = diff_of(result.get('diff'), control)
    changed = bool(result.get('changed'))
    findings = []
    if control in _DNS_CONTROLS and 'findings' in result:
        findings = [dict(record=finding.get('record'), severity=finding.get('severity'),
                         message=_text(finding.get('message'), 2000))
                    for finding in result.get('findings') or []
                    if isinstance(finding, dict) and finding.get('record') == control]
        if 'diff' in result:
            changed = bool(diff_text)
        changed = changed or bool(findings)
    evidence['status'] = DRIFT if changed else COMPLIANT
    if changed:
        if diff_text:
            evidence['diff'] = diff_text
        if changes:
            evidence['changes'] = changes
        if findings:
            evidence['findings'] = findings
            evidence['message'] = '; '.join(finding['message'] or '' for finding in findings)
        if not findings:
            evidence['message'] = _change_summary(result.get('diff'), changes, diff_text)
    return evidence


def _short(value):
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:77] + '...'


def _change_summary(diff, changes, diff_text):
    """One line saying what would change: the properties with before and after, or that the object is missing."""
    entries = diff if isinstance(diff, list) else [diff]
    if changes and all(isinstance(entry, dict) and entry.get('before') in ({}, None, '') for entry in entries):
        return 'missing: it would be created'
    if changes:
        shown = ['%s: %s -> %s' % (change['property'], _short(change['before']), _short(change['after']))
                 for change in changes[:4]]
        more = (' (and %d more)' % (len(changes) - 4)) if len(changes) > 4 else ''
        return '; '.join(shown) + more
    if diff_text:
        return _zone_summary(diff_text)
    return 'the task reports a change (run with --diff to see it)'


def _zone_summary(diff_text):
    """'<name> <type>: <before> -> <after>' for a diff of zone-file lines (owner, TTL, class, type, data)."""
    removed, added = {}, {}
    for line in diff_text.splitlines():
        if line.startswith(('---', '+++')) or line[:1] not in '+-':
            continue
        fields = line[1:].split(None, 4)
        if len(fields) < 5:
            return 'the records differ (see the diff)'
        (removed if line[0] == '-' else added).setdefault('%s %s' % (fields[0], fields[3]), []).append(fields[4])
    summaries = []
    for record in sorted(set(removed) | set(added)):
        before, after = ' '.join(removed.get(record, [])), ' '.join(added.get(record, []))
        summaries.append('%s: %s -> %s' % (record, before or '(none)', after or '(none)'))
    return '; '.join(summaries) or 'the records differ (see the diff)'


def evidence_of(control, outcome, result, task_name):
    """The evidence of a task result, one per loop item (with ``item``) or one for the task."""
    items = result.get('results')
    if isinstance(items, list) and items and all(isinstance(item, dict) for item in items):
        found = []
        for item in items:
            item_outcome = 'skipped' if item.get('skipped') else 'failed' if item.get('failed') else 'ok'
            evidence = judge(control, item_outcome, item, task_name)
            evidence['item'] = _item_label(item)
            found.append(evidence)
        return found
    return [judge(control, outcome, result, task_name)]


def worst(statuses, default=NOT_APPLICABLE):
    statuses = list(statuses)
    return max(statuses, key=_RANK.get) if statuses else default


# -- the report ------------------------------------------------------------------------------------------------------

class ComplianceReport:
    """What the run showed about each tenant, built from task results; ``document()`` is the JSON report."""

    def __init__(self):
        self.tenants = {}
        self.playbooks = []
        self.check_mode = []

    def tenant(self, name):
        return self.tenants.setdefault(name, {'name': name, 'tenant_id': None, 'failure': None,
                                              'evidence': dict((control, []) for control in CONTROL_IDS)})

    def record(self, host, task_name, controls, outcome, result, action=None, check_mode=None):
        """Add what ``result`` (of a task carrying ``controls``) says about them for ``host``."""
        tenant = self.tenant(host)
        if tenant['tenant_id'] is None:
            arguments = (result.get('invocation') or {}).get('module_args') or {}
            if isinstance(arguments.get('tenant_id'), str):
                tenant['tenant_id'] = arguments['tenant_id']
        if action in _INCLUDES:
            if outcome != 'skipped':
                return
        elif check_mode is not None and outcome != 'skipped':
            self.check_mode.append(bool(check_mode))
        for control in controls:
            tenant['evidence'][control].extend(evidence_of(control, outcome, result, task_name))

    def failed(self, host, task_name, result, unreachable=False):
        """The run stopped for ``host`` at ``task_name``."""
        tenant = self.tenant(host)
        if tenant['failure'] is None:
            tenant['failure'] = {'task': task_name, 'message': _message(result), 'unreachable': bool(unreachable)}

    def document(self, generated_at=None):
        generated_at = generated_at or datetime.datetime.now(datetime.timezone.utc)
        tenants = [self._tenant_document(self.tenants[name]) for name in sorted(self.tenants)]
        summary = dict((status, 0) for status in STATUSES)
        for tenant in tenants:
            for cell in tenant['controls'].values():
                summary[cell['status']] += 1
        return {
            'schema_version': SCHEMA_VERSION,
            'generated_at': generated_at.strftime('%Y-%m-%dT%H:%M:%SZ'),
            'playbooks': list(self.playbooks),
            'check_mode': bool(self.check_mode) and all(self.check_mode),
            'controls': [{'id': control, 'title': title, 'description': description}
                         for control, title, description in CONTROLS],
            'summary': summary,
            'tenants': tenants,
        }

    @staticmethod
    def _tenant_document(tenant):
        failure = tenant['failure']
        controls = {}
        for control in CONTROL_IDS:
            evidence = tenant['evidence'][control]
            if failure and not evidence:
                message = 'not evaluated: the run stopped for this tenant at "%s": %s' % (failure['task'], failure['message'])
                controls[control] = {'status': ERROR, 'message': message, 'evidence': evidence}
                continue
            status = worst(entry['status'] for entry in evidence)
            shown = [entry for entry in evidence if entry['status'] == status]
            if not evidence:
                message = 'not evaluated in this run (left out by --tags or --skip-tags, or never reached)'
            elif status == COMPLIANT:
                message = 'in place'
            else:
                message = shown[0].get('message') or ''
            controls[control] = {'status': status, 'message': message, 'evidence': evidence}
        return {
            'name': tenant['name'],
            'tenant_id': tenant['tenant_id'],
            'status': worst([cell['status'] for cell in controls.values()]),
            'failure': failure,
            'controls': controls,
        }


# -- writing it ------------------------------------------------------------------------------------------------------

def render_json(document):
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + '\n'


def _xml_text(value):
    return _XML_INVALID.sub('\ufffd', value or '')


def _cell_text(cell):
    """A cell's detail as plain text: its message, then each task's (and item's) evidence."""
    parts = [cell.get('message') or '']
    for entry in cell['evidence']:
        if entry['status'] != cell['status']:
            continue
        head = entry['task'] + ((' [%s]' % entry['item']) if entry.get('item') else '')
        body = [entry.get('message') or '', entry.get('diff') or '']
        parts.append('%s: %s\n%s' % (entry['status'], head, '\n'.join(text for text in body if text)))
    return '\n\n'.join(part for part in parts if part).strip()


def render_junit(document):
    """JUnit XML: one test suite per tenant, one test case per control; drift is a failure, error an error, not
    applicable a skipped case."""
    counts = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    root = ElementTree.Element('testsuites', name='exoguard.mailflow compliance')
    for tenant in document['tenants']:
        suite = ElementTree.SubElement(root, 'testsuite', name=_xml_text(tenant['name']), timestamp=document['generated_at'])
        suite_counts = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
        for control in document['controls']:
            cell = tenant['controls'][control['id']]
            case = ElementTree.SubElement(suite, 'testcase', name=_xml_text(control['title']),
                                          classname=_xml_text('%s.%s' % (tenant['name'], control['id'])))
            suite_counts['tests'] += 1
            text = _xml_text(_cell_text(cell))
            summary = _xml_text((cell.get('message') or '').splitlines()[0] if cell.get('message') else '')
            if cell['status'] == DRIFT:
                ElementTree.SubElement(case, 'failure', message=summary or 'drift', type='drift').text = text
                suite_counts['failures'] += 1
            elif cell['status'] == ERROR:
                ElementTree.SubElement(case, 'error', message=summary or 'error', type='error').text = text
                suite_counts['errors'] += 1
            elif cell['status'] == NOT_APPLICABLE:
                ElementTree.SubElement(case, 'skipped', message=summary or 'not applicable')
                suite_counts['skipped'] += 1
        for key, value in suite_counts.items():
            suite.set(key, str(value))
            counts[key] += value
    for key, value in counts.items():
        root.set(key, str(value))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding='unicode') + '\n'


_LABELS = {COMPLIANT: 'compliant', DRIFT: 'drift', ERROR: 'error', NOT_APPLICABLE: 'not applicable'}
_SYMBOLS = {COMPLIANT: '\u2714', DRIFT: '\u25b2', ERROR: '\u2716', NOT_APPLICABLE: '\u2013'}
_CELL_LABELS = dict(_LABELS, not_applicable='n/a')

_STYLE = '''
:root { --compliant: #1a7f37; --compliant-bg: #dafbe1; --drift: #9a6700; --drift-bg: #fff1c2; --error: #cf222e;
        --error-bg: #ffebe9; --na: #57606a; --na-bg: #eaeef2; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; padding: 1.5rem; color: #1f2328; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
.meta { color: #57606a; margin: 0 0 1rem; }
.filters { display: flex; gap: .5rem; flex-wrap: wrap; margin: 0 0 1rem; }
.filters button { font: inherit; border: 1px solid #d0d7de; background: #f6f8fa; border-radius: 2rem; padding: .25rem .9rem; cursor: pointer; }
.filters button[aria-pressed="true"] { background: #0969da; border-color: #0969da; color: #fff; }
.table-wrap { overflow-x: auto; }
table.matrix { border-collapse: collapse; min-width: 100%; }
.matrix th, .matrix td { border: 1px solid #d0d7de; padding: .3rem .45rem; text-align: center; white-space: nowrap; }
.matrix thead th { white-space: normal; min-width: 5.5rem; }
.matrix th.tenant, .matrix td.tenant { text-align: left; position: sticky; left: 0; background: #fff; }
.matrix thead th { background: #f6f8fa; font-weight: 600; }
.matrix tr[hidden] { display: none; }
.tenant-link { color: #0969da; text-decoration: none; font-weight: 600; }
.tenant-link:hover { text-decoration: underline; }
.cell { cursor: pointer; font-weight: 600; }
.status-compliant { color: var(--compliant); background: var(--compliant-bg); }
.status-drift { color: var(--drift); background: var(--drift-bg); }
.status-error { color: var(--error); background: var(--error-bg); }
.status-not_applicable { color: var(--na); background: var(--na-bg); font-weight: 400; }
.badge { display: inline-block; border-radius: 1rem; padding: 0 .6rem; font-size: .85em; }
details.tenant-details { border: 1px solid #d0d7de; border-radius: 6px; margin: .75rem 0; padding: .5rem .9rem; }
details.tenant-details > summary { cursor: pointer; font-weight: 600; }
details.tenant-details[hidden] { display: none; }
.control { border-top: 1px solid #eaeef2; padding: .5rem 0; }
.control h3 { font-size: 1rem; margin: .25rem 0; }
.evidence { margin: .35rem 0 .35rem 1rem; }
.evidence .task { color: #57606a; }
pre { background: #f6f8fa; border-radius: 6px; padding: .5rem .75rem; overflow-x: auto; white-space: pre-wrap; margin: .25rem 0; }
pre .add { color: var(--compliant); } pre .del { color: var(--error); } pre .hunk { color: #8250df; }
.failure { border-left: 4px solid var(--error); background: var(--error-bg); padding: .5rem .75rem; margin: .5rem 0; }
.summary span { margin-right: .75rem; }
'''

_SCRIPT = '''
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("#matrix tbody tr"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll(".filters button"));
  var details = Array.prototype.slice.call(document.querySelectorAll("details.tenant-details"));
  function applyFilter(status) {
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-filter") === status ? "true" : "false");
    });
    var shown = {};
    rows.forEach(function (row) {
      var match = status === "all" || row.getAttribute("data-statuses").split(" ").indexOf(status) >= 0;
      row.hidden = !match;
      if (match) { shown[row.getAttribute("data-index")] = true; }
    });
    details.forEach(function (section) { section.hidden = !shown[section.getAttribute("data-index")]; });
    document.getElementById("shown-count").textContent = String(Object.keys(shown).length);
  }
  function openDetails(index, control) {
    var section = document.getElementById("tenant-" + index);
    if (!section) { return; }
    section.hidden = false;
    section.open = true;
    var target = control ? document.getElementById("tenant-" + index + "-" + control) : section;
    (target || section).scrollIntoView({block: "start"});
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () { applyFilter(button.getAttribute("data-filter")); });
  });
  Array.prototype.slice.call(document.querySelectorAll(".tenant-link")).forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      openDetails(link.getAttribute("data-index"));
    });
  });
  Array.prototype.slice.call(document.querySelectorAll("td.cell")).forEach(function (cell) {
    cell.addEventListener("click", function () {
      openDetails(cell.parentNode.getAttribute("data-index"), cell.getAttribute("data-control"));
    });
  });
  applyFilter("all");
})();
'''


def _csp_hash(text):
    return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode('utf-8')).digest()).decode('ascii')


def _e(value):
    return html.escape('' if value is None else str(value), quote=True)


def _diff_html(text):
    lines = []
    for line in text.splitlines():
        kind = 'hunk' if line.startswith('@@') else 'add' if line.startswith('+') else 'del' if line.startswith('-') else ''
        lines.append('<span class="%s">%s</span>' % (kind, _e(line)) if kind else _e(line))
    return '<pre class="diff">%s</pre>' % '\n'.join(lines)


def _evidence_html(entry, cell_message):
    head = _e(entry['task']) + ((' <code>[%s]</code>' % _e(entry['item'])) if entry.get('item') else '')
    parts = ['<div class="evidence" data-status="%s"><span class="badge status-%s">%s</span> <span class="task">%s</span>'
             % (_e(entry['status']), _e(entry['status']), _e(_LABELS[entry['status']]), head)]
    if entry.get('message') and entry['message'] != cell_message:
        parts.append('<pre class="message">%s</pre>' % _e(entry['message']))
    if entry.get('diff'):
        parts.append(_diff_html(entry['diff']))
    parts.append('</div>')
    return ''.join(parts)


def render_html(document):
    """A self-contained page: the colour-coded matrix, a filter by status, and each tenant's details. Every value
    from the run (tenant names, diffs, messages) is escaped; the page's content policy runs only its own script."""
    controls = document['controls']
    head_cells = ''.join('<th scope="col" data-control="%s" title="%s">%s</th>'
                         % (_e(control['id']), _e(control['description']), _e(control['title'])) for control in controls)
    rows, sections = [], []
    for index, tenant in enumerate(document['tenants']):
        statuses = sorted(set(cell['status'] for cell in tenant['controls'].values()))
        cells = []
        for control in controls:
            cell = tenant['controls'][control['id']]
            cells.append('<td class="cell status-%s" data-control="%s" data-status="%s" title="%s">%s %s</td>'
                         % (_e(cell['status']), _e(control['id']), _e(cell['status']),
                            _e('%s: %s' % (control['title'], (cell.get('message') or '')[:300])),
                            _SYMBOLS[cell['status']], _e(_CELL_LABELS[cell['status']])))
        rows.append('<tr data-index="%d" data-tenant="%s" data-statuses="%s"><th scope="row" class="tenant">'
                    '<a class="tenant-link" href="#tenant-%d" data-index="%d">%s</a></th>%s</tr>'
                    % (index, _e(tenant['name']), _e(' '.join(statuses)), index, index, _e(tenant['name']), ''.join(cells)))
        body = []
        if tenant.get('tenant_id'):
            body.append('<p class="meta">Tenant ID %s</p>' % _e(tenant['tenant_id']))
        if tenant.get('failure'):
            failure = tenant['failure']
            body.append('<div class="failure"><strong>The run stopped for this tenant</strong> at <em>%s</em>'
                        '<pre class="message">%s</pre></div>' % (_e(failure['task']), _e(failure['message'])))
        for control in controls:
            cell = tenant['controls'][control['id']]
            shown = [entry for entry in cell['evidence'] if entry['status'] == cell['status'] and cell['status'] != COMPLIANT]
            message = cell.get('message')
            if tenant.get('failure') and not cell['evidence']:
                message = 'not evaluated: the run stopped for this tenant before this control (see above)'
            body.append('<div class="control" id="tenant-%d-%s" data-control="%s"><h3>%s '
                        '<span class="badge status-%s">%s</span></h3>%s%s</div>'
                        % (index, _e(control['id']), _e(control['id']), _e(control['title']), _e(cell['status']),
                           _e(_LABELS[cell['status']]), '<p>%s</p>' % _e(message) if message else '',
                           ''.join(_evidence_html(entry, cell.get('message')) for entry in shown)))
        sections.append('<details class="tenant-details" id="tenant-%d" data-index="%d" data-tenant="%s">'
                        '<summary>%s <span class="badge status-%s">%s</span></summary>%s</details>'
                        % (index, index, _e(tenant['name']), _e(tenant['name']), _e(tenant['status']),
                           _e(_LABELS[tenant['status']]), ''.join(body)))
    tenant_counts = dict((status, sum(1 for tenant in document['tenants']
                                      if any(cell['status'] == status for cell in tenant['controls'].values())))
                         for status in STATUSES)
    filters = ['<button type="button" data-filter="all" aria-pressed="true">All (%d)</button>' % len(document['tenants'])]
    filters.extend('<button type="button" data-filter="%s" aria-pressed="false">%s (%d)</button>'
                   % (status, _e(_LABELS[status].capitalize()), tenant_counts[status]) for status in STATUSES)
    summary = ''.join('<span class="badge status-%s">%s %s: %d</span>' % (status, _SYMBOLS[status], _e(_LABELS[status]),
                                                                          document['summary'][status])
                      for status in STATUSES)
    policy = "default-src 'none'; style-src %s; script-src %s; img-src data:" % (_csp_hash(_STYLE), _csp_hash(_SCRIPT))
    mode = 'audit (check mode: nothing was changed)' if document['check_mode'] else \
        'apply run: drift is what this run found and changed'
    return '''<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="%(policy)s">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mail-flow compliance report</title>
<style>%(style)s</style>
</head>
<body>
<h1>Exchange Online mail-flow compliance</h1>
<p class="meta">Generated %(generated)s from %(playbooks)s &middot; %(mode)s &middot; %(tenants)d tenant(s) &times; %(controls)d controls</p>
<p class="summary">%(summary)s</p>
<div class="filters" role="group" aria-label="Show tenants with a control that is">%(filters)s</div>
<p class="meta">Showing <span id="shown-count">%(tenants)d</span> tenant(s). Click a tenant or a cell for its details.</p>
<div class="table-wrap"><table class="matrix" id="matrix">
<thead><tr><th scope="col" class="tenant">Tenant</th>%(head)s</tr></thead>
<tbody>
%(rows)s
</tbody></table></div>
<h2>Tenants</h2>
<div id="details">
%(sections)s
</div>
<script>%(script)s</script>
</body>
</html>
''' % {'policy': _e(policy), 'style': _STYLE, 'script': _SCRIPT, 'generated': _e(document['generated_at']),
       'playbooks': _e(', '.join(document['playbooks']) or 'ansible-playbook'), 'mode': _e(mode),
       'tenants': len(document['tenants']), 'controls': len(controls), 'summary': summary, 'filters': ''.join(filters),
       'head': head_cells, 'rows': '\n'.join(rows), 'sections': '\n'.join(sections)}


def write_reports(document, directory):
    """Write the three files into ``directory`` (made when missing), each replaced whole; returns their paths."""
    directory = os.path.abspath(os.path.expanduser(directory))
    if not os.path.isdir(directory):
        os.makedirs(directory)
    paths = {}
    for kind, extension, render in (('json', 'json', render_json), ('junit', 'xml', render_junit),
                                    ('html', 'html', render_html)):
        path = os.path.join(directory, '%s.%s' % (REPORT_NAME, extension))
        handle, temporary = tempfile.mkstemp(prefix='.%s.' % REPORT_NAME, dir=directory)
        try:
            with os.fdopen(handle, 'w', encoding='utf-8') as stream:
                stream.write(render(document))
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
        paths[kind] = path
    return paths


# -- the callback ----------------------------------------------------------------------------------------------------

def _task_controls(task):
    """The controls a task's own ``exoguard_control`` variable names (not those of the blocks or includes around it),
    or None when it has none."""
    own = getattr(task, 'vars', None) or {}
    if CONTROL_VARIABLE not in own:
        return None
    return controls_of(own[CONTROL_VARIABLE])


def _declares_controls(play):
    """Whether a task of ``play`` (its own, or its roles' static ones) carries ``exoguard_control``."""
    blocks = list(getattr(play, 'pre_tasks', None) or []) + list(getattr(play, 'tasks', None) or []) + \
        list(getattr(play, 'post_tasks', None) or [])
    try:
        for role in play.get_roles():
            blocks.extend(role.get_task_blocks())
    except AttributeError:
        pass
    pending = list(blocks)
    while pending:
        entry = pending.pop()
        children = [getattr(entry, name, None) for name in ('block', 'rescue', 'always')]
        if any(isinstance(child, list) for child in children):
            for child in children:
                pending.extend(child or [])
        elif _task_controls(entry) is not None:
            return True
    return False


def _task_name(task):
    return task.name or task.get_name()


def _parts(result):
    """(host name, task, result dict) of a callback result, on ansible-core before and after 2.19."""
    try:
        return result.host.get_name(), result.task, result.result
    except AttributeError:
        return result._host.get_name(), result._task, result._result


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'notification'
    CALLBACK_NAME = 'exoguard.mailflow.compliance_report'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display=display)
        self.report = ComplianceReport()
        self._compliance_play = False

    def v2_playbook_on_start(self, playbook):
        name = getattr(playbook, '_file_name', None)
        if name:
            self.report.playbooks.append(os.path.basename(name))

    def v2_playbook_on_play_start(self, play):
        self._compliance_play = _declares_controls(play)

    def _result(self, result, outcome):
        host, task, data = _parts(result)
        controls = _task_controls(task)
        if controls is None:
            return host, task, data, False
        self._compliance_play = True
        check_mode = getattr(task, 'check_mode', None)
        if context.CLIARGS.get('check'):
            check_mode = True
        self.report.record(host, _task_name(task), controls, outcome, data, action=task.action,
                           check_mode=check_mode is True)
        return host, task, data, True

    def v2_runner_on_ok(self, result):
        self._result(result, 'ok')

    def v2_runner_on_skipped(self, result):
        self._result(result, 'skipped')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        host, task, data, _recorded = self._result(result, 'failed')
        if not ignore_errors and self._compliance_play:
            self.report.failed(host, _task_name(task), data)

    def v2_runner_on_unreachable(self, result):
        host, task, data, _recorded = self._result(result, 'unreachable')
        if self._compliance_play:
            self.report.failed(host, _task_name(task), data, unreachable=True)

    def v2_playbook_on_stats(self, stats):
        if not self.report.tenants:
            self._display.vvv('compliance report: no tenant ran the centralized_mailflow role, nothing written')
            return
        document = self.report.document()
        directory = self.get_option('report_dir') or 'reports'
        try:
            paths = write_reports(document, directory)
        except (OSError, IOError) as error:
            self._display.warning('compliance report: cannot write to %s: %s' % (directory, error))
            return
        counts = ', '.join('%d %s' % (document['summary'][status], _LABELS[status]) for status in STATUSES)
        self._display.display('Compliance report (%d tenants; %s): %s' % (len(document['tenants']), counts, paths['html']))
        self._display.display('  also %s and %s' % (paths['json'], paths['junit']))
