# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The SPF/DMARC audit against checkdmarc, an independent validator, on the records of corpus.py served by BIND.

For every case: our audit has error findings exactly when the RFCs say receivers treat the record as broken
(``spf_valid``/``dmarc_valid``), and checkdmarc gives the same verdict, except for the cases marked ``departure``
(checkdmarc departs from the RFC; the case names the section) or ``stricter`` (this collection is stricter by
design), where checkdmarc must indeed give the other verdict, so the list stays true.
"""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'setup_bind'))


def _collections_root():
    path = HERE
    while path != os.path.dirname(path):
        if os.path.basename(path) == 'ansible_collections':
            return os.path.dirname(path)
        path = os.path.dirname(path)
    for base in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep):
        if os.path.isdir(os.path.join(base, 'ansible_collections', 'exoguard', 'mailflow')):
            return base
    raise RuntimeError('run from a collection tree (ansible_collections/exoguard/mailflow) or set ANSIBLE_COLLECTIONS_PATH')


sys.path.insert(0, _collections_root())

import checkdmarc.dmarc  # noqa: E402  pylint: disable=wrong-import-position
import checkdmarc.spf  # noqa: E402  pylint: disable=wrong-import-position
import checkdmarc.utils  # noqa: E402  pylint: disable=wrong-import-position
import dns.nameserver  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.exoguard.mailflow.plugins.module_utils._dmarc import DmarcAudit  # noqa: E402
from ansible_collections.exoguard.mailflow.plugins.module_utils._dns import Resolver  # noqa: E402
from ansible_collections.exoguard.mailflow.plugins.module_utils._spf import SpfAudit  # noqa: E402
from bind_server import BindServer  # noqa: E402  pylint: disable=import-error

import corpus  # noqa: E402  pylint: disable=import-error


def _txt(value):
    """A zone-file TXT value: quoted character-strings of at most 255 bytes."""
    data = value.encode('utf-8')
    chunks = [data[index:index + 255] for index in range(0, len(data), 255)] or [b'']
    return ' '.join('"%s"' % chunk.decode('utf-8').replace('\\', '\\\\').replace('"', '\\"') for chunk in chunks)


def _corpus_lines():
    lines = list(corpus.CORPUS_LINES)
    for case in corpus.CASES:
        for text in case['spf'] or []:
            lines.append('%s TXT %s' % (case['id'], _txt(text)))
        for text in case['dmarc'] or []:
            lines.append('_dmarc.%s TXT %s' % (case['id'], _txt(text)))
        lines.extend(case['extra'])
    return lines


@pytest.fixture(scope='module')
def bind():
    records = dict(corpus.VENDOR_ZONES)
    records[corpus.CORPUS_ZONE] = _corpus_lines()
    zones = [corpus.CORPUS_ZONE] + sorted(corpus.VENDOR_ZONES) + ['example.net']
    with BindServer(zones, records=records) as server:
        yield server


def _nameservers(bind):
    return [dns.nameserver.Do53Nameserver('127.0.0.1', bind.port)]


def _errors(findings):
    return [item['message'] for item in findings if item['severity'] == 'error']


def _domain(case):
    return '%s.%s' % (case['id'], corpus.CORPUS_ZONE)


def _case_id(case):
    if case['departure']:
        return '%s [departure, %s]' % (case['id'], case['departure'][0])
    if case['stricter']:
        return '%s [stricter, %s]' % (case['id'], case['stricter'][0])
    return case['id']


def _check(case, ours_valid, theirs_valid, expected, theirs_detail):
    assert ours_valid == expected, 'our audit disagrees with the RFC verdict'
    if case['departure'] or case['stricter']:
        assert theirs_valid != expected, ('listed as a departure but checkdmarc agrees now (%s); remove the '
                                          'departure from corpus.py' % theirs_detail)
    else:
        assert theirs_valid == expected, 'checkdmarc disagrees: %s' % theirs_detail


@pytest.mark.parametrize('case', [case for case in corpus.CASES if case['spf'] is not None], ids=_case_id)
def test_spf_verdict_agrees_with_checkdmarc(bind, case):
    checkdmarc.utils.DNS_CACHE.clear()
    theirs = checkdmarc.spf.check_spf(_domain(case), nameservers=_nameservers(bind), timeout=2, retries=0)
    findings = SpfAudit(Resolver([('127.0.0.1', bind.port)], timeout=2)).audit_domain(_domain(case))
    _check(case, not _errors(findings), theirs['valid'], case['spf_valid'],
           'valid=%s error=%s; ours: %s' % (theirs['valid'], theirs.get('error'), _errors(findings)))


@pytest.mark.parametrize('case', [case for case in corpus.CASES if case['dmarc'] is not None], ids=_case_id)
def test_dmarc_verdict_agrees_with_checkdmarc(bind, case):
    checkdmarc.utils.DNS_CACHE.clear()
    theirs = checkdmarc.dmarc.check_dmarc(_domain(case), nameservers=_nameservers(bind), timeout=2, retries=0)
    findings = DmarcAudit(Resolver([('127.0.0.1', bind.port)], timeout=2)).audit_domain(_domain(case))
    _check(case, not _errors(findings), theirs['valid'], case['dmarc_valid'],
           'valid=%s error=%s; ours: %s' % (theirs['valid'], theirs.get('error'), _errors(findings)))


def test_corpus_has_at_least_60_records():
    records = sum(len(case['spf'] or []) + len(case['dmarc'] or []) for case in corpus.CASES)
    assert records >= 60
    assert sum(1 for case in corpus.CASES if case['departure']) >= 3
