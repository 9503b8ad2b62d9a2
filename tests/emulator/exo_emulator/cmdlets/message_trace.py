# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Message trace over what the SMTP door accepted: Get-MessageTraceV2, Get-MessageTraceDetailV2,
Start-HistoricalSearch, Get-HistoricalSearch (shared/exo/smtp-behaviour.md, rest-protocol.md, the reference pages).

Get-MessageTraceV2: one row per recipient, newest first (ties: recipient address ascending); StartDate/EndDate UTC,
both absent -> the last 48 hours; at most 10 days per query and nothing older than 90 days; ResultSize 1000 by
default, 5000 at most; no paging of its own: when more rows exist a warning gives the next query
(``StartingRecipientAddress`` + ``EndDate`` = the last row's RecipientAddress and Received, sent back verbatim).
Get-MessageTraceV2 and Get-MessageTraceDetailV2 each take at most 100 requests within 5 minutes per tenant; the
101st answers 429. SMTP-time refusals are not in message trace.
"""

import csv
import datetime
import io
import re
import uuid

from exo_emulator import errors, mail_records
from exo_emulator.cmdlets.registry import CmdletResult, handles

MAX_WINDOW = datetime.timedelta(days=10)
MAX_HISTORY = datetime.timedelta(days=90)
DEFAULT_WINDOW = datetime.timedelta(hours=48)
MAX_RESULT_SIZE = 5000
DEFAULT_RESULT_SIZE = 1000
REPORT_TYPES = ('ATPReport', 'ATPV2', 'ATPDocument', 'ConnectorReport', 'DLP', 'MessageTrace', 'MessageTraceDetail',
                'OutboundSecurityReport', 'Phish', 'SPAM', 'Spoof', 'TransportRule', 'UnifiedDLP')
# The report types whose rows the emulator fills in; the others are accepted and come back Done with no rows.
MODELLED_REPORTS = ('ConnectorReport', 'MessageTrace', 'TransportRule')
REPORT_COLUMNS = ('origin_timestamp_utc', 'sender_address', 'recipient_address', 'recipient_status', 'message_subject', 'total_bytes',
                  'message_id', 'network_message_id', 'original_client_ip', 'directionality', 'connector_id', 'connector_type',
                  'transport_rules', 'tls_used')
_DATE = re.compile(r'^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$', re.IGNORECASE)
_US_DATE = re.compile(r'^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$', re.IGNORECASE)


def parse_date(name, value):
    """A DateTime parameter (ISO 8601 with or without zone and up to 7 fraction digits, or ``MM/dd/yyyy [HH:mm[:ss]]``)
    as an aware UTC datetime; a value without zone is UTC."""
    text = str(value).strip()
    match = _DATE.match(text)
    try:
        if match:
            year, month, day, hour, minute, second, fraction, zone = match.groups()
            moment = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                                       int((fraction or '0').ljust(6, '0')[:6]), tzinfo=datetime.timezone.utc)
            if zone and zone.upper() != 'Z':
                sign = -1 if zone[0] == '-' else 1
                digits = zone[1:].replace(':', '')
                moment -= sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            return moment
        match = _US_DATE.match(text)
        if match:
            month, day, year, hour, minute, second, half = match.groups()
            hour = int(hour or 0)
            if half:
                hour = hour % 12 + (12 if half.upper() == 'PM' else 0)
            return datetime.datetime(int(year), int(month), int(day), hour, int(minute or 0), int(second or 0), tzinfo=datetime.timezone.utc)
    except ValueError:
        pass
    raise errors.parameter_transformation('Cannot process argument transformation on parameter \'%s\'. Cannot convert value "%s" to type '
                                          '"System.DateTime". Error: "String \'%s\' was not recognized as a valid DateTime."' % (name, text, text))


def _enum(name, value, allowed, type_name='System.String'):
    """A value (or each value of a list) of an enumerated parameter the catalogue types as a plain string, in its
    documented spelling; anything else is refused as PowerShell refuses an unknown enumerator name."""
    if value is None:
        return None
    converted = []
    for item in (value if isinstance(value, list) else [value]):
        match = [choice for choice in allowed if choice.lower() == str(item).strip().lower()]
        if not match:
            raise errors.parameter_transformation(
                'Cannot process argument transformation on parameter \'%s\'. Cannot convert value "%s" to type "%s". Error: "Unable to '
                'match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again: %s"'
                % (name, item, type_name, item, ', '.join(allowed)))
        converted.append(match[0])
    return converted if isinstance(value, list) else converted[0]


def _valid_values(context, name):
    spec = context.cmdlet.parameter(name)
    return list(spec.valid_values or []) if spec is not None else []


def _throttle(context):
    wait = context.tenant.mail.admit_trace_request(context.cmdlet.name)
    if wait is not None:
        raise errors.CmdletError(
            429, 'TooManyRequests', 'Too many requests',
            'Microsoft.Exchange.Management.FfoReporting.ThrottlingException',
            'The request was throttled: %s accepts at most %d requests within %d minutes per organization. Retry after %d seconds.'
            % (context.cmdlet.name, mail_records.THROTTLE_REQUESTS, mail_records.THROTTLE_WINDOW_SECONDS // 60, wait),
            detail_prefix='', headers={'Retry-After': str(wait)})


def _window(parameters, default=DEFAULT_WINDOW, maximum=MAX_WINDOW, now=None):
    """``(start, end)`` of a query, or the Exchange-style refusal."""
    now = now or mail_records.now()
    end = parse_date('EndDate', parameters['EndDate']) if parameters.get('EndDate') is not None else None
    start = parse_date('StartDate', parameters['StartDate']) if parameters.get('StartDate') is not None else None
    if end is None:
        end = now if start is None or start + default < now else start + default
    if start is None:
        start = end - default
    if start > end:
        raise errors.validation_failed('Invalid StartDate value. The StartDate must be earlier than the EndDate.')
    if start < now - MAX_HISTORY:
        raise errors.validation_failed("Invalid StartDate value. The StartDate can't be older than 90 days from today.")
    if end - start > maximum:
        raise errors.validation_failed("Invalid date range. The StartDate and EndDate can't be more than %d days apart: query at most %d days "
                                       'at a time.' % (maximum.days, maximum.days))
    return start, end


def _listed(value):
    if value is None:
        return []
    return [str(item) for item in (value if isinstance(value, list) else [value])]


def _bare_message_id(value):
    return str(value).strip().strip('<>').lower()


def trace_rows(tenant):
    """Every message trace row of the tenant: ``(received, row)``, one per recipient of each accepted message."""
    rows = []
    for message in tenant.mail.messages:
        for recipient in message['recipients']:
            rows.append((message, recipient))
    return rows


def _row_record(message, recipient):
    return {
        'MessageTraceId': message['message_trace_id'], 'MessageId': message['message_id'],
        'Received@data.type': 'System.DateTime', 'Received': mail_records.exchange_time(message['received']),
        'SenderAddress': message['mail_from'], 'RecipientAddress': recipient['address'], 'FromIP': message['client_ip'], 'ToIP': '',
        'Subject': message['subject'], 'Status': recipient['status'], 'Size@data.type': 'System.Int32', 'Size': message['size'],
    }


def _subject_matches(subject, wanted, how):
    subject, wanted = subject.lower(), wanted.lower()
    if how == 'StartsWith':
        return subject.startswith(wanted)
    if how == 'EndsWith':
        return subject.endswith(wanted)
    return wanted in subject


@handles('Get-MessageTraceV2', record_type='Microsoft.Exchange.Management.FfoReporting.MessageTraceV2')
def get_message_trace_v2(context, parameters):
    _throttle(context)
    for name in ('Status', 'SubjectFilterType'):
        parameters[name] = _enum(name, parameters.get(name), _valid_values(context, name))
    start, end = _window(parameters)
    result_size = parameters.get('ResultSize')
    if result_size is None:
        result_size = DEFAULT_RESULT_SIZE
    if not 1 <= int(result_size) <= MAX_RESULT_SIZE:
        raise errors.validation_failed('Invalid ResultSize value. The ResultSize must be between 1 and %d.' % MAX_RESULT_SIZE)
    senders = {item.lower() for item in _listed(parameters.get('SenderAddress'))}
    recipients = {item.lower() for item in _listed(parameters.get('RecipientAddress'))}
    statuses = {item.lower() for item in _listed(parameters.get('Status'))}
    message_ids = {_bare_message_id(item) for item in _listed(parameters.get('MessageId'))}
    trace_id = str(parameters.get('MessageTraceId') or '').strip().strip('{}').lower()
    from_ip = str(parameters.get('FromIP') or '').strip()
    to_ip = str(parameters.get('ToIP') or '').strip()
    subject = parameters.get('Subject')
    subject_how = parameters.get('SubjectFilterType') or 'Contains'
    starting = str(parameters.get('StartingRecipientAddress') or '').lower()
    found = []
    for message, recipient in trace_rows(context.tenant):
        received = message['received']
        address = recipient['address'].lower()
        if not start <= received <= end:
            continue
        if starting and received == end and address <= starting:
            continue
        if senders and message['mail_from'].lower() not in senders:
            continue
        if recipients and address not in recipients:
            continue
        if statuses and recipient['status'].lower() not in statuses:
            continue
        if message_ids and _bare_message_id(message['message_id']) not in message_ids:
            continue
        if trace_id and message['message_trace_id'].lower() != trace_id:
            continue
        if from_ip and message['client_ip'] != from_ip:
            continue
        if to_ip:
            continue  # ToIP is blank for inbound mail: a ToIP filter matches none of it
        if subject is not None and not _subject_matches(message['subject'], str(subject), subject_how):
            continue
        found.append((message, recipient))
    found.sort(key=lambda pair: pair[1]['address'].lower())
    found.sort(key=lambda pair: pair[0]['received'], reverse=True)
    warnings = []
    if len(found) > result_size:
        found = found[:result_size]
        last_message, last_recipient = found[-1]
        warnings.append('There are more results, use the following command to get more results: Get-MessageTraceV2 -StartingRecipientAddress '
                        '"%s" -EndDate "%s"' % (last_recipient['address'], mail_records.exchange_time(last_message['received'])))
    return CmdletResult([_row_record(message, recipient) for message, recipient in found], warnings)


@handles('Get-MessageTraceDetailV2', record_type='Microsoft.Exchange.Management.FfoReporting.MessageTraceDetailV2')
def get_message_trace_detail_v2(context, parameters):
    _throttle(context)
    window = None
    if parameters.get('StartDate') is not None or parameters.get('EndDate') is not None:
        window = _window(parameters)
    trace_id = str(parameters['MessageTraceId']).strip().strip('{}').lower()
    recipient = str(parameters['RecipientAddress']).lower()
    events_wanted = {item.lower() for item in _listed(parameters.get('Event'))}
    actions_wanted = {item.lower() for item in _listed(parameters.get('Action'))}
    records = []
    for message in context.tenant.mail.messages:
        if message['message_trace_id'].lower() != trace_id or recipient not in [item['address'].lower() for item in message['recipients']]:
            continue
        if parameters.get('SenderAddress') and message['mail_from'].lower() != str(parameters['SenderAddress']).lower():
            continue
        if parameters.get('MessageId') and _bare_message_id(message['message_id']) != _bare_message_id(parameters['MessageId']):
            continue
        for event in message['events']:
            if window and not window[0] <= event['date'] <= window[1]:
                continue
            if events_wanted and event['event'].lower() not in events_wanted:
                continue
            if actions_wanted and event['action'].lower() not in actions_wanted:
                continue
            records.append({'MessageTraceId': message['message_trace_id'], 'MessageId': message['message_id'],
                            'Date@data.type': 'System.DateTime', 'Date': mail_records.exchange_time(event['date']),
                            'Event': event['event'], 'Action': event['action'], 'Detail': event['detail'], 'Data': event['data']})
    return CmdletResult(records)


def _report_type(value):
    for name in REPORT_TYPES:
        if name.lower() == str(value).strip().lower():
            return name
    raise errors.parameter_transformation(
        'Cannot process argument transformation on parameter \'ReportType\'. Cannot convert value "%s" to type '
        '"Microsoft.Exchange.Management.FfoReporting.HistoricalSearchReportType". Error: "Unable to match the identifier name %s to a '
        'valid enumerator name. Specify one of the following enumerator names and try again: %s"' % (value, value, ', '.join(REPORT_TYPES)))


def _report_rows(tenant, parameters, report_type, start, end):
    if report_type not in MODELLED_REPORTS or (parameters.get('Direction') or 'All') == 'Sent':
        return []
    wanted = {
        'connector': parameters.get('ConnectorType'),
        'senders': {item.lower() for item in _listed(parameters.get('SenderAddress'))},
        'recipients': {item.lower() for item in _listed(parameters.get('RecipientAddress'))},
        'message_ids': {_bare_message_id(item) for item in _listed(parameters.get('MessageID'))},
        'rules': {item.lower() for item in _listed(parameters.get('TransportRule'))},
        'client_ip': parameters.get('OriginalClientIP'), 'status': parameters.get('DeliveryStatus'),
    }
    rows = []
    for message, recipient in trace_rows(tenant):
        rule_names = [rule['name'] for rule in message['rules']]
        connector_type = message['connector_type'] or 'NoConnector'
        checks = (
            start <= message['received'] <= end,
            not wanted['connector'] or wanted['connector'] == connector_type,
            not wanted['senders'] or message['mail_from'].lower() in wanted['senders'],
            not wanted['recipients'] or recipient['address'].lower() in wanted['recipients'],
            not wanted['message_ids'] or _bare_message_id(message['message_id']) in wanted['message_ids'],
            not wanted['rules'] or bool(wanted['rules'] & {name.lower() for name in rule_names}),
            report_type != 'TransportRule' or bool(rule_names),
            not wanted['client_ip'] or wanted['client_ip'] == message['client_ip'],
            not wanted['status'] or str(wanted['status']).lower() == recipient['status'].lower(),
        )
        if all(checks):
            rows.append((message['received'], {
                'origin_timestamp_utc': mail_records.exchange_time(message['received']), 'sender_address': message['mail_from'],
                'recipient_address': recipient['address'], 'recipient_status': recipient['status'], 'message_subject': message['subject'],
                'total_bytes': message['size'], 'message_id': message['message_id'], 'network_message_id': message['network_message_id'],
                'original_client_ip': message['client_ip'], 'directionality': 'Incoming', 'connector_id': message['connector'] or '',
                'connector_type': connector_type, 'transport_rules': ';'.join(rule_names),
                'tls_used': message['tls_version'] or ''}))
    rows.sort(key=lambda pair: pair[0], reverse=True)
    return [row for _moment, row in rows]


def _csv(rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REPORT_COLUMNS, lineterminator='\r\n')
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _search_record(tenant, search, status):
    return {
        'JobId': search['job_id'], 'SubmitDate@data.type': 'System.DateTime', 'SubmitDate': mail_records.exchange_time(search['submitted']),
        'ReportTitle': search['title'], 'ReportType': search['report_type'], 'Status': status,
        'Rows@data.type': 'System.Int32', 'Rows': len(search['rows']) if status == 'Done' else 0,
        'ErrorCode': None, 'ErrorDescription': None,
        'FileUrl': search['file_url'] if status == 'Done' else None,
        'ReportStatusDescription': search['description'] if status == 'Done' else 'Request submitted',
        'StartDate': mail_records.exchange_time(search['start']), 'EndDate': mail_records.exchange_time(search['end']),
        'NotifyAddress': list(search['notify']), 'Direction': search['direction'], 'ConnectorType': search['connector_type'],
        'Identity': search['job_id'], 'IsValid': True,
    }


@handles('Start-HistoricalSearch', record_type='Microsoft.Exchange.Management.FfoReporting.HistoricalSearch')
def start_historical_search(context, parameters):
    tenant = context.tenant
    report_type = _report_type(parameters['ReportType'])
    for name in ('ConnectorType', 'Direction', 'TLSUsed'):
        parameters[name] = _enum(name, parameters.get(name), _valid_values(context, name))
    start, end = _window(parameters, maximum=MAX_HISTORY)
    title = str(parameters['ReportTitle'])
    if not title.strip():
        raise errors.validation_failed('The ReportTitle parameter value can\'t be empty.')
    notify = _listed(parameters.get('NotifyAddress'))
    for address in notify:
        if '@' not in address or not tenant.accepts_domain(address.rpartition('@')[2]):
            raise errors.validation_failed("The NotifyAddress '%s' isn't valid: historical search notifications go to internal recipients "
                                           '(an address in an accepted domain).' % address)
    job_id = str(uuid.uuid4())
    rows = _report_rows(tenant, parameters, report_type, start, end)
    description = 'The report has %d rows.' % len(rows) if report_type in MODELLED_REPORTS else \
        'The emulator does not model %s reports: the report is empty.' % report_type
    search = {'job_id': job_id, 'submitted': mail_records.now(), 'title': title, 'report_type': report_type, 'start': start, 'end': end,
              'notify': notify, 'direction': parameters.get('Direction') or 'All', 'connector_type': parameters.get('ConnectorType'),
              'rows': rows, 'csv': _csv(rows), 'description': description,
              'file_url': '%s/_emulator/tenants/%s/historical-searches/%s/report.csv' % (context.base_url or '', tenant.tenant_id, job_id)}
    tenant.mail.searches[job_id] = search
    return CmdletResult([_search_record(tenant, search, 'NotStarted')])


@handles('Get-HistoricalSearch', record_type='Microsoft.Exchange.Management.FfoReporting.HistoricalSearch')
def get_historical_search(context, parameters):
    searches = list(context.tenant.mail.searches.values())
    if parameters.get('JobId') is not None:
        wanted = str(parameters['JobId']).strip().strip('{}').lower()
        searches = [search for search in searches if search['job_id'] == wanted]
        if not searches:
            raise errors.object_not_found(parameters['JobId'])
    searches.sort(key=lambda search: search['submitted'], reverse=True)
    return CmdletResult([_search_record(context.tenant, search, 'Done') for search in searches])
