# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The in-process action plugin base: the same validation, masking and results as the module, and when it must
leave the task to the module path. Each argument case runs both ways (AnsibleModule here, in-process) and the
results are compared."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import io
import json
import os
import subprocess
import sys
import types

import pytest
import trustme
from unittest import mock

from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.testing import patch_module_args

from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import ModuleDefinition
from ansible_collections.exoguard.mailflow.plugins.modules import (
    defender_hunting_query, dns_auth_records, exo_inbound_connector, exo_org_config, exo_transport_rule)
from ansible_collections.exoguard.mailflow.plugins.plugin_utils import _inprocess as inprocess

NAME = 'exoguard.mailflow.exo_test'
SECRET = 'Sw0rdf1sh~secret.value'
ENV_SECRET = 'Fr0m~the.environment_77'
MASK = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def echoing(module, **changes):
    """The module's own argument spec and rules, with a run that echoes what it was given (a secret included)."""
    real = module.module_definition()

    def run(options, check_mode, diff):
        result = {'changed': not check_mode, 'options': dict(options), 'check_mode': check_mode, 'diff_mode': diff,
                  'msg': 'signed in with %s' % options.get('client_secret')}
        return result, ['the secret was %s' % options.get('client_secret')]
    rules = dict(real.rules, **changes.pop('rules', {}))
    return ModuleDefinition(real.argument_spec, changes.pop('run', run), **rules)


@pytest.fixture(autouse=True)
def fresh_module_globals(monkeypatch):
    # AnsibleModule keeps warnings and deprecations in module globals for the life of the process.
    monkeypatch.setattr(module_warnings, '_global_warnings', {})
    monkeypatch.setattr(module_warnings, '_global_deprecations', {})
    monkeypatch.delenv('EXO_CLIENT_SECRET', raising=False)
    monkeypatch.delenv(inprocess.SWITCH, raising=False)


def module_path(definition, args, check_mode=False, diff=False):
    """The result as the module process prints it (through AnsibleModule). Warnings are left out: inside a
    controller process AnsibleModule hands them to the display rather than to the result."""
    internal = {'_ansible_module_name': NAME, '_ansible_check_mode': check_mode, '_ansible_diff': diff}
    out = io.StringIO()
    with patch_module_args(dict(args, **internal)), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            run_module(definition)
    result = json.loads(out.getvalue())
    result.pop('warnings', None)
    return result


def in_process(definition, args, check_mode=False, diff=False, warnings=False):
    result = inprocess.execute(definition, args, check_mode=check_mode, diff=diff, module_name=NAME)
    if not warnings:
        result.pop('warnings', None)
    return result


ARGUMENT_CASES = [
    pytest.param(exo_org_config, {'reject_direct_send': 'maybe'}, id='wrong-type'),
    pytest.param(exo_org_config, {'reject_direct_send': True, 'bogus': 1}, id='unsupported-option'),
    pytest.param(exo_org_config, {'cloud': 'mars'}, id='not-a-choice'),
    pytest.param(exo_org_config, {'timeout': '30', 'validate_certs': 'no'}, id='conversions'),
    pytest.param(exo_inbound_connector, {'connector_type': 'Partner'}, id='required-missing'),
    pytest.param(exo_inbound_connector, {'name': 'x', 'sender_ip_addresses': '192.0.2.1'}, id='list-from-text'),
    pytest.param(exo_transport_rule, {'name': 'Safety net'}, id='defaults'),
    pytest.param(defender_hunting_query, {'preset': 'direct_send_attempts', 'query': 'EmailEvents'},
                 id='mutually-exclusive'),
    pytest.param(defender_hunting_query, {}, id='required-one-of'),
    pytest.param(defender_hunting_query, {'preset': 'not_from_gateway'}, id='required-if'),
    pytest.param(dns_auth_records, {'domain': 'contoso.com', 'provider': 'none', 'key_name': 'k'},
                 id='required-together'),
    pytest.param(dns_auth_records, {'domain': 'contoso.com', 'provider': 'none', 'spf': {'bogus': 1}},
                 id='suboption-unsupported'),
]


@pytest.mark.parametrize('module, args', ARGUMENT_CASES)
def test_arguments_are_validated_as_the_module_validates_them(module, args):
    definition = echoing(module)
    args = dict(args, client_secret=SECRET)
    expected = module_path(definition, args)
    assert in_process(definition, args) == expected


