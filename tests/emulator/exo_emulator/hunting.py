# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A small subset of KQL over the front door's ``EmailEvents`` rows, for Graph's ``runHuntingQuery``.

Grammar (keywords case-sensitive as in KQL; ``//`` comments and line breaks allowed)::

    query     := 'EmailEvents' ('|' operator)*
    operator  := 'where' expr
               | 'project' column (',' column)*
               | 'summarize' [name '='] 'count()' ['by' column (',' column)*]
               | ('order' | 'sort') 'by' column ['asc' | 'desc'] (',' column ['asc' | 'desc'])*
               | ('take' | 'limit') N
    expr      := term ('or' term)*            term := factor ('and' factor)*
    factor    := 'not'? '(' expr ')' | column op value | column ('in' | '!in' | 'in~' | '!in~') '(' value (',' value)* ')'
               | ('isempty' | 'isnotempty') '(' column ')'
    op        := '==' '!=' '=~' '!~' 'has' '!has' 'contains' '!contains' 'startswith' 'endswith' '>' '>=' '<' '<='
    value     := "string" | 'string' | number | ago(Nd|Nh|Nm|Ns|Nms) | now() | datetime(ISO 8601) | true | false

``==``, ``!=`` and ``in`` are case-sensitive, the others not; ``has`` matches a whole term (bounded by
non-alphanumerics, so ``has "5.7.68"`` finds the code in AdditionalFields); sorting defaults to descending;
``summarize count()`` names its column ``count_``. Anything else raises :class:`QueryError` (Graph answers 400).
"""

import datetime
import re

from exo_emulator import clock

COLUMNS = (('Timestamp', 'DateTime'), ('NetworkMessageId', 'String'), ('InternetMessageId', 'String'), ('SenderFromAddress', 'String'),
           ('SenderMailFromAddress', 'String'), ('SenderFromDomain', 'String'), ('SenderMailFromDomain', 'String'),
           ('SenderIPv4', 'String'), ('SenderIPv6', 'String'), ('RecipientEmailAddress', 'String'), ('Subject', 'String'),
           ('EmailDirection', 'String'), ('DeliveryAction', 'String'), ('DeliveryLocation', 'String'), ('ConnectorId', 'String'),
           ('AdditionalFields', 'String'))
TABLE = 'EmailEvents'
_TOKEN = re.compile(r'\s*(?:(?P<comment>//[^\n]*)|(?P<string>"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')|(?P<number>\d+(?:\.\d+)?(?:d|h|m|s|ms)?\b)'
                    r'|(?P<op>==|!=|=~|!~|>=|<=|!in~|!in|in~|!has|!contains|[|(),=<>])|(?P<word>[A-Za-z_][A-Za-z0-9_]*))')
_UNITS = {'d': 86400, 'h': 3600, 'm': 60, 's': 1, 'ms': 0.001}
_COMPARISONS = ('==', '!=', '=~', '!~', 'has', '!has', 'contains', '!contains', 'startswith', 'endswith', '>', '>=', '<', '<=')


class QueryError(Exception):
    """A query the emulator cannot run; the message is Graph's ``error.message``."""


def tokenize(query):
    tokens = []
    position = 0
    query = query.rstrip().rstrip(';')
    while position < len(query):
        match = _TOKEN.match(query, position)
        if not match or match.end() == position:
            if query[position:].strip() == '':
                break
            raise QueryError("Query could not be parsed at '%s' on line [1,%d]" % (query[position:].strip()[:20], position + 1))
        position = match.end()
        kind = match.lastgroup
        if kind == 'comment':
            continue
        tokens.append((kind, match.group(kind), match.start(kind) + 1))
    return tokens


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.index = 0

    def peek(self, offset=0):
        index = self.index + offset
        return self.tokens[index] if index < len(self.tokens) else (None, None, 0)

    def take(self, *expected):
        kind, text, column = self.peek()
        if text is None or (expected and text not in expected):
            shown = text if text is not None else '<end of query>'
            hint = ' (expected %s)' % ' or '.join(expected) if expected else ''
            raise QueryError("Query could not be parsed at '%s' on line [1,%d]%s" % (shown, column, hint))
        self.index += 1
        return kind, text, column

    def done(self):
        return self.index >= len(self.tokens)


def _column(parser, known):
    kind, text, column = parser.take()
    if kind != 'word':
        raise QueryError("Query could not be parsed at '%s' on line [1,%d]" % (text, column))
    if text not in known:
        raise QueryError("Failed to resolve scalar expression named '%s'" % text)
    return text


def _value(parser):
    kind, text, column = parser.take()
    if kind == 'string':
        return re.sub(r'\\(.)', r'\1', text[1:-1])
    if kind == 'number':
        unit = re.match(r'[\d.]+(d|h|m|s|ms)?$', text).group(1)
        if unit:
            return datetime.timedelta(seconds=float(text[:-len(unit)]) * _UNITS[unit])
        return float(text) if '.' in text else int(text)
    if kind == 'word' and text in ('true', 'false'):
        return text == 'true'
    if kind == 'word' and text in ('ago', 'now', 'datetime'):
        parser.take('(')
        if text == 'now':
            parser.take(')')
            return clock.utc_now()
        if text == 'ago':
            span = _value(parser)
            parser.take(')')
            if not isinstance(span, datetime.timedelta):
                raise QueryError("ago(): argument #1 must be a timespan, e.g. ago(7d)")
            return clock.utc_now() - span
        parts = []
        while parser.peek()[1] != ')':
            parts.append(parser.take()[1])
        parser.take(')')
        try:
            moment = datetime.datetime.fromisoformat(''.join(parts).strip('"\'').replace('Z', '+00:00'))
        except ValueError:
            raise QueryError("datetime(): cannot parse '%s'" % ''.join(parts)) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)
    raise QueryError("Query could not be parsed at '%s' on line [1,%d]" % (text, column))


