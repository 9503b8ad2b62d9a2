# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Time stamps in the spellings Exchange uses on the wire."""

import datetime


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def exchange_time(moment=None):
    """``2026-07-23T21:51:45.0000000+00:00``, as in WhenChanged."""
    moment = moment or utc_now()
    return moment.strftime('%Y-%m-%dT%H:%M:%S.') + '%07d' % (moment.microsecond * 10) + '+00:00'


def exchange_utc_time(moment=None):
    """``2026-07-23T22:55:13.0000000Z``, as in WhenChangedUTC."""
    moment = moment or utc_now()
    return moment.strftime('%Y-%m-%dT%H:%M:%S.') + '%07d' % (moment.microsecond * 10) + 'Z'


def iso_time(moment=None):
    """``2026-07-23T21:51:45.123456+00:00``, for the emulator's own logs."""
    return (moment or utc_now()).isoformat()
