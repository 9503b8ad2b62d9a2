# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Monitoring from Exchange's own records: message trace (what got in, and what the safety-net rule did) and
historical searches (beyond message trace's 10-day window).

Private to this collection; may change without notice.

Limits this code keeps (rest-protocol.md): Get-MessageTraceV2 answers at most 10 days per query, 90 days back, and at
most 5,000 rows per query without paging (the next rows come from a new query with ``StartingRecipientAddress`` and
``EndDate`` taken from the last row); 100 requests per 5 minutes per tenant, beyond which Exchange answers 429 and the
client's retry policy waits as told.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import re
import time

from ansible_collections.exoguard.mailflow.plugins.module_utils._engine import require
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import (
    ConfigurationError, ExoError, NotFound, Transient)

TRACE_CMDLET = 'Get-MessageTraceV2'
TRACE_DETAIL_CMDLET = 'Get-MessageTraceDetailV2'
TRACE_WINDOW = datetime.timedelta(days=10)
HISTORY = datetime.timedelta(days=90)
MAX_PAGE_SIZE = 5000
TRACE_STATUSES = ('Delivered', 'Expanded', 'Failed', 'FilteredAsSpam', 'GettingStatus', 'Pending', 'Quarantined')
RULE_EVENT = 'transport rule'
# Slack so that "90 days back" is still inside the history when Exchange receives the query.
_HISTORY_MARGIN = datetime.timedelta(minutes=10)
_WIRE_FORMAT = '%Y-%m-%dT%H:%M:%S'
_DATE = re.compile(r'^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$',
                   re.IGNORECASE)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)


def parse_date(value, option='date'):
    """A date or date-time (``2026-07-01``, ``2026-07-01T08:00:00``, ``...Z``, ``...+02:00``, Exchange's
    ``2026-07-23T21:51:45.0000000+00:00``) as a naive UTC datetime."""
    if isinstance(value, datetime.datetime):
        return value
    match = _DATE.match(str(value or '').strip())
    require(match, option, '%r is not a date; write 2026-07-01 or 2026-07-01T08:00:00Z (UTC)' % (value,))
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                                   int((fraction or '0')[:6].ljust(6, '0')))
    except ValueError as error:
        raise ConfigurationError('%s: %r is not a date (%s)' % (option, value, error))
    if zone and zone.upper() != 'Z':
        sign = -1 if zone[0] == '-' else 1
        digits = zone[1:].replace(':', '')
        moment -= sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment


def wire_date(moment):
    """A datetime as InvokeCommand takes it: UTC ``yyyy-MM-ddTHH:mm:ss``."""
    return moment.strftime(_WIRE_FORMAT)


def time_window(options, now, default_days, option_prefix=''):
    """``(start, end)`` from ``start_date``/``end_date`` or ``days`` back from now, inside the 90 days Exchange
    keeps. Refuses a window that is empty or reaches further back."""
    days = options.get('days')
    # ``now`` is whole seconds; mail received in its last fraction of a second still belongs to the window.
    end = parse_date(options['end_date'], 'end_date') if options.get('end_date') else now + datetime.timedelta(seconds=1)
    if options.get('start_date'):
        require(days is None, 'days', 'give days or start_date, not both')
        start = parse_date(options['start_date'], 'start_date')
        require(start >= now - HISTORY, 'start_date', '%s is more than 90 days ago; Exchange keeps 90 days'
                % wire_date(start))
    else:
        days = default_days if days is None else days
        require(1 <= days <= 90, 'days', '%r is out of range; give 1 to 90' % days)
        start = max(end - datetime.timedelta(days=days), now - HISTORY + _HISTORY_MARGIN)
    require(end <= now + datetime.timedelta(days=1), 'end_date', '%s is in the future' % wire_date(end))
    require(start < end, 'start_date', '%s is not before the end of the window (%s)' % (wire_date(start), wire_date(end)))
    return start, end


def split_window(start, end, span=TRACE_WINDOW):
    """The ``(start, end)`` queries that cover ``start``..``end``, each at most ``span`` long, newest first (message
    trace answers newest first, so rows come out in one order)."""
    windows = []
    upper = end
    while upper > start:
        lower = max(start, upper - span)
        windows.append((lower, upper))
        upper = lower
    return windows


