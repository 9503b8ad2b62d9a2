# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every module has an action plugin of its name that runs it in process, and that plugin names the module."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import importlib
import os

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import ModuleDefinition
from ansible_collections.exoguard.mailflow.plugins.plugin_utils._inprocess import InProcessAction

COLLECTION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
MODULES = sorted(os.path.basename(path)[:-3] for path in glob.glob(os.path.join(COLLECTION, 'plugins', 'modules', '*.py'))
                 if not path.endswith('__init__.py'))
PREFIX = 'ansible_collections.exoguard.mailflow.plugins.'


def test_there_are_modules_to_check():
    assert 'exo_org_config' in MODULES and 'dns_auth_records' in MODULES


@pytest.mark.parametrize('name', MODULES)
def test_each_module_has_an_in_process_action_plugin_naming_it(name):
    action = importlib.import_module(PREFIX + 'action.' + name)
    module = importlib.import_module(PREFIX + 'modules.' + name)
    assert issubclass(action.ActionModule, InProcessAction)
    assert action.ActionModule.module is module
    definition = module.module_definition()
    assert isinstance(definition, ModuleDefinition)
    assert definition.supports_check_mode is True
