# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The connection options of every exo_* module (module_utils/_argspec.py).
    DOCUMENTATION = r'''
options:
  tenant_id:
    description:
      - The tenant to manage, as its GUID or its C(<name>.onmicrosoft.com) domain.
      - Falls back to the environment variable E(EXO_TENANT_ID).
    type: str
  organization:
    description:
      - The tenant's initial domain, C(<name>.onmicrosoft.com).
      - Used when O(tenant_id) is not set, for the anchor mailbox of REST calls, and by O(transport=psrp) for
        C(Connect-ExchangeOnline -Organization).
      - Falls back to E(EXO_ORGANIZATION).
    type: str
  client_id:
    description:
      - The application (client) ID of the app registration that has C(Exchange.ManageAsApp) and an Entra role in the
        tenant (Exchange Administrator to change settings; Global Reader for audit-only runs).
      - Falls back to E(EXO_CLIENT_ID).
    type: str
  client_secret:
    description:
      - The app's client secret (its value, not its ID).
      - Falls back to E(EXO_CLIENT_SECRET). Never shown in output or logs.
      - Give it as the (vaulted) host variable C(exo_client_secret), or in the controller's environment as an AWX
        credential does - not with a task's C(environment) keyword, which Ansible itself shows at C(-vvv) when the
        module runs as a separate process (the module path).
      - Ignored when O(certificate_path) is set.
    type: str
  certificate_path:
    description:
      - A PEM file holding the app's certificate and its private key, for certificate (client assertion) sign-in.
        The thumbprint is computed from the certificate.
      - Falls back to E(EXO_CERTIFICATE_PATH).
    type: path
  certificate_password:
    description:
      - The password of the private key in O(certificate_path), when it is encrypted.
      - Falls back to E(EXO_CERTIFICATE_PASSWORD). Never shown in output or logs.
    type: str
  cloud:
    description:
      - The Microsoft cloud the tenant lives in; chooses the sign-in and API hosts and the token scope.
      - V(commercial) and V(gcc) use C(login.microsoftonline.com) and C(outlook.office365.com); V(gcchigh) uses
        C(login.microsoftonline.us) and C(outlook.office365.us); V(dod) uses C(login.microsoftonline.us) and
        C(outlook-dod.office365.us).
      - Falls back to E(EXO_CLOUD).
    type: str
    choices: [commercial, gcc, gcchigh, dod]
    default: commercial
  transport:
    description:
      - V(rest) runs cmdlets over the Exchange Online admin API (C(InvokeCommand)) from the controller; no PowerShell
        needed.
      - V(psrp) runs them through PowerShell remoting on a Windows or PowerShell 7 host that has the
        ExchangeOnlineManagement module, signing in with a certificate in that host's store (see the C(psrp_*)
        options).
      - Falls back to E(EXO_TRANSPORT).
    type: str
    choices: [rest, psrp]
    default: rest
  api_url:
    description:
      - A base URL that replaces the cloud's API host (C(https://outlook.office365.com)), for a proxy or the
        collection's emulator. The token scope stays the cloud's.
      - Falls back to E(EXO_API_URL).
    type: str
  login_url:
    description:
      - A base URL that replaces the cloud's sign-in host (C(https://login.microsoftonline.com)).
      - Falls back to E(EXO_LOGIN_URL).
    type: str
  graph_url:
    description:
      - A base URL that replaces the cloud's Microsoft Graph host (C(https://graph.microsoft.com); C(graph.microsoft.us)
        for V(gcchigh), C(dod-graph.microsoft.us) for V(dod)), for a proxy or the collection's emulator. Only modules
        that call Graph (M(exoguard.mailflow.defender_hunting_query)) use it; the token scope stays the cloud's.
      - Falls back to E(EXO_GRAPH_URL).
    type: str
  ca_path:
    description:
      - A PEM bundle of the certificate authorities to trust for the sign-in and API hosts (and the PowerShell
        host), instead of the system's.
      - Falls back to E(EXO_CA_PATH).
    type: path
  validate_certs:
    description:
      - Whether TLS certificates are verified. Only for lab use.
      - Falls back to E(EXO_VALIDATE_CERTS).
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for one HTTP or PowerShell call.
      - Falls back to E(EXO_TIMEOUT).
    type: int
    default: 60
  retries:
    description:
      - How many times a call is tried again when it fails with a passing error (HTTP 429 honouring C(Retry-After),
        500, 503, 504, a dropped connection, or a transient Exchange exception such as C(ADTransientException)),
        with exponential backoff and jitter. A call is made at most O(retries) + 1 times.
      - A create (C(New-*)) is never sent again once it may have reached the service, so a retry cannot duplicate an
        object.
      - A read that still fails is a failure, never taken as "absent".
      - Falls back to E(EXO_RETRIES).
    type: int
    default: 3
  token_cache_dir:
    description:
      - Where access tokens are cached between tasks (one file per tenant, app and credential, mode 0600, in a
        0700 directory), so a run asks for one token per tenant rather than one per task.
      - Defaults to C($XDG_CACHE_HOME/exoguard.mailflow/tokens), that is C(~/.cache/exoguard.mailflow/tokens).
      - Falls back to E(EXO_TOKEN_CACHE_DIR).
    type: path
  psrp_server:
    description:
      - With O(transport=psrp), the PowerShell host to connect to over WSMan. Falls back to E(EXO_PSRP_SERVER).
    type: str
  psrp_port:
    description:
      - With O(transport=psrp), the WSMan port. Falls back to E(EXO_PSRP_PORT).
    type: int
    default: 5986
  psrp_username:
    description:
      - With O(transport=psrp), the user to authenticate to the PowerShell host as. Falls back to E(EXO_PSRP_USERNAME).
    type: str
  psrp_password:
    description:
      - With O(transport=psrp), that user's password. Falls back to E(EXO_PSRP_PASSWORD). Never shown in output.
    type: str
  psrp_auth:
    description:
      - With O(transport=psrp), the WSMan authentication protocol. Falls back to E(EXO_PSRP_AUTH).
    type: str
    choices: [negotiate, kerberos, ntlm, certificate, credssp, basic]
    default: negotiate
  psrp_configuration_name:
    description:
      - With O(transport=psrp), the PowerShell session configuration (endpoint) to open; PowerShell 7 registers
        endpoints such as C(PowerShell.7). Falls back to E(EXO_PSRP_CONFIGURATION_NAME).
    type: str
    default: PowerShell.7
  psrp_certificate_thumbprint:
    description:
      - With O(transport=psrp), the thumbprint of the app's certificate in the PowerShell host's certificate store,
        for C(Connect-ExchangeOnline -CertificateThumbprint). Computed from O(certificate_path) when that is set.
      - Falls back to E(EXO_PSRP_CERTIFICATE_THUMBPRINT).
    type: str
notes:
  - Modules run on the controller (C(ansible_connection=local)), one inventory host per tenant.
  - Each connection option the task does not set is taken from the host variable of its name with C(exo_) in front
    (C(exo_tenant_id), C(exo_client_id), C(exo_client_secret), ...), templated as a task argument is; then from its
    environment variable. C(module_defaults) with the action group C(group/exoguard.mailflow.exo) still wins over the
    host variables.
  - The app registration needs the application permission C(Exchange.ManageAsApp) on Office 365 Exchange Online
    with admin consent, and an Entra role in the tenant. See the collection README.
'''
