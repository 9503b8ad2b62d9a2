# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run this collection's modules inside the controller's worker process, without AnsiballZ.

Private to this collection; may change without notice.

Every module talks to a network service from the controller (``connection: local``, one host per tenant), so
packaging it, writing it to disk and starting a Python for it is pure overhead: ~0.28 controller CPU-seconds a task
against ~0.02 for a task the controller handles itself. The action plugin of each module's name is a
:class:`InProcessAction` that validates the task's arguments with the module's own argument spec (types, choices,
defaults, required, the rules between options, ``EXO_*`` environment fallbacks, ``no_log`` values collected and
masked), honours check mode and diff, and returns the result keys the module would.

The module path (the module file, run as Ansible runs any module) is used instead when the task does not run on
the controller as the controller's user: another connection than ``local`` (delegation to another host, too),
``become``, ``async``; and when the controller's environment has ``EXOGUARD_IN_PROCESS=false``.

An Exchange module's action (:class:`ExchangeAction`) takes each connection option the task does not set from the
host's variable ``exo_<option>``, so a playbook needs no ``module_defaults`` to pass them: each of those is a template
that every worker compiles afresh for every task.

This file and the modules' module_utils are imported by the strategy, in the controller's main process, before it
forks a worker per task: the workers inherit them (and the TLS contexts most tasks use, and the templating engine
made ready), so no task pays for importing ``ssl``, ``http.client`` or the engine, for loading the CA store, or for
loading Ansible's filter and test plugins and Jinja's lexer, again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import ssl
import traceback
from contextlib import contextmanager

from ansible.module_utils.common import json as module_json
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.exoguard.mailflow.plugins.module_utils import _rest
from ansible_collections.exoguard.mailflow.plugins.module_utils._argspec import CONNECTION_OPTIONS

try:
    from ansible.errors import AnsibleValueOmittedError
except ImportError:  # ansible-core < 2.19: an omitted value is the omit token, compared below
    AnsibleValueOmittedError = ()

#: The controller environment variable that turns in-process execution off (``false``, ``no``, ``0``, ``off``).
SWITCH = 'EXOGUARD_IN_PROCESS'
_LOCAL_CONNECTIONS = frozenset(('local', 'ansible.builtin.local', 'ansible.legacy.local'))
# OpenSSL reads these when it loads the system's CAs: a context made under other values is another context.
_CA_ENVIRONMENT = ('SSL_CERT_FILE', 'SSL_CERT_DIR')
# How the module path hands a module its arguments: through JSON, with the serialization profile of a module.
_ARGUMENTS_OUT = module_json.get_module_encoder('legacy', module_json.Direction.CONTROLLER_TO_MODULE)
_ARGUMENTS_IN = module_json.get_module_decoder('legacy', module_json.Direction.CONTROLLER_TO_MODULE)


def in_process_enabled(environ=None):
    """Whether the controller's environment allows in-process execution (``EXOGUARD_IN_PROCESS``, default on)."""
    value = (os.environ if environ is None else environ).get(SWITCH, '')
    if not value.strip():
        return True
    try:
        return boolean(value.strip(), strict=True)
    except TypeError:
        return True


class ConnectionCache:
    """TLS contexts and idle HTTPS connections kept for the life of one process.

    A context is keyed by its settings (and the ``SSL_CERT_*`` variables the system store is loaded under); a
    connection by tenant, base URL and TLS settings (``_rest.JsonApi`` builds the key), so a connection is never
    handed to another tenant. Connections carry no token: every request sends its own. At most one idle connection
    is kept per key.
    """

    def __init__(self):
        self._contexts = {}
        self._idle = {}

    @staticmethod
    def _context_key(ca_path, validate_certs):
        return (ca_path, bool(validate_certs)) + tuple(os.environ.get(name) for name in _CA_ENVIRONMENT)

    def ssl_context(self, ca_path, validate_certs, make):
        key = self._context_key(ca_path, validate_certs)
        if key not in self._contexts:
            self._contexts[key] = make(ca_path, validate_certs)
        return self._contexts[key]

    def preload(self, environ=None):
        """Make, now, the contexts most tasks will use: the system's CAs, and ``EXO_CA_PATH``'s when the controller's
        environment sets it (as an AWX credential does). Called in the main process, so every forked worker has
        them; a task whose ``ca_path`` is another (or comes from a host variable) makes its own, about 2.5 ms."""
        ca_path = (os.environ if environ is None else environ).get('EXO_CA_PATH') or None
        # As the option's type "path" gives it to the module.
        for path in ([None, os.path.expanduser(os.path.expandvars(ca_path))] if ca_path else [None]):
            try:
                self._contexts[self._context_key(path, True)] = ssl.create_default_context(cafile=path)
            except (ssl.SSLError, OSError, ValueError):
                pass

    def take(self, key):
        return self._idle.pop(key, None)

    def keep(self, key, connection):
        previous = self._idle.pop(key, None)
        if previous is not None:
            previous.close()
        self._idle[key] = connection

    def clear(self):
        for connection in self._idle.values():
            connection.close()
        self._idle.clear()