def _has(haystack, needle):
    return re.search(r'(?<![A-Za-z0-9])%s(?![A-Za-z0-9])' % re.escape(needle), haystack, re.IGNORECASE) is not None


def _compare(op, left, right):
    if isinstance(right, datetime.datetime) or isinstance(left, datetime.datetime):
        if not isinstance(left, datetime.datetime) or not isinstance(right, datetime.datetime):
            raise QueryError("Cannot compare a datetime with a value of another type using '%s'" % op)
    elif op in ('>', '>=', '<', '<='):
        if not isinstance(left, (int, float)) or not isinstance(right, (int, float)):
            left, right = str(left), str(right)
    else:
        left, right = '' if left is None else str(left), str(right)
    if op in ('has', '!has'):
        return _has(left, right) == (op == 'has')
    if op in ('contains', '!contains'):
        return (right.lower() in left.lower()) == (op == 'contains')
    comparisons = {
        '==': lambda: left == right, '!=': lambda: left != right,
        '=~': lambda: str(left).lower() == str(right).lower(), '!~': lambda: str(left).lower() != str(right).lower(),
        'startswith': lambda: str(left).lower().startswith(str(right).lower()), 'endswith': lambda: str(left).lower().endswith(str(right).lower()),
        '>': lambda: left > right, '>=': lambda: left >= right, '<': lambda: left < right, '<=': lambda: left <= right,
    }
    return comparisons[op]()


def _factor(parser, known):
    kind, text, _column_at = parser.peek()
    if text == 'not':
        parser.take()
        parser.take('(')
        inner = _expression(parser, known)
        parser.take(')')
        return lambda row: not inner(row)
    if text == '(':
        parser.take()
        inner = _expression(parser, known)
        parser.take(')')
        return inner
    if kind == 'word' and text in ('isempty', 'isnotempty'):
        parser.take()
        parser.take('(')
        name = _column(parser, known)
        parser.take(')')
        return lambda row: (row.get(name) in (None, '')) == (text == 'isempty')
    name = _column(parser, known)
    _kind, op, column = parser.take()
    if op in ('in', '!in', 'in~', '!in~'):
        parser.take('(')
        values = [_value(parser)]
        while parser.peek()[1] == ',':
            parser.take()
            values.append(_value(parser))
        parser.take(')')
        if op.endswith('~'):
            folded = {str(value).lower() for value in values}
            return lambda row: (str(row.get(name)).lower() in folded) == (not op.startswith('!'))
        return lambda row: (row.get(name) in values) == (not op.startswith('!'))
    if op not in _COMPARISONS:
        raise QueryError("Query could not be parsed at '%s' on line [1,%d]: the emulator supports %s, in, !in" % (op, column, ', '.join(_COMPARISONS)))
    value = _value(parser)
    return lambda row: _compare(op, row.get(name), value)


