# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Threat-policy resources (anti-phish, anti-spam, connection filter): an existing policy, named or the default,
changed with its Set-* cmdlet only.

Private to this collection; may change without notice.

What they share:

- the policy is read by name (``Get-X -Identity <name>``); a policy that does not exist is an error (these modules
  change policies, they do not create them);
- **licence tolerance** (cmdlet-behaviour.md section 5 and rule 7.9): a property the tenant's Get-* record does not
  carry (impersonation protection without Defender for Office 365) is not managed: the option is skipped with a
  warning and its parameter is never sent; the diff and the record show only what the tenant has;
- whole-number options are checked against Exchange's ranges before any call;
- ``extra_parameters``: any other documented parameter of the Set-* cmdlet, compared by its .NET type.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.exoguard.mailflow.plugins.module_utils._engine import ExtraParameters, Resource, require
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ConfigurationError

UNAVAILABLE = ('%s (%s) is not available in this tenant\'s licence: the %s record has no such property, so it was '
               'skipped and not sent')


class Policy(ExtraParameters, Resource):
    """An existing threat policy, named by ``name`` (the module's default: the tenant's default policy)."""

    identity_parameter = 'Identity'
    return_key = 'policy'
    not_extra = ExtraParameters.not_extra | frozenset(('makedefault', 'domaincontroller'))

    @property
    def extra_cmdlets(self):
        return (self.set_cmdlet,)

    @property
    def extra_label(self):
        return self.set_cmdlet
    #: option -> (lowest, highest) for whole-number options.
    ranges = {}

    def validate_identity(self, identity):
        require(identity and str(identity).strip(), 'name', 'give the policy\'s name (or leave name out for the '
                'default policy)')

    def validate(self, desired, state):
        for option, (low, high) in self.ranges.items():
            value = desired.get(option)
            if value is not None:
                require(low <= value <= high, option, '%s is out of range; Exchange takes %d to %d' % (value, low, high))

    def read(self, client, identity):
        record = super(Policy, self).read(client, identity)
        if record is None:
            raise ConfigurationError('name: the %s %r does not exist; this module changes existing policies only '
                                     '(the default one unless name is given)' % (self.noun, identity),
                                     tenant=client.tenant, cmdlet=self.get_cmdlet)
        return record

    def tolerate(self, desired, current, state):
        if current is None:
            return desired, []
        desired = dict(desired)
        warnings = []
        for prop in self.properties:
            if desired.get(prop.option) is not None and prop.parameter not in current:
                desired[prop.option] = None
                warnings.append(UNAVAILABLE % (prop.option, prop.parameter, self.get_cmdlet))
        return desired, warnings

    def view(self, record):
        if record is None:
            return None
        return dict((prop.option, prop.kind.display(prop.current(record))) for prop in self.properties
                    if prop.parameter in record)


def policy_spec(default_name):
    """The options every policy module takes besides its settings."""
    return {'name': {'type': 'str', 'default': default_name},
            'extra_parameters': {'type': 'dict', 'default': {}}}