CONNECTIONS = ConnectionCache()
CONNECTIONS.preload()
_rest.use_connection_cache(CONNECTIONS)

#: What :func:`prepare_templating` renders: a filter and a test of ansible.builtin, in a template and in a condition.
_WARM_TEMPLATE = '{{ (number | int) + (items | length) }}{{ missing | default(1) }}{{ result is changed }}'
_WARM_CONDITION = 'number | int >= 1 and result is not failed'


def prepare_templating():
    """Make Ansible's templating ready in this process: Jinja's lexer (its regular expressions) and the wrappers of
    ansible.builtin's filter and test plugins (every plugin file of both executed). A worker forked from a process
    that has not done this does it for the first template of its task that uses a filter or a test - every task of
    the role, skipped or not (~9 ms of CPU a task here); done once in the main process, every worker inherits it.
    Returns whether it worked; a failure only means each worker does it itself."""
    try:
        from ansible import template
        trusted = getattr(template, 'trust_as_template', lambda text: text)
        templar = template.Templar(loader=None, variables={'number': '3', 'items': [1], 'result': {'changed': False}})
        templar.template(trusted(_WARM_TEMPLATE))
        templar.evaluate_conditional(trusted(_WARM_CONDITION))
        return True
    except Exception:  # pylint: disable=broad-except
        return False


prepare_templating()


@contextmanager
def task_environment(variables):
    """The task's ``environment:`` laid over the controller's for the time of the task, as a module process gets it
    (the ``EXO_*`` fallbacks read it). Restored after."""
    saved = dict((name, os.environ.get(name)) for name in variables)
    os.environ.update((name, str(value)) for name, value in variables.items())
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def execute(definition, args, check_mode=False, diff=False, module_name='module'):
    """Run the module ``definition`` (``_runner.ModuleDefinition``) on the task arguments ``args`` and return the
    result the module would return: argument errors as AnsibleModule words them, ``invocation``, ``warnings``,
    ``deprecations``, and every ``no_log`` value (given, defaulted or from the environment) masked in all of it."""
    # The arguments as the module would get them: plain values, without the templating engine's tags (which the
    # validator's deep copy is also slow on).
    args = json.loads(json.dumps(args, cls=_ARGUMENTS_OUT), cls=_ARGUMENTS_IN)
    validation = ArgumentSpecValidator(definition.argument_spec, **definition.rules).validate(args)
    params = validation.validated_parameters
    no_log_values = set(validation._no_log_values)
    warnings = ['Both option {option} and its alias {alias} are set.'.format(**item) for item in validation._warnings]
    deprecations = [dict(item) for item in validation._deprecations]

    if validation.errors.errors:
        message = validation.errors.msg
        if isinstance(validation.errors[0], UnsupportedError):
            message = 'Unsupported parameters for (%s) module: %s' % (module_name, message)
        return _module_result({'failed': True, 'msg': message}, params, warnings, deprecations, no_log_values)
    if check_mode and not definition.supports_check_mode:
        return _module_result({'skipped': True, 'msg': 'remote module (%s) does not support check mode' % module_name},
                              params, warnings, deprecations, no_log_values)
    try:
        result, run_warnings = definition.run(params, check_mode, diff)
        return _module_result(result, params, warnings + list(run_warnings), deprecations, no_log_values)
    except Exception as error:  # pylint: disable=broad-except
        # What the module path reports as MODULE FAILURE with its traceback; here it must not escape unmasked.
        failure = {'failed': True, 'msg': 'the module failed: %s: %s' % (type(error).__name__, error),
                   'exception': traceback.format_exc()}
        return _module_result(failure, params, warnings, deprecations, no_log_values)