@pytest.mark.parametrize('check_mode, diff', [(False, False), (True, False), (True, True), (False, True)])
def test_check_mode_and_diff_reach_the_module_as_they_do_the_module_path(check_mode, diff):
    definition = echoing(exo_org_config)
    result = in_process(definition, {'reject_direct_send': True}, check_mode=check_mode, diff=diff)
    assert result == module_path(definition, {'reject_direct_send': True}, check_mode=check_mode, diff=diff)
    assert (result['check_mode'], result['diff_mode'], result['changed']) == (check_mode, diff, not check_mode)


def test_a_module_without_check_mode_is_skipped_in_check_mode_as_ansible_module_skips_it():
    real = exo_org_config.module_definition()
    definition = ModuleDefinition(real.argument_spec, lambda options, check_mode, diff: ({'changed': True}, []),
                                  supports_check_mode=False)
    result = in_process(definition, {}, check_mode=True)
    assert result == module_path(definition, {}, check_mode=True)
    assert result['skipped'] is True


def test_a_given_secret_is_masked_in_message_invocation_and_warnings():
    result = in_process(echoing(exo_org_config), {'client_secret': SECRET, 'reject_direct_send': True}, warnings=True)
    assert SECRET not in json.dumps(result)
    assert result['invocation']['module_args']['client_secret'] == MASK
    assert result['msg'] == 'signed in with ********'
    # AnsibleModule leaves warnings unmasked (it masks only the result's own values); in-process masks them too.
    assert result['warnings'] == ['the secret was ********']


def test_a_secret_from_the_exo_environment_variable_is_used_and_masked(monkeypatch):
    monkeypatch.setenv('EXO_CLIENT_SECRET', ENV_SECRET)
    definition = echoing(exo_org_config)
    result = in_process(definition, {'reject_direct_send': True}, warnings=True)
    assert result['msg'] == 'signed in with ********'
    assert ENV_SECRET not in json.dumps(result)
    result.pop('warnings')
    assert result == module_path(definition, {'reject_direct_send': True})


def test_a_failed_result_keeps_its_parts_and_is_masked():
    def run(options, check_mode, diff):
        return {'failed': True, 'msg': 'refused %s' % options['client_secret'], 'error': {'type': 'AuthFailed'}}, []
    definition = echoing(exo_org_config, run=run)
    result = in_process(definition, {'client_secret': SECRET})
    assert result == module_path(definition, {'client_secret': SECRET})
    assert result['failed'] is True
    assert result['msg'] == 'refused ********'


def test_an_unexpected_exception_is_a_failed_result_without_the_secret():
    def run(options, check_mode, diff):
        raise ValueError('cannot parse %s' % options['client_secret'])
    result = in_process(echoing(exo_org_config, run=run), {'client_secret': SECRET}, warnings=True)
    assert result['failed'] is True
    assert result['msg'] == 'the module failed: ValueError: cannot parse ********'
    assert 'Traceback' in result['exception']
    assert SECRET not in json.dumps(result)


def test_results_have_the_shapes_of_json():
    def run(options, check_mode, diff):
        return {'changed': False, 'ids': (1, 2), 'by_port': {25: 'smtp'}}, []
    definition = echoing(exo_org_config, run=run)
    result = in_process(definition, {})
    assert result['ids'] == [1, 2]
    assert result['by_port'] == {'25': 'smtp'}


# --- when the task runs in process, and when it goes to the module path ----------------------------------------

def action(connection='local', become=False, async_val=0, environment=None, check_mode=False, diff=False, args=None,
           definition=None, base=inprocess.InProcessAction, template=None):
    task = mock.MagicMock()
    task.args = dict(args or {'reject_direct_send': True})
    task.action = NAME
    task.async_val = async_val
    task.check_mode = check_mode
    task.diff = diff
    task.environment = environment
    connection_plugin = mock.MagicMock()
    connection_plugin.transport = connection
    connection_plugin.has_native_async = False
    play_context = mock.MagicMock()
    play_context.become = become
    templar = mock.MagicMock()
    templar.template.side_effect = template or (lambda value: value)

    class ActionModule(base):
        module = types.SimpleNamespace(module_definition=lambda: definition or echoing(exo_org_config))

    plugin = ActionModule(task, connection_plugin, play_context, loader=None, templar=templar)
    plugin._execute_module = mock.MagicMock(return_value={'changed': False, 'ran': 'module path'})
    plugin._remove_tmp_path = mock.MagicMock()
    return plugin