def _networks(gateway_ips):
    networks = []
    for value in gateway_ips or []:
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            require(False, 'gateway_ips', '%r is not an IP address or CIDR block' % (value,))
    return networks


def _in_networks(address, networks):
    try:
        ip = ipaddress.ip_address(str(address).strip())
    except ValueError:
        return False
    return any(ip.version == network.version and ip in network for network in networks)


def _sender_domain(address):
    return (address or '').rpartition('@')[2].lower() or '(none)'


def trace_filters(options):
    """The Get-MessageTraceV2 parameters for the module's filter options that are set."""
    parameters = {}
    for option, parameter in (('sender_address', 'SenderAddress'), ('recipient_address', 'RecipientAddress'),
                              ('status', 'Status'), ('message_id', 'MessageId')):
        if options.get(option):
            parameters[parameter] = list(options[option])
    if options.get('from_ip'):
        parameters['FromIP'] = options['from_ip']
    return parameters


class MessageTrace:
    """Reads message trace rows for a window, however many queries that takes; ``queries`` counts them."""

    def __init__(self, client, page_size=MAX_PAGE_SIZE):
        require(1 <= page_size <= MAX_PAGE_SIZE, 'page_size', '%r is out of range; give 1 to 5000' % page_size)
        self.client = client
        self.page_size = page_size
        self.queries = 0

    def rows(self, start, end, filters=None):
        """Every row of ``start``..``end`` (split into 10-day queries), newest first, each (trace, recipient) once."""
        rows, seen = [], set()
        for lower, upper in split_window(start, end):
            parameters = dict(filters or {}, StartDate=wire_date(lower), EndDate=wire_date(upper),
                              ResultSize=self.page_size)
            while True:
                page = self._query(parameters)
                new = [row for row in page if _row_key(row) not in seen]
                for row in new:
                    seen.add(_row_key(row))
                rows.extend(new)
                if len(page) < self.page_size or not new:
                    break
                # No paging: the next query starts where this one stopped (Microsoft's documented continuation).
                last = page[-1]
                parameters = dict(parameters, EndDate=last.get('Received'),
                                  StartingRecipientAddress=last.get('RecipientAddress'))
        return rows

    def _query(self, parameters):
        self.queries += 1
        return self.client.invoke(TRACE_CMDLET, parameters)

    def details(self, row):
        """The detail events of one row (Get-MessageTraceDetailV2 for its trace id and recipient)."""
        self.queries += 1
        return self.client.invoke(TRACE_DETAIL_CMDLET, {'MessageTraceId': row.get('MessageTraceId'),
                                                        'RecipientAddress': row.get('RecipientAddress')})


def _row_key(row):
    return (str(row.get('MessageTraceId') or row.get('MessageId') or ''), str(row.get('RecipientAddress') or '').lower(),
            str(row.get('Received') or ''))


def _is_inbound(row):
    return bool(row.get('FromIP')) and not row.get('ToIP')


def _message(row):
    return dict((key, row.get(key)) for key in ('Received', 'SenderAddress', 'RecipientAddress', 'Subject', 'Status',
                                                'FromIP', 'MessageId', 'MessageTraceId'))


def _event(event):
    return dict((key, event.get(key)) for key in ('Date', 'Event', 'Action', 'Detail', 'Data'))


def _rule_events(events):
    return [_event(event) for event in events if (event.get('Event') or '').strip().lower() == RULE_EVENT]


