# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run one module task from validated options to an Ansible result, without AnsibleModule.

Private to this collection; may change without notice.

Each module describes itself with a :class:`ModuleDefinition` (its ``module_definition()``): argument spec, rules
between options, and the function from validated options to ``(result, warnings)``. A module's ``main()``
(``_module.run_module``) and the action plugin of the same name (``plugin_utils/_inprocess.py``, which runs it in the
controller's worker) are both thin adapters over that definition, so the two paths give the same results, check
mode, diff and errors.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.exoguard.mailflow.plugins.module_utils._argspec import connection_argument_spec
from ansible_collections.exoguard.mailflow.plugins.module_utils._client import client_from_options
from ansible_collections.exoguard.mailflow.plugins.module_utils._engine import ensure
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ExoError


class ModuleDefinition:
    """What a module takes and does, for both adapters.

    ``argument_spec`` is AnsibleModule's; ``rules`` its ``mutually_exclusive``, ``required_together``,
    ``required_one_of``, ``required_if`` and ``required_by``. ``run(options, check_mode, diff)`` takes the validated
    options and returns ``(result, warnings)``: on failure the result has ``failed`` true and ``msg`` (and may have
    ``exception``, a traceback text).
    """

    RULES = ('mutually_exclusive', 'required_together', 'required_one_of', 'required_if', 'required_by')

    def __init__(self, argument_spec, run, supports_check_mode=True, **rules):
        unknown = sorted(set(rules) - set(self.RULES))
        if unknown:
            raise TypeError('unknown argument spec rule(s): %s' % ', '.join(unknown))
        self.argument_spec = argument_spec
        self.run = run
        self.supports_check_mode = supports_check_mode
        self.rules = rules


def argument_spec(resource, extra=None):
    """Connection options + the resource's property options + any module-specific ones."""
    spec = connection_argument_spec()
    spec.update(resource.argument_spec())
    spec.update(extra or {})
    return spec


def resource_definition(resource, extra_spec=None, identity_option=None, **rules):
    """The definition of a module that ensures ``resource``: its identity is the option ``identity_option`` (none
    for a singleton), its lifecycle the option ``state`` (``present`` when the module has none)."""
    def run(options, check_mode, diff):
        identity = options.get(identity_option) if identity_option else None
        return run_resource(resource, options, check_mode=check_mode, diff=diff, identity=identity,
                            state=options.get('state') or 'present')
    return ModuleDefinition(argument_spec(resource, extra_spec), run, **rules)


def task_definition(spec, run, **rules):
    """The definition of a module that is not a resource: ``run(options, check_mode)`` returns
    ``(result, warnings)`` and has no diff to give."""
    return ModuleDefinition(spec, lambda options, check_mode, diff: run(options, check_mode), **rules)


def error_result(error):
    """The failed result for a typed error: Exchange's sentence with tenant and cmdlet, and its parts."""
    return {
        'failed': True,
        'msg': str(error),
        'error': {
            'type': type(error).__name__,
            'message': error.message,
            'tenant': error.tenant,
            'cmdlet': error.cmdlet,
            'http_status': error.status,
            'exception_type': error.exception_type,
            'attempts': error.attempts,
        },
    }


def run_resource(resource, options, check_mode=False, diff=False, identity=None, state='present',
                 client_factory=client_from_options):
    """Ensure ``resource`` for the validated ``options``; returns ``(result, warnings)``.

    The result has ``changed``, the record under ``resource.return_key`` and, when ``diff`` is asked, ``diff``
    with ``before`` and ``after``; on failure ``failed`` and ``msg``. Warnings are Exchange's own and the engine's.
    """
    client = None
    warnings = []
    try:
        resource = resource.for_options(options)
        desired, state = resource.desired_state(options, state)
        client = client_factory(options)
        outcome = ensure(client, resource, desired, identity=identity, state=state, check_mode=check_mode)
        warnings.extend(outcome.warnings)
    except ExoError as error:
        return error_result(error), _warnings(client, warnings)
    finally:
        if client is not None:
            client.close()
    result = {'changed': outcome.changed, resource.return_key: outcome.record}
    if diff:
        result['diff'] = outcome.diff
    return result, _warnings(client, warnings)


def run_task(task, options, check_mode=False, client_factory=client_from_options):
    """Run ``task(client, options, check_mode)`` (a read or a job that is not a resource) with a client for the
    validated ``options``; returns ``(result, warnings)``. ``task`` returns the result dict (with ``changed``) and
    raises typed errors, which become the failed result of :func:`error_result`. Warnings the task wants shown go
    in the result's ``warnings`` list; they are returned with the client's."""
    client = None
    try:
        client = client_factory(options)
        result = task(client, options, check_mode)
    except ExoError as error:
        return error_result(error), _warnings(client, [])
    finally:
        if client is not None:
            client.close()
    return result, _warnings(client, result.pop('warnings', []))


def _warnings(client, extra):
    return list(getattr(client, 'warnings', None) or []) + list(extra)