def test_a_local_task_runs_in_process_without_executing_the_module():
    plugin = action()
    result = plugin.run(task_vars={})
    assert result['options']['reject_direct_send'] is True
    plugin._execute_module.assert_not_called()


def test_check_mode_and_diff_come_from_the_task():
    result = action(check_mode=True, diff=True).run(task_vars={})
    assert (result['check_mode'], result['diff_mode'], result['changed']) == (True, True, False)


@pytest.mark.parametrize('settings', [
    pytest.param({'connection': 'ssh'}, id='delegated-to-a-remote-host'),
    pytest.param({'become': True}, id='become'),
    pytest.param({'async_val': 60}, id='async'),
])
def test_a_task_that_does_not_run_here_as_this_user_goes_to_the_module_path(settings):
    plugin = action(**settings)
    result = plugin.run(task_vars={})
    assert result['ran'] == 'module path'
    plugin._execute_module.assert_called_once()


@pytest.mark.parametrize('value, module_path_used', [('false', True), ('no', True), ('0', True), ('true', False),
                                                     ('', False), ('unclear', False)])
def test_exoguard_in_process_false_selects_the_module_path(monkeypatch, value, module_path_used):
    monkeypatch.setenv(inprocess.SWITCH, value)
    plugin = action()
    result = plugin.run(task_vars={})
    assert (result.get('ran') == 'module path') is module_path_used


def test_the_task_environment_feeds_the_exo_fallbacks_and_is_undone_after(monkeypatch):
    monkeypatch.setenv('EXO_CLIENT_SECRET', 'controller-secret')
    plugin = action(environment=[{'EXO_CLIENT_SECRET': ENV_SECRET, 'EXO_TENANT_ID': 'contoso.onmicrosoft.com'}])
    result = plugin.run(task_vars={})
    assert result['options']['tenant_id'] == 'contoso.onmicrosoft.com'
    assert result['msg'] == 'signed in with ********'
    assert ENV_SECRET not in json.dumps(result)
    assert os.environ['EXO_CLIENT_SECRET'] == 'controller-secret'
    assert 'EXO_TENANT_ID' not in os.environ


# --- the connection from the host's exo_<option> variables ------------------------------------------------------

HOST = {'exo_tenant_id': 'contoso.onmicrosoft.com', 'exo_client_id': 'app-id', 'exo_client_secret': SECRET,
        'exo_api_url': 'https://api.example', 'exo_timeout': '30', 'exo_reject_direct_send': False,
        'omit': '__omit_place_holder__x'}


def test_an_exchange_action_takes_the_connection_the_task_leaves_out_from_the_host_variables():
    result = action(base=inprocess.ExchangeAction).run(task_vars=HOST)
    options = result['options']
    assert (options['tenant_id'], options['client_id'], options['api_url'], options['timeout']) == (
        'contoso.onmicrosoft.com', 'app-id', 'https://api.example', 30)
    # Only connection options: a host variable named after another option is not an argument.
    assert options['reject_direct_send'] is True
    assert result['msg'] == 'signed in with ********'
    assert result['invocation']['module_args']['client_secret'] == MASK
    assert SECRET not in json.dumps(result)


def test_the_task_and_module_defaults_win_over_the_host_variables_and_those_over_the_environment(monkeypatch):
    monkeypatch.setenv('EXO_CLIENT_ID', 'from-environment')
    monkeypatch.setenv('EXO_ORGANIZATION', 'contoso.onmicrosoft.com')
    plugin = action(base=inprocess.ExchangeAction, args={'reject_direct_send': True, 'tenant_id': 'fabrikam.example'})
    options = plugin.run(task_vars=HOST)['options']
    assert options['tenant_id'] == 'fabrikam.example'
    assert options['client_id'] == 'app-id'
    assert options['organization'] == 'contoso.onmicrosoft.com'