def summarise(rows, gateway_ips, detail_reader, detail_limit=50):
    """The monitoring summary of trace ``rows``; returns ``(summary, warnings)``.

    - ``bypasses``: inbound rows (a FromIP, no ToIP) not Failed whose FromIP is not a gateway address: mail that got in
      without the gateway, counted by IP and by sender domain (None without ``gateway_ips``);
    - ``failed_by_rule``: Failed rows whose detail has a "Transport rule" event (details are read only for Failed rows);
    - ``audit_events``: "Transport rule" events on the bypasses (an Audit-mode rule records an event and lets the
      message through), read from their details (None without ``gateway_ips``).

    ``detail_reader(row)`` returns a row's detail events; at most ``detail_limit`` are read, Failed rows first.
    """
    networks = _networks(gateway_ips)
    warnings = []
    inbound = [row for row in rows if _is_inbound(row)]
    failed = [row for row in rows if row.get('Status') == 'Failed']
    bypasses = None
    if networks:
        bypasses = [row for row in inbound if row.get('Status') != 'Failed' and not _in_networks(row['FromIP'], networks)]
    budget = [detail_limit]

    def details(row):
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        return detail_reader(row)

    failed_by_rule, skipped = [], 0
    for row in failed:
        events = details(row)
        if events is None:
            skipped += 1
            continue
        rule_events = _rule_events(events)
        if rule_events:
            entry = _message(row)
            entry['rule_events'] = rule_events
            entry['fail_events'] = [_event(event) for event in events if (event.get('Event') or '').upper() == 'FAIL']
            failed_by_rule.append(entry)
    audit_events = None
    if bypasses is not None:
        audit_events = []
        for row in bypasses:
            events = details(row)
            if events is None:
                skipped += 1
                continue
            for event in _rule_events(events):
                entry = _message(row)
                entry.update(event=event)
                audit_events.append(entry)
    if skipped:
        warnings.append('%d message details were not read (detail_limit %d): failed_by_rule and audit_events are '
                        'incomplete; narrow the window or raise detail_limit' % (skipped, detail_limit))
    summary = {
        'total': len(rows),
        'inbound': len(inbound),
        'gateway_ips': [str(network) for network in networks],
        'bypasses': None if bypasses is None else {
            'count': len(bypasses),
            'by_ip': _group(bypasses, lambda row: row['FromIP'], 'from_ip', 'sender_domains',
                            lambda row: _sender_domain(row.get('SenderAddress'))),
            'by_sender_domain': _group(bypasses, lambda row: _sender_domain(row.get('SenderAddress')), 'sender_domain',
                                       'from_ips', lambda row: row['FromIP']),
        },
        'failed_by_rule': failed_by_rule,
        'audit_events': audit_events,
    }
    return summary, warnings


def _group(rows, key, key_name, other_name, other):
    groups = {}
    for row in rows:
        entry = groups.setdefault(key(row), {key_name: key(row), 'count': 0, other_name: set()})
        entry['count'] += 1
        entry[other_name].add(other(row))
    result = []
    for entry in groups.values():
        entry[other_name] = sorted(entry[other_name])
        result.append(entry)
    return sorted(result, key=lambda entry: (-entry['count'], entry[key_name]))


def message_trace_task(client, options, check_mode, now=utc_now):
    """The ``exo_message_trace_info`` task: rows of the window, the summary, and how many queries it took."""
    start, end = time_window(options, now(), default_days=2)
    trace = MessageTrace(client, options.get('page_size') or MAX_PAGE_SIZE)
    rows = trace.rows(start, end, trace_filters(options))
    summary, warnings = summarise(rows, options.get('gateway_ips'), trace.details,
                                  detail_limit=options.get('detail_limit', 50))
    result = {'changed': False, 'start_date': wire_date(start), 'end_date': wire_date(end),
              'windows': [[wire_date(lower), wire_date(upper)] for lower, upper in split_window(start, end)],
              'queries': trace.queries, 'summary': summary, 'warnings': warnings}
    if options.get('include_messages'):
        result['messages'] = rows
    return result


# -- historical search -----------------------------------------------------------------------------------------------

HISTORICAL_SEARCH_PARAMETERS = (
    ('report_type', 'ReportType'), ('report_title', 'ReportTitle'), ('connector_type', 'ConnectorType'),
    ('direction', 'Direction'), ('notify_address', 'NotifyAddress'), ('sender_address', 'SenderAddress'),
    ('recipient_address', 'RecipientAddress'), ('original_client_ip', 'OriginalClientIP'),
    ('transport_rule', 'TransportRule'), ('delivery_status', 'DeliveryStatus'), ('message_id', 'MessageID'),
)
FINISHED = ('done',)
ABANDONED = ('failed', 'cancelled', 'canceled')


def _status(job):
    return str((job or {}).get('Status') or '').strip().lower()


