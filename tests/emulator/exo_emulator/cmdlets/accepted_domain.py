# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Get-AcceptedDomain: the domains the tenant receives mail for."""

import copy

from exo_emulator.cmdlets.common import find_by_identity
from exo_emulator.cmdlets.registry import CmdletResult, handles

RECORD_TYPE = 'Microsoft.Exchange.Data.Directory.SystemConfiguration.AcceptedDomain'


@handles('Get-AcceptedDomain', record_type=RECORD_TYPE)
def get_accepted_domain(context, parameters):
    domains = context.tenant.data['accepted_domains']
    if parameters.get('Identity') is not None:
        domains = find_by_identity(domains, parameters['Identity'], keys=('Identity', 'Name', 'DomainName', 'Guid', 'Id'))
    return CmdletResult(copy.deepcopy(domains))
