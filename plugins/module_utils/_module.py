# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The thin AnsibleModule adapter every resource module's ``main()`` calls.

Private to this collection; may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.exoguard.mailflow.plugins.module_utils._argspec import connection_argument_spec
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import run_resource


def argument_spec(resource, extra=None):
    """Connection options + the resource's property options + any module-specific ones."""
    spec = connection_argument_spec()
    spec.update(resource.argument_spec())
    spec.update(extra or {})
    return spec


def run_resource_module(resource, extra_spec=None, identity_option=None, **module_kwargs):
    """Build the module, ensure the resource, and exit with its result."""
    module = AnsibleModule(argument_spec=argument_spec(resource, extra_spec), supports_check_mode=True, **module_kwargs)
    identity = module.params.get(identity_option) if identity_option else None
    state = module.params.get('state') or 'present'
    result, warnings = run_resource(resource, module.params, check_mode=module.check_mode, diff=module._diff,
                                    identity=identity, state=state)
    for warning in warnings:
        module.warn(warning)
    if result.pop('failed', False):
        module.fail_json(**result)
    module.exit_json(**result)


def run_task_module(argument_spec, run, **module_kwargs):
    """Build the module from ``argument_spec``, hand its validated options to ``run(options, check_mode)`` (a
    function below this layer returning ``(result, warnings)``) and exit with the result."""
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **module_kwargs)
    result, warnings = run(module.params, module.check_mode)
    for warning in warnings:
        module.warn(warning)
    if result.pop('failed', False):
        module.fail_json(**result)
    module.exit_json(**result)
