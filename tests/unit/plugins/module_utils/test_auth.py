# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import multiprocessing
import os
import stat
import sys
import time

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils import _auth as auth
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ConfigurationError

SECRET = 'very-secret-value-123'


class CountingProvider(auth.TokenProvider):
    """A provider whose identity platform is a counter file, so forks can share the count."""

    def __init__(self, counter_path, *args, **kwargs):
        super(CountingProvider, self).__init__(*args, **kwargs)
        self.counter_path = counter_path

    def _request_token(self):
        time.sleep(0.05)  # long enough for concurrent forks to collide without the lock
        with open(self.counter_path, 'a') as handle:
            handle.write('x')
        return 'token-%d' % os.getpid(), 3599


def provider(tmp_path, secret=SECRET, cls=CountingProvider, **kwargs):
    return cls(str(tmp_path / 'requests'), 'contoso.onmicrosoft.com', 'app-id', auth.ClientSecret(secret),
               'https://login.example', 'https://outlook.office365.com/.default',
               cache=auth.TokenCache(str(tmp_path / 'cache')), **kwargs)


def token_requests(tmp_path):
    path = tmp_path / 'requests'
    return len(path.read_text()) if path.exists() else 0


def test_second_task_gets_the_cached_token_without_a_request(tmp_path):
    first = provider(tmp_path).token()
    second = provider(tmp_path).token()
    assert first == second
    assert token_requests(tmp_path) == 1


def test_cache_files_are_private_to_their_owner(tmp_path):
    provider(tmp_path).token()
    cache_dir = tmp_path / 'cache'
    assert stat.S_IMODE(os.stat(str(cache_dir)).st_mode) == 0o700
    for entry in cache_dir.iterdir():
        assert stat.S_IMODE(entry.stat().st_mode) == 0o600, entry


def test_the_cache_never_holds_the_credential(tmp_path):
    provider(tmp_path).token()
    for entry in (tmp_path / 'cache').iterdir():
        assert SECRET not in entry.read_text()
        assert SECRET not in entry.name


def test_a_changed_secret_takes_effect_at_once(tmp_path):
    provider(tmp_path).token()
    provider(tmp_path, secret='rotated-secret').token()
    assert token_requests(tmp_path) == 2


def test_an_expiring_token_is_replaced(tmp_path):
    cache = auth.TokenCache(str(tmp_path / 'cache'))
    cache.put('k', 'old', expires_in=60)
    assert cache.get('k') is None
    cache.put('k', 'fresh', expires_in=3600)
    assert cache.get('k') == 'fresh'


def test_refresh_drops_the_cached_token(tmp_path):
    tokens = provider(tmp_path)
    tokens.token()
    tokens.token(refresh=True)
    assert token_requests(tmp_path) == 2


def _fork_task(tmp_path_text, results):
    from pathlib import Path
    results.put(provider(Path(tmp_path_text)).token())


def test_concurrent_forks_ask_for_one_token_between_them(tmp_path):
    context = multiprocessing.get_context('fork')
    results = context.Queue()
    workers = [context.Process(target=_fork_task, args=(str(tmp_path), results)) for fork in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    tokens = set(results.get(timeout=5) for worker in workers)
    assert len(tokens) == 1
    assert token_requests(tmp_path) == 1


def test_a_cache_hit_does_not_import_msal(tmp_path, monkeypatch):
    provider(tmp_path).token()
    real = auth.TokenProvider('contoso.onmicrosoft.com', 'app-id', auth.ClientSecret(SECRET), 'https://login.example',
                              'https://outlook.office365.com/.default', cache=auth.TokenCache(str(tmp_path / 'cache')))
    # With CountingProvider's request path, the key is the same; a real provider must answer from the cache
    # even where msal cannot be imported.
    monkeypatch.setitem(sys.modules, 'msal', None)
    assert real.token().startswith('token-')


def test_secret_is_not_in_repr():
    assert SECRET not in repr(auth.ClientSecret(SECRET))


def test_certificate_thumbprint_is_computed(tmp_path):
    trustme = pytest.importorskip('trustme')
    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    cert = ca.issue_cert('app.example')
    pem = tmp_path / 'app.pem'
    pem.write_bytes(cert.cert_chain_pems[0].bytes() + cert.private_key_pem.bytes())
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    expected = x509.load_pem_x509_certificate(cert.cert_chain_pems[0].bytes()).fingerprint(hashes.SHA1()).hex().upper()
    credential = auth.Certificate(str(pem))
    assert credential.thumbprint == expected
    assert credential.msal_credential()['thumbprint'] == expected


def test_a_certificate_file_without_key_is_refused_with_the_fix(tmp_path):
    trustme = pytest.importorskip('trustme')
    pem = tmp_path / 'cert-only.pem'
    pem.write_bytes(trustme.CA().issue_cert('x.example').cert_chain_pems[0].bytes())
    with pytest.raises(ConfigurationError) as caught:
        auth.Certificate(str(pem))
    assert 'certificate_path' in str(caught.value) and 'private key' in str(caught.value)


def test_no_credential_names_the_options():
    with pytest.raises(ConfigurationError) as caught:
        auth.credential_from()
    assert 'client_secret' in str(caught.value) and 'certificate_path' in str(caught.value)


@pytest.mark.parametrize('cloud, login, api', [
    ('commercial', 'https://login.microsoftonline.com', 'https://outlook.office365.com'),
    ('gcc', 'https://login.microsoftonline.com', 'https://outlook.office365.com'),
    ('gcchigh', 'https://login.microsoftonline.us', 'https://outlook.office365.us'),
    ('dod', 'https://login.microsoftonline.us', 'https://outlook-dod.office365.us'),
])
def test_clouds_map_to_their_hosts_and_scope(cloud, login, api):
    assert auth.CLOUDS[cloud].login_url == login
    assert auth.CLOUDS[cloud].api_url == api
    assert auth.CLOUDS[cloud].scope == api + '/.default'