def _term(parser, known):
    parts = [_factor(parser, known)]
    while parser.peek()[1] == 'and':
        parser.take()
        parts.append(_factor(parser, known))
    return lambda row: all(part(row) for part in parts)


def _expression(parser, known):
    parts = [_term(parser, known)]
    while parser.peek()[1] == 'or':
        parser.take()
        parts.append(_term(parser, known))
    return lambda row: any(part(row) for part in parts)


def _column_list(parser, known):
    names = [_column(parser, known)]
    while parser.peek()[1] == ',':
        parser.take()
        names.append(_column(parser, known))
    return names


def _sort_key(value):
    if isinstance(value, datetime.datetime):
        return (0, value.timestamp())
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, '' if value is None else str(value))


def run(query, rows):
    """``(schema, results)`` of ``query`` over ``rows`` (EmailEvents rows, Timestamp a datetime); raises QueryError."""
    if not isinstance(query, str) or not query.strip():
        raise QueryError('The query is empty.')
    parser = _Parser(tokenize(query))
    kind, table, _column_at = parser.take()
    if table != TABLE:
        raise QueryError("Failed to resolve table or column expression named '%s'" % table)
    schema = list(COLUMNS)
    rows = [dict(row) for row in rows]
    while not parser.done():
        parser.take('|')
        known = {name for name, _type in schema}
        _kind, operator, column = parser.take()
        if operator == 'where':
            condition = _expression(parser, known)
            rows = [row for row in rows if condition(row)]
        elif operator == 'project':
            names = _column_list(parser, known)
            schema = [next(item for item in schema if item[0] == name) for name in names]
            rows = [{name: row.get(name) for name in names} for row in rows]
        elif operator == 'summarize':
            schema, rows = _summarize(parser, known, schema, rows)
        elif operator in ('order', 'sort'):
            parser.take('by')
            keys = []
            while True:
                name = _column(parser, known)
                descending = True
                if parser.peek()[1] in ('asc', 'desc'):
                    descending = parser.take()[1] == 'desc'
                keys.append((name, descending))
                if parser.peek()[1] != ',':
                    break
                parser.take()
            for name, descending in reversed(keys):
                rows.sort(key=lambda row, name=name: _sort_key(row.get(name)), reverse=descending)
        elif operator in ('take', 'limit'):
            _kind, count, count_at = parser.take()
            if not count.isdigit():
                raise QueryError("Query could not be parsed at '%s' on line [1,%d]" % (count, count_at))
            rows = rows[:int(count)]
        else:
            raise QueryError("Query could not be parsed at '%s' on line [1,%d]: the emulator supports where, project, summarize count() by, "
                             'order by / sort by, take / limit' % (operator, column))
    return [{'name': name, 'type': kind} for name, kind in schema], [_render(row) for row in rows]


def _summarize(parser, known, schema, rows):
    name = 'count_'
    if parser.peek(1)[1] == '=':
        name = parser.take()[1]
        parser.take('=')
    parser.take('count')
    parser.take('(')
    parser.take(')')
    groups = []
    if parser.peek()[1] == 'by':
        parser.take()
        groups = _column_list(parser, known)
    counts = {}
    for row in rows:
        key = tuple(row.get(group) for group in groups)
        counts[key] = counts.get(key, 0) + 1
    types = dict(schema)
    new_schema = [(group, types[group]) for group in groups] + [(name, 'Int64')]
    new_rows = [dict(zip(groups, key), **{name: count}) for key, count in counts.items()]
    return new_schema, new_rows


def _render(row):
    return {key: (clock.exchange_utc_time(value) if isinstance(value, datetime.datetime) else value) for key, value in row.items()}