def test_a_host_variable_is_templated_and_one_that_templates_to_omit_is_left_out(monkeypatch):
    monkeypatch.setenv('EXO_API_URL', 'https://from-the-environment.example')

    def template(value):
        if value == '{{ omitted }}':
            if inprocess.AnsibleValueOmittedError:
                raise inprocess.AnsibleValueOmittedError()
            return HOST['omit']
        return value.replace('{{ name }}', 'contoso') if isinstance(value, str) else value
    host = dict(HOST, exo_tenant_id='{{ name }}.onmicrosoft.com', exo_api_url='{{ omitted }}')
    options = action(base=inprocess.ExchangeAction, template=template).run(task_vars=host)['options']
    assert options['tenant_id'] == 'contoso.onmicrosoft.com'
    assert options['api_url'] == 'https://from-the-environment.example'


def test_the_module_path_gets_the_same_arguments_from_the_host_variables():
    plugin = action(base=inprocess.ExchangeAction, connection='ssh')
    plugin.run(task_vars=HOST)
    module_args = plugin._execute_module.call_args.kwargs['module_args']
    assert module_args == {'reject_direct_send': True, 'tenant_id': 'contoso.onmicrosoft.com', 'client_id': 'app-id',
                           'client_secret': SECRET, 'api_url': 'https://api.example', 'timeout': '30'}


def test_an_action_outside_the_exo_group_takes_no_host_variables():
    options = action().run(task_vars=HOST)['options']
    assert options['tenant_id'] is None and options['client_id'] is None


def test_every_exo_group_module_has_an_exchange_action_and_no_other_module_does():
    import importlib
    import yaml
    root = os.path.join(os.path.dirname(inprocess.__file__), '..', '..')
    with open(os.path.join(root, 'meta', 'runtime.yml')) as handle:
        group = set(yaml.safe_load(handle)['action_groups']['exo'])
    actions = set(name[:-3] for name in os.listdir(os.path.join(root, 'plugins', 'action')) if name.endswith('.py'))
    for name in sorted(actions):
        plugin = importlib.import_module('ansible_collections.exoguard.mailflow.plugins.action.' + name).ActionModule
        assert issubclass(plugin, inprocess.ExchangeAction) is (name in group), name


# --- templating made ready before the fork --------------------------------------------------------------------

_PREPARED = r'''
import json, sys
from ansible.plugins.loader import init_plugin_loader
init_plugin_loader()
from ansible_collections.exoguard.mailflow.plugins.plugin_utils import _inprocess
from ansible import template
before = set(sys.modules)
templar = template.Templar(loader=None, variables={'phase': '4', 'ips': ['192.0.2.1'], 'connector': {'changed': True}})
trusted = getattr(template, 'trust_as_template', lambda text: text)
rendered = templar.template(trusted('{{ phase | int >= 4 and ips | length > 0 }} {{ connector is changed }}'))
print(json.dumps({'prepared': _inprocess.prepare_templating(), 'rendered': rendered,
                  'loaded_by_the_task': sorted(set(sys.modules) - before)}))
'''


