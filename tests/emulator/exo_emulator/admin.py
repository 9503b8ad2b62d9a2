# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's own admin API under ``/_emulator/``: what tests read and steer (JSON, no auth, loopback only).

========================================  =====================================================================
``GET    calls[?tenant=&cmdlet=&since=]``  ``{"calls": [...]}``: every InvokeCommand call (see ``calls.CallLog``)
``DELETE calls``                           forget them
``GET    tenants``                         the tenants and their names
``GET    tenants/<tenant>/state``          ``{kind: records}`` for every state kind
``PUT    tenants/<tenant>/state``          replace the kinds given (scenario form); answers the new state
``GET    tenants/<tenant>/messages``       ``{"messages", "rejections", "email_events"}`` recorded by the SMTP door
``DELETE tenants/<tenant>/messages``       forget them (and historical searches, and the message-trace throttle window)
``POST   tenants/<tenant>/messages/age``   ``{"days", "hours", "seconds"}``: move every record that far into the past
``GET    tenants/<tenant>/email-events``   ``{"email_events": [...]}`` (Defender EmailEvents rows)
``GET    tenants/<tenant>/historical-searches/<JobId>/report.csv``  a historical search's report (CSV)
``POST   smtp/client-certificates``        ``{"common_name", "dns_names"}`` -> a client certificate signed by the CA
``GET    tokens``                          ``{"tokens": [{"tenant", "client_id", "count", "issued"}], "total"}``
``DELETE tokens``                          reset the counts
``POST   faults``                          add a fault (see ``faults``); answers it with its ``id``
``GET    faults``                          ``{"faults": [...]}`` still in force
``DELETE faults[/<id>]``                   remove all faults, or one
========================================  =====================================================================
"""

import ipaddress

from exo_emulator.faults import FaultError
from exo_emulator.mail_records import jsonable
from exo_emulator.web import Answer


class AdminApi:
    """Routes admin requests; ``handle`` takes the path below ``/_emulator/``."""

    def __init__(self, directory, call_log, token_log, fault_book, ready_info, certificates=None):
        self.certificates = certificates
        self.directory = directory
        self.call_log = call_log
        self.token_log = token_log
        self.fault_book = fault_book
        self.ready_info = ready_info

    def handle(self, request, subpath):
        if not _is_loopback(request.client_ip):
            return _problem(403, 'the admin API answers only on the loopback interface')
        parts = [part for part in subpath.split('/') if part]
        route = (request.method, tuple(parts[:1]))
        if not parts:
            return Answer.json(200, self.ready_info()) if request.method == 'GET' else _problem(405, 'method not allowed')
        if parts[0] == 'tenants':
            return self._tenants(request, parts[1:])
        simple = {
            ('GET', ('calls',)): lambda: Answer.json(200, {'calls': self._calls(request)}),
            ('DELETE', ('calls',)): lambda: Answer.json(200, {'cleared': self.call_log.clear()}),
            ('GET', ('tokens',)): lambda: Answer.json(200, self.token_log.summary()),
            ('DELETE', ('tokens',)): self._clear_tokens,
            ('GET', ('faults',)): lambda: Answer.json(200, {'faults': self.fault_book.describe()}),
            ('POST', ('faults',)): lambda: self._add_fault(request),
            ('DELETE', ('faults',)): lambda: Answer.json(200, {'removed': self.fault_book.remove(parts[1] if len(parts) > 1 else None)}),
            ('POST', ('smtp',)): lambda: self._client_certificate(request, parts[1:]),
        }
        action = simple.get(route)
        if action is None:
            return _problem(404, 'no admin endpoint %s %s' % (request.method, subpath))
        return action()

    def _calls(self, request):
        try:
            since = int(request.query.get('since', 0))
        except ValueError:
            since = 0
        return self.call_log.entries(tenant=request.query.get('tenant'), cmdlet=request.query.get('cmdlet'), since=since)

    def _client_certificate(self, request, parts):
        if parts != ['client-certificates'] or self.certificates is None:
            return _problem(404, 'no admin endpoint POST smtp/%s' % '/'.join(parts))
        try:
            document = request.json() or {}
            common_name = str(document['common_name'])
            dns_names = [str(name) for name in document.get('dns_names') or []]
            certificate, key = self.certificates.issue_client_certificate(common_name, dns_names)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return _problem(400, 'give {"common_name": "...", "dns_names": [...]}: %s' % exc)
        return Answer.json(201, {'certificate': certificate, 'private_key': key, 'common_name': common_name, 'dns_names': dns_names})

    def _clear_tokens(self):
        self.token_log.clear()
        return Answer.json(200, {'tokens': [], 'total': 0})

    def _add_fault(self, request):
        try:
            fault = self.fault_book.add(request.json())
        except (FaultError, ValueError) as exc:
            return _problem(400, str(exc))
        return Answer.json(201, fault.describe())

    def _tenants(self, request, parts):
        if not parts:
            return Answer.json(200, {'tenants': [{'tenant_id': tenant.tenant_id, 'organization': tenant.organization,
                                                  'names': sorted(tenant.names())} for tenant in self.directory.tenants]})
        tenant = self.directory.tenant(parts[0])
        if tenant is None:
            return _problem(404, 'no tenant named %s' % parts[0])
        what = parts[1] if len(parts) > 1 else 'state'
        if (request.method, what) == ('GET', 'state'):
            return Answer.json(200, tenant.snapshot())
        if (request.method, what) == ('PUT', 'state'):
            try:
                tenant.replace(request.json())
            except ValueError as exc:
                return _problem(400, str(exc))
            return Answer.json(200, tenant.snapshot())
        if what in ('messages', 'email-events', 'historical-searches'):
            return self._mail(request, tenant, parts[1:])
        return _problem(404, 'no admin endpoint %s tenants/%s' % (request.method, '/'.join(parts)))

    @staticmethod
    def _mail(request, tenant, parts):
        route = (request.method,) + tuple(parts)
        with tenant.lock:
            if route == ('GET', 'messages'):
                return Answer.json(200, tenant.mail.snapshot())
            if route == ('DELETE', 'messages'):
                tenant.mail.clear()
                return Answer.json(200, tenant.mail.snapshot())
            if route == ('POST', 'messages', 'age'):
                try:
                    document = request.json() or {}
                    seconds = float(document.get('days', 0)) * 86400 + float(document.get('hours', 0)) * 3600 + float(document.get('seconds', 0))
                except (ValueError, TypeError, AttributeError):
                    return _problem(400, 'give {"days": N, "hours": N, "seconds": N}')
                return Answer.json(200, {'aged': tenant.mail.age(seconds), 'seconds': seconds})
            if route == ('GET', 'email-events'):
                return Answer.json(200, {'email_events': jsonable(tenant.mail.email_events)})
            if len(parts) == 3 and route[0] == 'GET' and parts[0] == 'historical-searches' and parts[2] == 'report.csv':
                search = tenant.mail.searches.get(parts[1].lower())
                if search is None:
                    return _problem(404, 'no historical search %s' % parts[1])
                return Answer(200, search['csv'].encode('utf-8'), content_type='text/csv; charset=utf-8')
        return _problem(404, 'no admin endpoint %s tenants/%s/%s' % (request.method, tenant.tenant_id, '/'.join(parts)))


def _problem(status, message):
    return Answer.json(status, {'error': message})


def _is_loopback(address):
    try:
        return ipaddress.ip_address(address.split('%', 1)[0]).is_loopback
    except ValueError:
        return False
