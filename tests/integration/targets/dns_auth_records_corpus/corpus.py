# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SPF and DMARC records in real-world shapes, valid and broken, served by the corpus test's BIND.

Every case is a domain ``<id>.corpus.test`` with its SPF record(s) and/or DMARC record(s), and the verdict the RFCs
give (``spf_valid`` / ``dmarc_valid``: would a receiver apply the record). Vendor zones (google.com, outlook.com,
mimecast.com...) hold records shaped like the vendors' published ones, so includes resolve without the internet.

``departure`` marks a case where checkdmarc's verdict differs from the RFC's: (the RFC section that decides it, why);
``stricter`` a case where this collection is stricter than receivers by design: (section, reason).
"""

CORPUS_ZONE = 'corpus.test'

# zone -> zone-file lines (owner names relative to the zone). Shapes of the vendors' records as published.
VENDOR_ZONES = {
    'outlook.com': [
        'spf.protection TXT "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:52.102.0.0/16 '
        'ip4:52.103.0.0/16 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 '
        'ip6:2a01:111:f403:8000::/51 ip6:2a01:111:f403:c000::/51 ip6:2a01:111:f403:f000::/52 -all"',
    ],
    'google.com': [
        '_spf TXT "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com include:_netblocks3.google.com ~all"',
        '_netblocks TXT "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ip4:66.102.0.0/20 ip4:66.249.80.0/20 '
        'ip4:72.14.192.0/18 ip4:74.125.0.0/16 ip4:108.177.8.0/21 ip4:173.194.0.0/16 ip4:209.85.128.0/17 '
        'ip4:216.58.192.0/19 ip4:216.239.32.0/19 ~all"',
        '_netblocks2 TXT "v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 ip6:2607:f8b0:4000::/36 '
        'ip6:2800:3f0:4000::/36 ip6:2a00:1450:4000::/36 ip6:2c0f:fb50:4000::/36 ~all"',
        '_netblocks3 TXT "v=spf1 ip4:172.217.0.0/19 ip4:172.217.32.0/20 ip4:172.217.128.0/19 ip4:108.177.96.0/19 '
        'ip4:35.191.0.0/16 ip4:130.211.0.0/22 ~all"',
    ],
    'mimecast.com': [
        'eu._netblocks TXT "v=spf1 ip4:195.130.217.0/24 ip4:91.220.42.0/24 ip4:146.101.78.0/24 ip4:207.82.80.0/24 '
        'ip4:185.58.84.0/22 ~all"',
        'us._netblocks TXT "v=spf1 ip4:207.211.30.0/24 ip4:205.139.110.0/24 ip4:216.205.24.0/24 ip4:170.10.128.0/24 '
        'ip4:170.10.129.0/24 ~all"',
    ],
    'pphosted.com': [
        'spf-00123456 TXT "v=spf1 ip4:148.163.128.0/19 ip4:67.231.144.0/20 ip4:205.220.160.0/20 -all"',
    ],
    'ppe-hosted.com': [
        '_spf TXT "v=spf1 a:dispatch-us.ppe-hosted.com ip4:67.231.154.0/24 ip4:148.163.129.0/24 ~all"',
        'dispatch-us A 67.231.154.162',
        'dispatch-us A 148.163.129.52',
    ],
    'sendgrid.net': [
        '@ TXT "v=spf1 ip4:167.89.0.0/17 ip4:208.117.48.0/20 ip4:50.31.32.0/19 ip4:198.37.144.0/20 '
        'ip4:198.21.0.0/21 ip4:192.254.112.0/20 ip4:168.245.0.0/17 ip4:149.72.0.0/16 ~all"',
        'u1234567 CNAME sendgrid.net.',
    ],
    'mcsv.net': [
        'servers TXT "v=spf1 ip4:205.201.128.0/20 ip4:198.2.128.0/18 ip4:148.105.8.0/21 ?all"',
    ],
    'salesforce.com': [
        '_spf TXT "v=spf1 exists:%{i}._spf.mta.salesforce.com -all"',
    ],
    'amazonses.com': [
        '@ TXT "v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 ip4:54.240.0.0/18 ip4:69.169.224.0/20 '
        'ip4:23.249.208.0/20 ip4:23.251.224.0/19 ip4:76.223.176.0/20 ip4:54.240.64.0/19 ip4:54.240.96.0/19 -all"',
    ],
    'zendesk.com': [
        'mail TXT "v=spf1 ip4:192.161.144.0/20 ip4:185.12.80.0/22 ip4:188.172.128.0/20 ip4:216.198.0.0/18 ~all"',
    ],
    'mailgun.org': [
        '_spf TXT "v=spf1 include:_spf.eu.mailgun.org include:_spf.us.mailgun.org ~all"',
        '_spf.eu TXT "v=spf1 ip4:141.193.32.0/23 ip4:159.135.140.80/29 -all"',
        '_spf.us TXT "v=spf1 ip4:209.61.151.0/24 ip4:166.78.68.0/22 ip4:198.61.254.0/23 ip4:192.237.158.0/23 -all"',
    ],
    'hubspotemail.net': [
        '@ TXT "v=spf1 ip4:3.93.157.0/24 ip4:3.210.190.0/24 ip4:18.208.124.128/25 ip4:54.174.52.0/24 ~all"',
        # A vendor record that itself went wrong: a syntax error deep in someone's include chain.
        'broken TXT "v=spf1 ip4:54.174.52.0/24 ip4:54.174.57.0/24 ip4:54.174.59.0/24 ip4:54.174.60.256/24 ~all"',
    ],
    'dmarcian.com': [
        # Accepts reports for any domain (RFC 7489 §7.1 with a DNS wildcard).
        '*._report._dmarc TXT "v=DMARC1"',
        '@ MX 10 mx.dmarcian.com.',
        'mx A 192.0.2.80',
    ],
    'agari.com': [
        'rua MX 10 mx.agari.com.',
        'mx A 192.0.2.81',
    ],
}


def _chain(prefix, length, last='-all'):
    """``length`` records where each includes the next: <prefix>1 ... <prefix><length>."""
    lines = []
    for index in range(1, length + 1):
        nxt = (' include:%s%d.corpus.test' % (prefix, index + 1)) if index < length else ''
        lines.append('%s%d TXT "v=spf1 ip4:192.0.2.%d%s %s"' % (prefix, index, index, nxt, last))
    return lines


# Extra lines in corpus.test shared by several cases.
CORPUS_LINES = (
    ['mail A 192.0.2.10', 'mail2 A 192.0.2.11', 'mx1 A 192.0.2.20', 'mx2 A 192.0.2.21']
    + _chain('ten', 10) + _chain('eleven', 11)
    + ['no-spf TXT "just some text"', 'two-spf TXT "v=spf1 -all"', 'two-spf TXT "v=spf1 ~all"',
       'loop-a TXT "v=spf1 include:loop-b.corpus.test -all"', 'loop-b TXT "v=spf1 include:loop-a.corpus.test -all"',
       'shared TXT "v=spf1 ip4:192.0.2.99 -all"', 'redirect-target TXT "v=spf1 ip4:192.0.2.50 mx:corpus.test -all"',
       'redirect-neutral TXT "v=spf1 ip4:192.0.2.51 ?all"',
       '@ MX 10 mx1', '@ MX 20 mx2']
)


def _case(case_id, spf=None, dmarc=None, extra=(), spf_valid=None, dmarc_valid=None, departure=None,
          stricter=None, note=''):
    return dict(id=case_id, spf=spf, dmarc=dmarc, extra=list(extra), spf_valid=spf_valid, dmarc_valid=dmarc_valid,
                departure=departure, stricter=stricter, note=note)


LONG_SPF = ('v=spf1 ' + ' '.join('ip4:198.51.100.%d' % index for index in range(1, 25))
            + ' include:spf.protection.outlook.com -all')

SPF_CASES = [
    _case('m365', spf=['v=spf1 include:spf.protection.outlook.com -all'], spf_valid=True,
          note='Microsoft 365 alone'),
    _case('google', spf=['v=spf1 include:_spf.google.com ~all'], spf_valid=True, note='Google Workspace, 4 lookups'),
    _case('mimecast-eu', spf=['v=spf1 include:eu._netblocks.mimecast.com include:spf.protection.outlook.com -all'],
          spf_valid=True, note='Mimecast gateway + M365'),
    _case('proofpoint', spf=['v=spf1 include:spf-00123456.pphosted.com include:spf.protection.outlook.com -all'],
          spf_valid=True),
    _case('ppe', spf=['v=spf1 include:_spf.ppe-hosted.com -all'], spf_valid=True,
          note='Proofpoint Essentials, an a: inside the include'),
    _case('saas-mix', spf=['v=spf1 mx include:spf.protection.outlook.com include:sendgrid.net '
                           'include:servers.mcsv.net include:mail.zendesk.com include:amazonses.com -all'],
          spf_valid=True, note='6 lookups'),
    _case('salesforce-macro', spf=['v=spf1 include:_spf.salesforce.com include:spf.protection.outlook.com -all'],
          spf_valid=True, note='exists with a %{i} macro inside an include'),
    _case('mailgun', spf=['v=spf1 include:mailgun.org include:_spf.mailgun.org -all'], spf_valid=False,
          note='mailgun.org itself has no SPF record: include of a name without SPF is permerror (RFC 7208 §5.2)'),
    _case('mailgun-ok', spf=['v=spf1 include:_spf.mailgun.org -all'], spf_valid=True),
    _case('hubspot-broken', spf=['v=spf1 include:broken.hubspotemail.net -all'], spf_valid=False,
          note='syntax error inside an include (ip4 octet 256): permerror propagates (RFC 7208 §5.2)'),
    _case('too-many-vendors', spf=['v=spf1 include:_spf.google.com include:spf.protection.outlook.com '
                                   'include:eu._netblocks.mimecast.com include:sendgrid.net include:servers.mcsv.net '
                                   'include:mail.zendesk.com include:amazonses.com include:_spf.mailgun.org -all'],
          spf_valid=False, note='13 lookups after following includes (RFC 7208 §4.6.4)'),
    _case('chain-11', spf=['v=spf1 include:eleven1.corpus.test -all'], spf_valid=False,
          note='include chain of 11 records: 11 lookups'),
    _case('chain-10', spf=['v=spf1 include:ten1.corpus.test -all'], spf_valid=True,
          note='include chain of 10 records: exactly 10 lookups is allowed'),
    _case('ten-flat', spf=['v=spf1 ' + ' '.join(['a:mail.corpus.test'] * 10) + ' -all'],
          spf_valid=True, note='10 a mechanisms'),
    _case('eleven-flat', spf=['v=spf1 ' + ' '.join(['a:mail.corpus.test'] * 11) + ' -all'],
          spf_valid=False, note='11 a mechanisms'),
    _case('redirect', spf=['v=spf1 redirect=redirect-target.corpus.test'], spf_valid=True),
    _case('redirect-ignored', spf=['v=spf1 ip4:192.0.2.1 redirect=no-such-name.corpus.test -all'], spf_valid=True,
          note='redirect is ignored when all is present (RFC 7208 §6.1), so its missing target does not matter'),
    _case('redirect-missing', spf=['v=spf1 redirect=no-spf.corpus.test'], spf_valid=False,
          note='redirect target without an SPF record is permerror (RFC 7208 §6.1)'),
    _case('redirect-twice', spf=['v=spf1 redirect=shared.corpus.test redirect=redirect-target.corpus.test'],
          spf_valid=False, note='redirect appears twice (RFC 7208 §6)'),
    _case('include-missing', spf=['v=spf1 include:nxdomain.corpus.test -all'], spf_valid=False),
    _case('include-no-spf', spf=['v=spf1 include:no-spf.corpus.test -all'], spf_valid=False),
    _case('include-two-spf', spf=['v=spf1 include:two-spf.corpus.test -all'], spf_valid=False,
          note='the included name has two SPF records (RFC 7208 §4.5)'),
    _case('include-loop', spf=['v=spf1 include:loop-a.corpus.test -all'], spf_valid=False),
    _case('duplicate-include', spf=['v=spf1 include:shared.corpus.test include:shared.corpus.test -all'],
          spf_valid=True, note='counted twice, still 2 lookups'),
    _case('two-records', spf=['v=spf1 include:spf.protection.outlook.com -all', 'v=spf1 mx -all'],
          spf_valid=False, note='two SPF records at one name (RFC 7208 §4.5)'),
    _case('spf-and-others', spf=['v=spf1 mx -all', 'google-site-verification=abcdef', 'MS=ms12345678',
                                 'v=spf10 -all'],
          spf_valid=True, note='other TXT records, including v=spf10, are not SPF records (§4.5)'),
    _case('voids-3', spf=['v=spf1 a:gone1.corpus.test a:gone2.corpus.test mx:gone3.corpus.test -all'],
          spf_valid=False, note='three void lookups (RFC 7208 §4.6.4)'),
    _case('voids-2', spf=['v=spf1 a:gone1.corpus.test mx:gone2.corpus.test ip4:192.0.2.1 -all'], spf_valid=True),
    _case('ptr', spf=['v=spf1 ptr mx -all'], spf_valid=True, note='ptr is valid, only discouraged (§5.5)'),
    _case('ptr-domain', spf=['v=spf1 ptr:corpus.test -all'], spf_valid=True),
    _case('plus-all', spf=['v=spf1 +all'], spf_valid=True, note='valid, a warning'),
    _case('bare-all', spf=['v=spf1 ip4:192.0.2.0/24 all'], spf_valid=True),
    _case('neutral', spf=['v=spf1 mx ?all'], spf_valid=True),
    _case('no-all', spf=['v=spf1 mx'], spf_valid=True),
    _case('empty', spf=['v=spf1'], spf_valid=True),
    _case('long-split', spf=[LONG_SPF], spf_valid=True, note='over 255 bytes, served as two character-strings'),
    _case('cidr', spf=['v=spf1 a/24 mx/24//64 a:mail.corpus.test/28 ip6:2001:db8::/32 -all'], spf_valid=True),
    _case('exists-macro', spf=['v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all'], spf_valid=True),
    _case('exp', spf=['v=spf1 mx -all exp=explain._spf.%{d}'], spf_valid=True),
    _case('unknown-modifier', spf=['v=spf1 mx foo=bar -all'], spf_valid=True,
          note='unknown modifiers are ignored (RFC 7208 §6)'),
    _case('bad-ip4', spf=['v=spf1 ip4:192.0.2.300 -all'], spf_valid=False),
    _case('bad-cidr', spf=['v=spf1 ip4:192.0.2.0/33 -all'], spf_valid=False),
    _case('ip6-in-ip4', spf=['v=spf1 ip4:2001:db8::1 -all'], spf_valid=False),
    _case('include-as-modifier', spf=['v=spf1 mx include=spf.protection.outlook.com -all'], spf_valid=True,
          note='"include=" is an unknown modifier (RFC 7208 §12 unknown-modifier), ignored (§6): a warning'),
    _case('typo-mechanism', spf=['v=spf1 mx inlcude:spf.protection.outlook.com -all'], spf_valid=False),
    _case('bad-macro', spf=['v=spf1 exists:%{x}.corpus.test -all'], spf_valid=False),
    _case('qualifier-on-modifier', spf=['v=spf1 mx ~redirect=shared.corpus.test'], spf_valid=False),
    _case('all-with-value', spf=['v=spf1 mx -all:corpus.test'], spf_valid=False),
    _case('upper-case', spf=['V=SPF1 MX INCLUDE:spf.protection.outlook.com -ALL'], spf_valid=True,
          departure=('RFC 7208 §12, RFC 5234 §2.3', 'ABNF literals such as "v=spf1" and mechanism names are '
                     'case-insensitive, so "V=SPF1 ... -ALL" is valid; checkdmarc matches the version tag '
                     'case-sensitively in its grammar and reports a syntax error')),
    _case('error-after-all', spf=['v=spf1 include:spf.protection.outlook.com -all ip4:192.0.2.300'],
          spf_valid=False,
          departure=('RFC 7208 §4.6', '"If there are any syntax errors anywhere in the record, check_host() returns '
                     'immediately with the result permerror"; checkdmarc checks the grammar only up to all and '
                     'warns about the rest')),
    _case('junk-after-all', spf=['v=spf1 mx -all ~include:'], spf_valid=False,
          departure=('RFC 7208 §4.6', 'syntax errors anywhere, also after all, give permerror; checkdmarc ignores '
                     'text after all with a warning')),
    _case('ip-as-domain', spf=['v=spf1 a:192.0.2.10 -all'], spf_valid=False,
          departure=('RFC 7208 §12, §4.6', 'a domain-spec ends in "." toplabel, and a toplabel holds a letter, so '
                     '"a:192.0.2.10" is a syntax error (permerror, §4.6); checkdmarc warns, looks the name up and '
                     'counts a void lookup')),
    _case('mx-too-many', spf=['v=spf1 mx:many-mx.corpus.test -all'], spf_valid=False,
          extra=['many-mx MX %d mx%02d.many-mx' % (index, index) for index in range(11)],
          note='11 MX records behind one mx mechanism (RFC 7208 §4.6.4)'),
]

EXTERNAL_RUA = 'mailto:reports@reports.example.net'

DMARC_CASES = [
    _case('d-reject', dmarc=['v=DMARC1; p=reject; rua=mailto:dmarc@d-reject.corpus.test'], dmarc_valid=True),
    _case('d-quarantine', dmarc=['v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@d-quarantine.corpus.test; '
                                 'ruf=mailto:dmarc@d-quarantine.corpus.test; fo=1'], dmarc_valid=True),
    _case('d-none', dmarc=['v=DMARC1; p=none'], dmarc_valid=True, note='monitor only: a warning'),
    _case('d-minimal-nospace', dmarc=['v=DMARC1;p=reject'], dmarc_valid=True),
    _case('d-upper', dmarc=['V=DMARC1; P=REJECT; SP=QUARANTINE; ADKIM=S'], dmarc_valid=True,
          note='tag names and keywords are case-insensitive (RFC 7489 §6.4)'),
    _case('d-full', dmarc=['v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s; pct=100; fo=0:d:s; rf=afrf; ri=86400; '
                           'rua=mailto:dmarc@d-full.corpus.test; ruf=mailto:dmarc@d-full.corpus.test'],
          dmarc_valid=True),
    _case('d-dmarcian', dmarc=['v=DMARC1; p=quarantine; rua=mailto:abc123@ag.dmarcian.com'], dmarc_valid=True,
          note='external, authorised by a wildcard record'),
    _case('d-agari', dmarc=['v=DMARC1; p=reject; rua=mailto:d@rua.agari.com; ruf=mailto:d@ruf.agari.com'],
          dmarc_valid=True, note='external without authorisation: warnings only'),
    _case('d-size-limit', dmarc=['v=DMARC1; p=none; rua=mailto:dmarc@d-size-limit.corpus.test!10m'],
          dmarc_valid=True),
    _case('d-two-rua', dmarc=['v=DMARC1; p=none; rua=mailto:a@d-two-rua.corpus.test, mailto:b@d-two-rua.corpus.test'],
          dmarc_valid=True),
    _case('d-https-rua', dmarc=['v=DMARC1; p=none; rua=https://reports.example.net/dmarc'], dmarc_valid=True,
          note='any URI is valid; receivers need only support mailto (RFC 7489 §6.2)'),
    _case('d-unknown-tag', dmarc=['v=DMARC1; p=reject; foo=bar'], dmarc_valid=True),
    _case('d-trailing-sep', dmarc=['v=DMARC1; p=reject;'], dmarc_valid=True),
    _case('d-bad-p', dmarc=['v=DMARC1; p=rejectt'], dmarc_valid=False),
    _case('d-bad-sp', dmarc=['v=DMARC1; p=reject; sp=block'], dmarc_valid=False),
    _case('d-bad-fo', dmarc=['v=DMARC1; p=reject; fo=2'], dmarc_valid=False),
    _case('d-no-mailto', dmarc=['v=DMARC1; p=reject; rua=dmarc@d-no-mailto.corpus.test'], dmarc_valid=False),
    _case('d-bad-mailto', dmarc=['v=DMARC1; p=reject; rua=mailto:not-an-address'], dmarc_valid=False),
    _case('d-duplicate-p', dmarc=['v=DMARC1; p=none; p=reject'], dmarc_valid=False),
    _case('d-two-records', dmarc=['v=DMARC1; p=none', 'v=DMARC1; p=reject'], dmarc_valid=False),
    _case('d-lower-version', dmarc=['v=dmarc1; p=reject'], dmarc_valid=False,
          note='"DMARC1" is case-sensitive (RFC 7489 §6.4): receivers skip the record'),
    _case('d-leading-space', dmarc=[' v=DMARC1; p=reject'], dmarc_valid=False),
    _case('d-v-not-first', dmarc=['p=reject; v=DMARC1'], dmarc_valid=False),
    _case('d-bad-np', dmarc=['v=DMARC1; p=reject; np=nothing'], dmarc_valid=False),
    _case('d-other-txt', dmarc=['v=DMARC1; p=reject; rua=mailto:dmarc@d-other-txt.corpus.test',
                                'site-verification=xyz789'], dmarc_valid=True,
          departure=('RFC 7489 §6.6.3', 'records that do not start with v=DMARC1 are discarded, so an unrelated TXT '
                     'record beside the DMARC record changes nothing; checkdmarc fails the name')),
    _case('d-no-p', dmarc=['v=DMARC1; rua=mailto:dmarc@d-no-p.corpus.test'], dmarc_valid=False,
          departure=('RFC 7489 §6.3, §6.6.3', 'p is REQUIRED and §6.6.3 has receivers apply no policy without a valid p; '
                     'checkdmarc follows the later RFC 9989, where p defaults to none, and only warns')),
    _case('d-pct-out-of-range', dmarc=['v=DMARC1; p=reject; pct=150'], dmarc_valid=False,
          departure=('RFC 7489 §6.3', 'pct is an integer from 0 to 100; checkdmarc no longer checks pct (removed in '
                     'RFC 9989) and only warns that it is obsolete')),
    _case('d-bad-ri', dmarc=['v=DMARC1; p=reject; ri=daily'], dmarc_valid=False,
          departure=('RFC 7489 §6.3', 'ri is a number of seconds (1*32DIGIT); checkdmarc no longer checks ri '
                     '(removed in RFC 9989)')),
    _case('d-bad-adkim', dmarc=['v=DMARC1; p=reject; adkim=strict'], dmarc_valid=False,
          stricter=('RFC 7489 §6.3, §6.6.3', 'adkim is r or s; §6.6.3 has receivers discard the malformed tag and use the '
                    'default (relaxed), so the strict alignment written is not applied: an error here (the written '
                    'intent is lost), a warning in checkdmarc (RFC 9989 §4.8)')),
]

CASES = SPF_CASES + DMARC_CASES
