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

from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import resource_definition, task_definition


def run_module(definition):
    """Build the module from its :class:`~._runner.ModuleDefinition`, run it and exit with its result."""
    module = AnsibleModule(argument_spec=definition.argument_spec, supports_check_mode=definition.supports_check_mode,
                           **definition.rules)
    result, warnings = definition.run(module.params, module.check_mode, module._diff)
    for warning in warnings:
        module.warn(warning)
    if result.pop('failed', False):
        module.fail_json(**result)
    module.exit_json(**result)


def run_resource_module(resource, extra_spec=None, identity_option=None, **module_kwargs):
    """Build the module, ensure the resource, and exit with its result."""
    run_module(resource_definition(resource, extra_spec, identity_option, **module_kwargs))


def run_task_module(argument_spec, run, **module_kwargs):
    """Build the module from ``argument_spec``, hand its validated options to ``run(options, check_mode)`` (a
    function below this layer returning ``(result, warnings)``) and exit with the result."""
    run_module(task_definition(argument_spec, run, **module_kwargs))
