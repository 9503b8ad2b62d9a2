# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What one tenant's front door recorded: accepted messages (message trace and its detail events), SMTP-time
refusals (not in message trace), Defender-style ``EmailEvents`` rows (every message and every refusal, for
hunting), historical searches, and the Get-MessageTraceV2 request window used for throttling.

Times are kept as aware UTC datetimes (millisecond precision, as live ``Received`` values show) and spelled in
Exchange's or Defender's form only when read; :meth:`MailLog.age` moves everything back in time, so tests can
make mail look days old without waiting. Callers hold ``tenant.lock``.
"""

import collections
import datetime

from exo_emulator import clock

# Get-MessageTraceV2 / Get-MessageTraceDetailV2: at most 100 requests within 5 minutes per tenant (reference pages).
THROTTLE_REQUESTS = 100
THROTTLE_WINDOW_SECONDS = 300


def now():
    """The current UTC time at millisecond precision (what the door stamps)."""
    moment = clock.utc_now()
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def exchange_time(moment):
    """``2026-07-23T22:01:22.0480000Z`` (Received, Date, SubmitDate)."""
    return clock.exchange_utc_time(moment)


def jsonable(value):
    """A copy of records with datetimes spelled as Exchange does (for the admin API)."""
    if isinstance(value, datetime.datetime):
        return exchange_time(value)
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    return value


class MailLog:
    """One tenant's mail records.

    ``messages``: accepted messages, each ``{received, message_trace_id, network_message_id, message_id,
    client_ip, helo, tls, tls_version, client_certificate, mail_from, header_from, subject, size, connector,
    connector_type, auth_as, added_headers, recipients: [{address, status}], events: [...], rules: [...]}``
    (``events`` are the detail events of every recipient: ``{date, event, action, detail, data}``).
    ``rejections``: SMTP-time refusals ``{time, client_ip, helo, tls, mail_from, rcpt_to, reply, code,
    enhanced_code, stage, connector}``. ``email_events``: Defender ``EmailEvents`` rows (column -> value, Timestamp a
    datetime). ``searches``: historical searches by JobId. ``trace_requests``: cmdlet -> deque of request times.
    """

    def __init__(self):
        self.messages = []
        self.rejections = []
        self.email_events = []
        self.searches = collections.OrderedDict()
        self.trace_requests = {}

    def clear(self):
        self.messages.clear()
        self.rejections.clear()
        self.email_events.clear()
        self.searches.clear()
        self.trace_requests.clear()

    def age(self, seconds):
        """Move every record ``seconds`` into the past; answers how many records moved."""
        delta = datetime.timedelta(seconds=seconds)
        moved = 0
        for message in self.messages:
            message['received'] -= delta
            for event in message['events']:
                event['date'] -= delta
            moved += 1
        for rejection in self.rejections:
            rejection['time'] -= delta
            moved += 1
        for row in self.email_events:
            row['Timestamp'] -= delta
            moved += 1
        for search in self.searches.values():
            search['submitted'] -= delta
        # The message trace throttle's window moves with them, so a test can wait out 5 minutes at once.
        for window in self.trace_requests.values():
            for index in range(len(window)):
                window[index] -= delta
        return moved

    def admit_trace_request(self, cmdlet, moment=None):
        """Count one request of ``cmdlet``; answers None when admitted, else the seconds until one is allowed."""
        moment = moment or clock.utc_now()
        window = self.trace_requests.setdefault(cmdlet.lower(), collections.deque())
        horizon = moment - datetime.timedelta(seconds=THROTTLE_WINDOW_SECONDS)
        while window and window[0] <= horizon:
            window.popleft()
        if len(window) >= THROTTLE_REQUESTS:
            return max(1, int((window[0] - horizon).total_seconds()) + 1)
        window.append(moment)
        return None

    def snapshot(self):
        return {'messages': jsonable(self.messages), 'rejections': jsonable(self.rejections),
                'email_events': jsonable(self.email_events)}
