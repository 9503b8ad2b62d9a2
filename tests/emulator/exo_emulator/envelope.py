# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The JSON bodies the admin API answers with: the success envelope and the error envelopes.

Success (live capture): ``@odata.context``, ``adminapi.warnings@odata.type``, ``@adminapi.warnings`` (always
present, an array), ``value``, and ``@odata.nextLink`` only when there is a next page.
"""

from exo_emulator.errors import ODATA_SERVICE_EXCEPTION

WARNINGS_TYPE = '#Collection(String)'
MORE_RESULTS_WARNING = ('There are more results available than are currently displayed. To view them, increase the value for the '
                        'ResultSize parameter.')


def context_url(base_url, tenant_segment):
    return '%s/adminapi/beta/%s/$metadata#Collection(Exchange.GenericHashTable)' % (base_url, tenant_segment)


def success_envelope(base_url, tenant_segment, value, warnings=(), next_link=None):
    body = {'@odata.context': context_url(base_url, tenant_segment)}
    if next_link:
        body['@odata.nextLink'] = next_link
    body['adminapi.warnings@odata.type'] = WARNINGS_TYPE
    body['@adminapi.warnings'] = list(warnings)
    body['value'] = list(value)
    return body


def error_envelope(error):
    """The body for a :class:`~exo_emulator.errors.CmdletError`."""
    body = {'code': error.code, 'message': error.message}
    if error.detail_prefix is not None:
        body['details'] = [{'code': error.detail_code, 'target': '',
                            'message': '%s|%s|%s' % (error.detail_prefix, error.exception_type, error.text)}]
    body['innererror'] = {
        'message': error.message, 'type': ODATA_SERVICE_EXCEPTION, 'stacktrace': '',
        'internalexception': {'message': error.text, 'type': error.exception_type, 'stacktrace': ''},
    }
    if error.warnings_inside:
        body['adminapi.warnings@odata.type'] = WARNINGS_TYPE
        body['@adminapi.warnings'] = []
    return {'error': body}


def plain_error(code, message):
    """The short envelope of front-door refusals (401 token problems, 429, 503)."""
    return {'error': {'code': code, 'message': message}}