class HistoricalSearch:
    """Start-/Get-HistoricalSearch for one tenant. A job is found again by its title among the searches Exchange
    lists (those of the last 10 days), so a second run does not start a second search."""

    def __init__(self, client, sleep=time.sleep, clock=time.time):
        self.client = client
        self._sleep = sleep
        self._clock = clock

    def job(self, job_id):
        try:
            records = self.client.invoke('Get-HistoricalSearch', {'JobId': job_id})
        except NotFound:
            records = []
        if not records:
            raise ConfigurationError('job_id: no historical search %s in this tenant (Exchange lists those of the last '
                                     '10 days)' % job_id, tenant=self.client.tenant, cmdlet='Get-HistoricalSearch')
        return records[0]

    def by_title(self, title):
        """The newest search of this title that has not failed or been cancelled, or None."""
        jobs = [job for job in self.client.invoke('Get-HistoricalSearch')
                if str(job.get('ReportTitle') or '').lower() == title.lower() and _status(job) not in ABANDONED]
        jobs.sort(key=lambda job: str(job.get('SubmitDate') or ''), reverse=True)
        return jobs[0] if jobs else None

    def start(self, parameters):
        """Start a search; returns its record. An answer lost after the request left is not resent: the search is
        looked up by its title, and found means started."""
        try:
            records = self.client.invoke('Start-HistoricalSearch', parameters)
        except Transient as error:
            if error.not_processed:
                raise
            job = self.by_title(parameters['ReportTitle'])
            if job is None:
                raise
            return job
        job = records[0] if records else None
        if not job or not job.get('JobId'):
            job = self.by_title(parameters['ReportTitle'])
        if job is None:
            raise ExoError('Start-HistoricalSearch answered without a JobId and no search titled %r is listed'
                           % parameters['ReportTitle'], tenant=self.client.tenant, cmdlet='Start-HistoricalSearch')
        return job

    def wait(self, job, timeout, interval):
        """Poll until the job is Done; raises when it failed, was cancelled or is not done after ``timeout`` s."""
        deadline = self._clock() + timeout
        while _status(job) not in FINISHED:
            if _status(job) in ABANDONED:
                description = job.get('ReportStatusDescription') or ''
                raise ExoError('historical search %s ended %s: %s' % (job.get('JobId'), job.get('Status'), description),
                               tenant=self.client.tenant, cmdlet='Get-HistoricalSearch')
            if self._clock() + interval > deadline:
                raise ExoError('historical search %s is still %s after %s seconds; read it later with job_id (Exchange '
                               'can take hours)' % (job.get('JobId'), job.get('Status'), timeout),
                               tenant=self.client.tenant, cmdlet='Get-HistoricalSearch')
            self._sleep(interval)
            job = self.job(job.get('JobId'))
        return job


def historical_search_parameters(options, now):
    start, end = time_window(options, now, default_days=90)
    parameters = {'StartDate': wire_date(start), 'EndDate': wire_date(end)}
    for option, parameter in HISTORICAL_SEARCH_PARAMETERS:
        value = options.get(option)
        if value not in (None, '', []):
            parameters[parameter] = value
    return parameters


def historical_search_task(client, options, check_mode, now=utc_now, sleep=time.sleep, clock=time.time):
    """The ``exo_historical_search`` task: read a job by ``job_id``, or start one unless a job of the same title is
    listed (then that one is returned, unchanged); optionally wait until it is Done."""
    searches = HistoricalSearch(client, sleep=sleep, clock=clock)
    changed = False
    if options.get('job_id'):
        job = searches.job(options['job_id'])
    else:
        require(options.get('report_title'), 'report_title', 'give report_title to start a search, or job_id to read one')
        require(options.get('report_type'), 'report_type', 'give the report type, such as ConnectorReport')
        parameters = historical_search_parameters(options, now())
        job = searches.by_title(options['report_title'])
        if job is None:
            changed = True
            if check_mode:
                return {'changed': True, 'job': None, 'job_id': None, 'done': False, 'parameters': parameters}
            job = searches.start(parameters)
    if options.get('wait') and not check_mode:
        job = searches.wait(job, options.get('wait_timeout') or 900, options.get('poll_interval') or 30)
    return {'changed': changed, 'job': job, 'job_id': job.get('JobId'), 'done': _status(job) in FINISHED}