def test_the_templating_a_task_needs_is_loaded_before_the_fork():
    # A fresh interpreter stands for Ansible's main process: importing the action base (as the strategy does before
    # it forks) loads the filter and test plugins, so a template of the role's kind loads nothing more in a worker.
    answer = subprocess.run([sys.executable, '-c', _PREPARED], check=True, capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    outcome = json.loads(answer.stdout.strip().splitlines()[-1])
    assert outcome == {'prepared': True, 'rendered': 'True True', 'loaded_by_the_task': []}


# --- connections kept within one worker --------------------------------------------------------------------------

class Connection:
    def __init__(self):
        self.closed = False

    def close(self):
        self.closed = True


def test_the_connection_cache_keeps_one_idle_connection_per_key():
    cache = inprocess.ConnectionCache()
    first, second = Connection(), Connection()
    cache.keep(('contoso', 'https://api'), first)
    cache.keep(('contoso', 'https://api'), second)
    assert first.closed is True
    assert cache.take(('fabrikam', 'https://api')) is None
    assert cache.take(('contoso', 'https://api')) is second
    assert cache.take(('contoso', 'https://api')) is None


def test_the_connection_cache_makes_each_tls_context_once(monkeypatch):
    cache = inprocess.ConnectionCache()
    made = []

    def make(ca_path, validate_certs):
        made.append((ca_path, validate_certs))
        return object()
    assert cache.ssl_context('/ca.pem', True, make) is cache.ssl_context('/ca.pem', True, make)
    cache.ssl_context('/ca.pem', False, make)
    monkeypatch.setenv('SSL_CERT_FILE', '/other/bundle.pem')
    cache.ssl_context('/ca.pem', True, make)
    assert made == [('/ca.pem', True), ('/ca.pem', False), ('/ca.pem', True)]


def test_the_contexts_most_tasks_use_are_made_before_the_fork(tmp_path):
    bundle = tmp_path / 'ca.pem'
    trustme.CA().cert_pem.write_to_path(str(bundle))
    cache = inprocess.ConnectionCache()
    cache.preload({'EXO_CA_PATH': str(bundle)})

    def make(ca_path, validate_certs):
        raise AssertionError('made again in the worker: %s' % ca_path)
    assert cache.ssl_context(None, True, make) is not None
    assert cache.ssl_context(str(bundle), True, make) is not None


@pytest.mark.parametrize('secret, planted', [
    pytest.param(SECRET, False, id='not-in-the-result'),
    pytest.param(SECRET, True, id='deep-in-a-record'),
    pytest.param('with "quotes" and \\ back\\slash', True, id='json-escaped-characters'),
    pytest.param('caf\u00e9-\u00fcml\u00e4ut', True, id='non-ascii'),
    pytest.param('7', True, id='digits-in-numbers'),
])
def test_a_large_result_is_masked_as_the_module_masks_it(secret, planted):
    records = [{'Name': 'policy %d' % number, 'Comment': 'x' * 50, 'Values': list(range(30))} for number in range(40)]
    if planted:
        records[17]['Comment'] = 'left here: %s.' % secret

    def run(options, check_mode, diff):
        return {'changed': False, 'records': records}, []
    definition = echoing(exo_org_config, run=run)
    result = in_process(definition, {'client_secret': secret})
    assert result == module_path(definition, {'client_secret': secret})
    assert result['invocation']['module_args']['client_secret'] == MASK
    assert result['records'][17]['Comment'] == ('left here: ********.' if planted else 'x' * 50)


_CACHED_CALL = r'''
import json, sys
from ansible_collections.exoguard.mailflow.plugins.module_utils import _auth, _rest
from ansible_collections.exoguard.mailflow.plugins.plugin_utils import _inprocess
from ansible_collections.exoguard.mailflow.plugins.modules import exo_org_config

options = dict(tenant_id='contoso.onmicrosoft.com', client_id='app-id', client_secret='s3cret', token_cache_dir=sys.argv[1],
               api_url='https://api.example', login_url='https://login.example', reject_direct_send=True)
provider = _auth.TokenProvider('contoso.onmicrosoft.com', 'app-id', _auth.ClientSecret('s3cret'), 'https://login.example',
                               _auth.CLOUDS['commercial'].scope, cache=_auth.TokenCache(sys.argv[1]))
provider.cache.put(provider.key, 'cached-token', 3600)
connections = []

class Connection:
    def __init__(self):
        connections.append(self)
    def request(self, method, path, body=None, headers=None):
        assert headers['Authorization'] == 'Bearer cached-token'
    def getresponse(self):
        class Response:
            status = 200
            def read(self):
                return json.dumps({'value': [{'Name': 'contoso', 'RejectDirectSend': True}]}).encode()
            def getheaders(self):
                return []
        return Response()
    def close(self):
        pass

_rest.JsonApi._new_connection = lambda self: Connection()
for task in range(2):
    result = _inprocess.execute(exo_org_config.module_definition(), options, module_name='exo_org_config')
    assert result.get('changed') is False, result
print(json.dumps({'loaded': sorted(name for name in ('msal', 'requests', 'dns', 'pypsrp') if name in sys.modules),
                  'connections': len(connections)}))
'''


def test_a_cached_token_loads_no_msal_and_a_worker_reuses_its_connection(tmp_path):
    # A fresh interpreter, as a worker that has not imported anything of ours yet.
    answer = subprocess.run([sys.executable, '-c', _CACHED_CALL, str(tmp_path / 'tokens')], check=True,
                            capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    outcome = json.loads(answer.stdout.strip().splitlines()[-1])
    assert outcome == {'loaded': [], 'connections': 1}
