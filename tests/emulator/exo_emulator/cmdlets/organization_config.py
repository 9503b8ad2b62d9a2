# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Get-OrganizationConfig and Set-OrganizationConfig: the tenant's one organization record."""

import copy

from exo_emulator.cmdlets.common import apply_parameters, no_change_warning, unmodelled_parameters
from exo_emulator.cmdlets.registry import CmdletResult, handles

RECORD_TYPE = 'Microsoft.Exchange.Data.Directory.Management.OrganizationConfig'


@handles('Get-OrganizationConfig', record_type=RECORD_TYPE)
def get_organization_config(context, parameters):
    return CmdletResult([copy.deepcopy(context.tenant.data['organization_config'])])


@handles('Set-OrganizationConfig', record_type=RECORD_TYPE)
def set_organization_config(context, parameters):
    """Writes the parameters that are properties of the record; Set-* returns no records.

    In Exchange Online the organization is implied: cmdlets.json lists no Identity for this cmdlet, so binding
    refuses one before this runs. A documented parameter the record does not model is accepted and has no
    effect; Exchange's "no settings have been modified" warning is given only when every parameter is modelled
    and none changed a value.
    """
    record = context.tenant.data['organization_config']
    if parameters.get('WhatIf'):
        return CmdletResult()
    changed = apply_parameters(record, parameters)
    if not changed and not unmodelled_parameters(record, parameters):
        return CmdletResult(warnings=[no_change_warning(record.get('Identity'))])
    return CmdletResult()
