# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""When a failed call is tried again, and how long to wait first.

Private to this collection; may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import time

from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import Throttled, Transient


class RetryPolicy:
    """Bounded retries with exponential backoff and jitter.

    ``retries`` is how many times a call is tried again after its first attempt, so a call is made at most
    ``retries + 1`` times. Throttling (429) waits the server's ``Retry-After`` when it gives one. A call that may have
    changed something before failing (a create whose connection dropped, or that got a 5xx) is never repeated:
    the caller would risk a duplicate, so only failures that prove nothing happened are retried for it.
    """

    def __init__(self, retries=3, base_delay=1.0, max_delay=30.0, sleep=time.sleep, jitter=random.uniform):
        if retries < 0:
            raise ValueError('retries must be 0 or more')
        self.retries = retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._jitter = jitter

    @property
    def attempts(self):
        return self.retries + 1

    def should_retry(self, error, attempt, repeatable=True):
        """Whether to try again after ``error`` on attempt number ``attempt`` (1-based).

        ``repeatable`` is false for calls that must not run twice (New-*); those are retried only when
        ``error.not_processed`` says the service surely did not act on them (throttled, connection refused).
        """
        if attempt >= self.attempts or not isinstance(error, (Throttled, Transient)):
            return False
        return repeatable or bool(getattr(error, 'not_processed', False))

    def delay(self, error, attempt):
        """Seconds to wait before attempt ``attempt + 1``."""
        retry_after = getattr(error, 'retry_after', None)
        if retry_after is not None:
            return min(float(retry_after), self.max_delay)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self._jitter(ceiling / 2.0, ceiling)

    def wait(self, error, attempt):
        self._sleep(self.delay(error, attempt))

    def run(self, call, repeatable=True):
        """Run ``call()`` until it succeeds, raises an error that is not retried, or attempts run out."""
        attempt = 1
        while True:
            try:
                return call()
            except (Throttled, Transient) as error:
                if not self.should_retry(error, attempt, repeatable):
                    error.attempts = attempt
                    raise
                self.wait(error, attempt)
                attempt += 1