def _module_result(result, params, warnings, deprecations, no_log_values):
    result = dict(result)
    if result.pop('failed', False):
        result['failed'] = True
    invocation = result.pop('invocation', None) or {'module_args': params}
    if warnings:
        result['warnings'] = [str(warning) for warning in warnings]
    if deprecations:
        result['deprecations'] = deprecations
    # As AnsibleModule does: bools and None survive masking (a no_log value "True" must not hide changed).
    preserved = dict((key, value) for key, value in result.items() if value is None or isinstance(value, bool))
    # The shapes a module's JSON answer has (lists, text keys), whichever path ran.
    text = json.dumps(result, ensure_ascii=False)
    # remove_values walks every value (~7 ms for a policy record); it changes nothing unless a no_log value is in
    # some text or number, and then that value's JSON form is in the JSON text (escaping goes character by character).
    if any(json.dumps(value, ensure_ascii=False)[1:-1] in text for value in no_log_values):
        result = json.loads(json.dumps(remove_values(result, no_log_values)))
    else:
        result = json.loads(text)
    result.update(preserved)
    # The arguments always hold the no_log values given: masked on their own, as the small part they are.
    result['invocation'] = json.loads(json.dumps(remove_values(invocation, no_log_values)))
    return result


class InProcessAction(ActionBase):
    """The action plugin of a module of this collection: runs the module in the worker when the task runs on the
    controller as the controller's user, else as a module. A subclass names the module: ``module`` is the module's
    Python module (``plugins/modules/<name>.py``), whose ``module_definition()`` says what it takes and does."""

    _supports_check_mode = True
    _supports_async = True
    #: The module file's Python module, set by each action plugin.
    module = None
    #: Options the task may leave out and the host's ``exo_<option>`` variable then gives (both paths).
    host_variable_options = ()

    def run(self, tmp=None, task_vars=None):
        del tmp  # no longer has any effect
        if task_vars is None:
            task_vars = {}
        if not self.runs_in_process():
            return self._run_module(task_vars)
        result = super(InProcessAction, self).run(task_vars=task_vars)
        environment = {}
        self._compute_environment_string(environment)
        with task_environment(environment):
            result.update(execute(self.module.module_definition(), self.module_args(task_vars),
                                  check_mode=bool(self._task.check_mode), diff=bool(self._task.diff),
                                  module_name=self._task.action))
        return result

    def runs_in_process(self):
        """Whether this task can run in this worker: on the controller (connection local), as the controller's user,
        not async, and not turned off with ``EXOGUARD_IN_PROCESS=false``."""
        return (in_process_enabled()
                and getattr(self._connection, 'transport', None) in _LOCAL_CONNECTIONS
                and not self._play_context.become
                and not self._task.async_val)

    def module_args(self, task_vars):
        """The task's arguments and, for each of ``host_variable_options`` the task does not set (a task argument or
        ``module_defaults``), the host's ``exo_<option>`` variable, templated as a task argument is. The environment
        fallbacks (``EXO_<OPTION>``) then apply to what is still unset, as before."""
        args = self._task.args
        taken = [option for option in self.host_variable_options
                 if option not in args and 'exo_' + option in task_vars]
        if not taken:
            return args
        args = dict(args)
        omit = task_vars.get('omit')
        for option in taken:
            try:
                value = self._templar.template(task_vars['exo_' + option])
            except AnsibleValueOmittedError:
                continue
            if omit is None or value != omit:
                args[option] = value
        return args

    def _run_module(self, task_vars):
        """The module path, as ``ansible.builtin.normal`` runs a module."""
        result = super(InProcessAction, self).run(task_vars=task_vars)
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(module_args=self.module_args(task_vars), task_vars=task_vars,
                                                         wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result


class ExchangeAction(InProcessAction):
    """The action plugin of a module of the ``exo`` action group: the connection options (``tenant_id``,
    ``client_id``, ``client_secret``, ``api_url``, ...) the task does not set come from the host's ``exo_<option>``
    variables, the inventory's contract, as the playbooks' ``module_defaults`` used to pass them."""

    host_variable_options = CONNECTION_OPTIONS
