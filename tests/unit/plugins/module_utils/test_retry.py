# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import InvalidParameter, NotFound, Throttled, Transient
from ansible_collections.exoguard.mailflow.plugins.module_utils._retry import RetryPolicy


class Recorder:
    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def policy(retries=3, sleeps=None):
    sleeps = sleeps if sleeps is not None else []
    return RetryPolicy(retries=retries, base_delay=2.0, max_delay=30.0, sleep=sleeps.append,
                       jitter=lambda low, high: high)


def test_transient_failures_are_retried_until_success():
    sleeps = []
    call = Recorder([Transient('503'), Transient('503'), 'ok'])
    assert policy(sleeps=sleeps).run(call) == 'ok'
    assert call.calls == 3
    assert sleeps == [2.0, 4.0]


def test_retry_after_is_honoured():
    sleeps = []
    call = Recorder([Throttled('429', retry_after=7), 'ok'])
    assert policy(sleeps=sleeps).run(call) == 'ok'
    assert sleeps == [7.0]


def test_retry_after_is_capped():
    assert policy().delay(Throttled('429', retry_after=3600), 1) == 30.0


def test_backoff_grows_exponentially_with_jitter_below_the_ceiling():
    seen = []
    retry = RetryPolicy(retries=5, base_delay=2.0, max_delay=30.0, sleep=seen.append,
                        jitter=lambda low, high: (low, high))
    assert [retry.delay(Transient('x'), attempt) for attempt in (1, 2, 3, 4, 5)] == [
        (1.0, 2.0), (2.0, 4.0), (4.0, 8.0), (8.0, 16.0), (15.0, 30.0)]


def test_a_call_is_made_at_most_retries_plus_one_times_and_the_error_says_so():
    call = Recorder([Transient('503')] * 10)
    with pytest.raises(Transient) as caught:
        policy(retries=2).run(call)
    assert call.calls == 3
    assert caught.value.attempts == 3
    assert 'gave up after 3 attempts' in str(caught.value)


@pytest.mark.parametrize('error', [NotFound('gone'), InvalidParameter('bad')])
def test_errors_that_cannot_pass_are_not_retried(error):
    call = Recorder([error, 'ok'])
    with pytest.raises(type(error)):
        policy().run(call)
    assert call.calls == 1


def test_a_create_that_may_have_reached_the_service_is_never_sent_again():
    call = Recorder([Transient('dropped after send', not_processed=False), 'ok'])
    with pytest.raises(Transient):
        policy().run(call, repeatable=False)
    assert call.calls == 1


def test_a_create_refused_before_processing_is_sent_again():
    call = Recorder([Throttled('429', retry_after=0, not_processed=True), 'created'])
    assert policy().run(call, repeatable=False) == 'created'
    assert call.calls == 2


def test_zero_retries_means_one_attempt():
    call = Recorder([Transient('503'), 'ok'])
    with pytest.raises(Transient):
        policy(retries=0).run(call)
    assert call.calls == 1
