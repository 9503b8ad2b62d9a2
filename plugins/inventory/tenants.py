# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: tenants
short_description: Exchange Online tenants from a YAML or CSV tenants file, one host per tenant
version_added: 0.1.0
author:
  - exoguard.mailflow contributors (@exoguard)
description:
  - Builds one inventory host per Exchange Online tenant from a tenants file (YAML or CSV) that lists each tenant's
    ID, organization, display name, gateway profile, phase and overrides, and from gateway profiles that define the
    secure email gateway (its IPs, certificate name, SPF includes) once for every tenant behind it.
  - The inventory source is this plugin's configuration file, a YAML file whose name ends in C(tenants.yml) or
    C(tenants.yaml) (for example C(inventory/msp.tenants.yml)) and that names the tenants file.
  - Each host is named by the tenant's organization and has these variables, each later one winning over the
    earlier ones - C(ansible_connection=local) and C(ansible_python_interpreter) set to
    C({{ ansible_playbook_python }}); the variables of its gateway profile; the tenant's own overrides; and
    C(exo_tenant_id), C(exo_organization), C(exo_display_name) (the organization when not given),
    C(exo_gateway_profile) and C(centralized_mailflow_phase) from the tenant's fields. O(compose) comes last.
  - Every host is in the group C(tenants); the groups C(gateway_<profile>) and C(phase_<n>) (children of
    C(tenants)) hold the tenants by gateway profile and by phase.
  - The tenants file is data, not code - its values are used as written and never rendered as templates, so a file
    exported from a ticketing or CRM system cannot run lookups on the controller. Templates belong in
    O(gateway_profiles), O(compose) or group variables.
  - Credentials never go in the tenants file nor in this configuration - a field named like a secret
    (C(client_secret), C(certificate_password), C(password), C(token), anything ending in C(_secret),
    C(_password), C(_token), ...) is refused. Give them as the C(EXO_*) environment variables, which is how the AWX
    credential type of the collection's C(docs/awx.md) injects them, or as vault-encrypted variables
    (C(exo_client_secret) in C(group_vars/tenants.yml) or C(host_vars/<organization>.yml); with AWX beside the
    playbooks, so that the inventory sync never copies them into AWX's inventory).
  - A bad tenants file fails the whole inventory, naming the file, line and field of every problem - a tenant ID that
    is not a GUID, a phase outside 0-4, an unknown gateway profile, a duplicate or missing organization, a gateway IP
    that is not an IPv4 address or a /24 to /32 block. Set C(ANSIBLE_INVENTORY_UNPARSED_FAILED=true) (or
    C(unparsed_is_failed) in C(ansible.cfg)) so that C(ansible-playbook) stops on it instead of running with an empty
    inventory.
extends_documentation_fragment:
  - ansible.builtin.constructed
options:
  plugin:
    description: The name of this plugin; it must be V(exoguard.mailflow.tenants) for the file to be read by it.
    type: str
    required: true
    choices: [exoguard.mailflow.tenants]
  tenants_file:
    description:
      - The tenants file, relative to the directory of this configuration file unless absolute; it may be encrypted
        with C(ansible-vault) as a whole. Its format follows its extension - C(.csv) for CSV, C(.yml), C(.yaml) or
        C(.json) for YAML.
      - "Fields of a tenant: C(tenant_id) (required; the tenant's GUID), C(organization) (required; its initial domain
        C(<name>.onmicrosoft.com), or C(.onmicrosoft.us) in the US government clouds), C(display_name),
        C(gateway_profile) (a key of O(gateway_profiles)) and C(phase) (V(0) to V(4); required unless the tenant's
        profile sets C(centralized_mailflow_phase))."
      - Every other key or column is an override - a host variable of that tenant, any role or connection variable
        (C(centralized_mailflow_seg_ip_addresses), C(exo_client_id), C(exo_cloud), ...). A field that is empty or
        null sets nothing, so the profile's value stays.
      - A YAML tenants file is a mapping with one key, C(tenants), a list with one mapping per tenant.
      - A CSV tenants file has a header row naming the columns, then one row per tenant. Blank lines and lines that
        start with C(#) are skipped. An override cell that starts with C([) or C({) is read as a YAML list or
        mapping (C([192.0.2.10, 198.51.100.0/24])), V(true) and V(false) are booleans, a whole number is an integer,
        and anything else is a string as written.
    type: str
    required: true
  gateway_profiles:
    description:
      - The variables shared by the tenants behind one gateway, by profile name (letters, digits and underscores).
        Typically C(centralized_mailflow_seg_ip_addresses), C(centralized_mailflow_seg_certificate_name) and
        C(centralized_mailflow_seg_spf_includes); any role or connection variable may be set here, and
        C(centralized_mailflow_phase) is the phase of the profile's tenants that give none.
      - Values may be templates, such as a reference to a group variable.
    type: dict
    default: {}
  csv_delimiter:
    description: The field separator of a CSV tenants file, for example V(;) for a spreadsheet saved in a European locale.
    type: str
    default: ','
notes:
  - An MSP with one multi-tenant app registration needs a single credential (C(EXO_CLIENT_ID) and
    C(EXO_CLIENT_SECRET) or C(EXO_CERTIFICATE_PATH)); each tenant's ID comes from this inventory.
seealso:
  - plugin: ansible.builtin.constructed
    plugin_type: inventory
'''

EXAMPLES = r'''
# inventory/msp.tenants.yml - the inventory source (ansible-inventory -i inventory/msp.tenants.yml --graph)
plugin: exoguard.mailflow.tenants
tenants_file: ../tenants/customers.csv
gateway_profiles:
  mimecast_eu:
    centralized_mailflow_seg_ip_addresses: [192.0.2.0/24, 198.51.100.10]
    centralized_mailflow_seg_spf_includes: [eu._netblocks.mimecast.com]
  proofpoint_tls:
    centralized_mailflow_seg_certificate_name: "*.pphosted.example"
    centralized_mailflow_phase: 1
# The constructed options work on every variable of the host, including the profile's and the overrides.
keyed_groups:
  - key: exo_cloud | default('commercial')
    prefix: cloud
groups:
  pilot: centralized_mailflow_phase | int < 2

# tenants/customers.csv - one row per tenant; every column after the five fields is an override.
#   tenant_id,organization,display_name,gateway_profile,phase,exo_cloud,centralized_mailflow_direct_send_sources_acknowledged
#   3c1f8a2e-5d4b-4c7a-9e6f-1a2b3c4d5e6f,contoso.onmicrosoft.com,Contoso Ltd,mimecast_eu,2,,
#   8d2e4f6a-1b3c-4d5e-8f7a-9b0c1d2e3f4a,fabrikam.onmicrosoft.com,Fabrikam,mimecast_eu,1,,[ip4:203.0.113.25]
#   # paused until their scanner moves to the gateway:
#   # 0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e,tailspin.onmicrosoft.us,Tailspin,proofpoint_tls,,gcchigh,

# tenants/customers.yml - the same tenants as YAML (tenants_file: ../tenants/customers.yml)
#   tenants:
#     - tenant_id: 3c1f8a2e-5d4b-4c7a-9e6f-1a2b3c4d5e6f
#       organization: contoso.onmicrosoft.com
#       display_name: Contoso Ltd
#       gateway_profile: mimecast_eu
#       phase: 2
#     - tenant_id: 8d2e4f6a-1b3c-4d5e-8f7a-9b0c1d2e3f4a
#       organization: fabrikam.onmicrosoft.com
#       display_name: Fabrikam
#       gateway_profile: mimecast_eu
#       phase: 1
#       centralized_mailflow_direct_send_sources_acknowledged: [ip4:203.0.113.25]
'''

import csv
import difflib
import io
import os
import re

import yaml

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable
from ansible.utils.vars import isidentifier

from ansible_collections.exoguard.mailflow.plugins.module_utils import _validate as validate
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ConfigurationError

try:
    from ansible.template import trust_as_template
    HAS_TEMPLATE_TRUST = True
except ImportError:  # ansible-core < 2.19 renders every inventory string unless it is marked unsafe
    HAS_TEMPLATE_TRUST = False

#: The fields of a tenant; every other key or column of the tenants file is an override.
FIELDS = ('tenant_id', 'organization', 'display_name', 'gateway_profile', 'phase')
REQUIRED_FIELDS = ('tenant_id', 'organization')
#: Variables that a tenant's fields set, and the field to write instead.
FIELD_VARIABLES = {
    'exo_tenant_id': 'tenant_id',
    'exo_organization': 'organization',
    'exo_display_name': 'display_name',
    'exo_gateway_profile': 'gateway_profile',
    'centralized_mailflow_phase': 'phase',
}
PHASES = range(0, 5)
PARENT_GROUP = 'tenants'

_GUID = re.compile(r'^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$')
_ORGANIZATION = re.compile(r'^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\.onmicrosoft\.(?:com|us)$')
_PROFILE_NAME = re.compile(r'^[A-Za-z0-9_]+$')
_INTEGER = re.compile(r'^[-+]?[0-9]+$')
#: The last word of a variable name that holds a secret (exo_client_secret, centralized_mailflow_dns_key_secret,
#: exo_psrp_password, token) - but not exo_token_cache_dir or exo_certificate_path, which are not secrets.
_SECRET_WORDS = ('secret', 'password', 'passwd', 'passphrase', 'token', 'credential', 'credentials',
                 'private_key', 'api_key', 'access_key')
_CREDENTIAL_FIX = ('credentials never go in the tenants file or its configuration: give them as vault-encrypted '
                   'variables (exo_client_secret, exo_certificate_password in group_vars/ or host_vars/, '
                   'ansible-vault encrypt_string) or as the EXO_* environment variables (EXO_CLIENT_ID, '
                   'EXO_CLIENT_SECRET, EXO_CERTIFICATE_PATH, EXO_CERTIFICATE_PASSWORD), which the AWX credential '
                   'type in docs/awx.md injects')


def is_credential(name):
    """Whether a variable or column name is one that holds a secret."""
    name = str(name).strip().lower()
    return any(name == word or name.endswith('_' + word) for word in _SECRET_WORDS)


def _is_template(value):
    return isinstance(value, str) and ('{{' in value or '{%' in value)


def _as_template(value):
    """``value`` as a string Ansible renders when the variable is used."""
    return trust_as_template(value) if HAS_TEMPLATE_TRUST else value


def _as_data(value):
    """``value`` as data Ansible never renders as a template.

    Only strings with a ``{`` could be templates, so only they are marked (untrusted, or unsafe before ansible-core
    2.19); the others stay plain, which keeps ``ansible-inventory --list`` free of ``__ansible_unsafe`` wrappers that
    AWX's inventory import takes for dictionaries.
    """
    if isinstance(value, dict):
        return dict((key, _as_data(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_as_data(item) for item in value]
    if not isinstance(value, str):
        return value
    if '{' in value:
        if HAS_TEMPLATE_TRUST:  # a string is untrusted unless marked
            return value
        from ansible.utils.unsafe_proxy import wrap_var
        return wrap_var(value)
    return _as_template(value)


def variable_problem(name, value):
    """What is wrong with the value of a role variable the inventory can check, or None.

    Only the gateway's variables and the phase are checked; any other variable is the role's to check. The phase
    names the tenant's group, so it is never a template.
    """
    if name == 'centralized_mailflow_phase':
        return None if _phase(value) is not None else '%r is not a phase from 0 to 4' % (value,)
    if _is_template(value):
        return None
    try:
        if name == 'centralized_mailflow_seg_ip_addresses':
            if not isinstance(value, list):
                return '%r is not a list; write [192.0.2.10, 198.51.100.0/24]' % (value,)
            validate.sender_ip_addresses(name, value)
        elif name == 'centralized_mailflow_seg_certificate_name':
            if not isinstance(value, str):
                return '%r is not a certificate name such as *.gateway.example' % (value,)
            if value:
                validate.certificate_name(name, value)
        elif name == 'centralized_mailflow_seg_spf_includes':
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                return '%r is not a list of SPF includes; write [_netblocks.mimecast.com]' % (value,)
    except ConfigurationError as error:
        prefix = name + ': '
        return error.message[len(prefix):] if error.message.startswith(prefix) else error.message
    return None


def _phase(value):
    """The phase as an int, or None when ``value`` is not one of 0-4 (booleans are not phases)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        value = int(value.strip())
    return value if isinstance(value, int) and value in PHASES else None


def csv_cell_value(cell):
    """An override cell of a CSV tenants file as a value: YAML for a list or mapping, booleans, integers, else text."""
    if cell.startswith(('[', '{')):
        return yaml.safe_load(cell)
    if cell.lower() in ('true', 'false'):
        return cell.lower() == 'true'
    if _INTEGER.match(cell):
        return int(cell)
    return cell


class Row(object):
    """One tenant as written in the tenants file: its fields and overrides, and where each was written."""

    def __init__(self, line, values, field_lines=None):
        self.line = line
        self.values = values
        self.field_lines = field_lines or {}

    def line_of(self, field):
        return self.field_lines.get(field, self.line)


class Tenant(object):
    """One tenant as the inventory holds it: its host name, groups and variables."""

    def __init__(self, organization, gateway_profile, phase, variables):
        self.organization = organization
        self.gateway_profile = gateway_profile
        self.phase = phase
        self.variables = variables


class TenantsFile(object):
    """Reads and checks a tenants file against the gateway profiles. ``problems`` collects every bad row as
    ``<file>:<line>: <field>: <what is wrong>``; nothing is returned as a tenant while there is one."""

    def __init__(self, path, gateway_profiles, csv_delimiter=','):
        self.path = path
        self.gateway_profiles = gateway_profiles
        self.csv_delimiter = csv_delimiter
        self.problems = []

    def problem(self, line, field, text):
        self.problems.append('%s:%d: %s: %s' % (self.path, line, field, text))

    # -- reading ------------------------------------------------------------------------------------------------

    def rows(self, text):
        extension = os.path.splitext(self.path)[1].lower()
        if extension == '.csv':
            return list(self._csv_rows(text))
        if extension in ('.yml', '.yaml', '.json'):
            return list(self._yaml_rows(text))
        raise AnsibleParserError('%s: a tenants file must end in .csv, .yml, .yaml or .json' % self.path)

    def _csv_rows(self, text):
        reader = csv.reader(io.StringIO(text, newline=''), delimiter=self.csv_delimiter)
        header = None
        next_line = 1
        try:
            for cells in reader:
                line, next_line = next_line, reader.line_num + 1
                if not any(cell.strip() for cell in cells) or cells[0].lstrip().startswith('#'):
                    continue
                if header is None:
                    header = self._csv_header(line, [cell.strip() for cell in cells])
                    continue
                if len(cells) > len(header):
                    self.problem(line, 'row', 'has %d cells but the header names %d columns' % (len(cells), len(header)))
                    continue
                yield Row(line, self._csv_values(line, header, cells))
        except csv.Error as error:
            raise AnsibleParserError('%s:%d: not valid CSV: %s' % (self.path, reader.line_num, error))
        if header is None:
            self.problem(1, 'header', 'the file is empty; its first row must name the columns (%s, ...)'
                         % ', '.join(FIELDS))

    def _csv_header(self, line, names):
        """The header's column names; a credential or unusable column is reported once here and its cells ignored."""
        columns = []
        for name in names:
            if not name:
                self.problem(line, 'header', 'a column has no name')
            elif name in columns:
                self.problem(line, name, 'the header names this column twice')
            elif name not in FIELDS and override_name_problem(name):
                self.problem(line, name, override_name_problem(name))
                name = None
            columns.append(name)
        for field in REQUIRED_FIELDS:
            if field not in columns:
                self.problem(line, field, 'the header has no %s column (columns: %s)' % (field, ', '.join(names)))
        return columns

    def _csv_values(self, line, header, cells):
        values = {}
        for name, cell in zip(header, cells):
            cell = cell.strip()
            if not name or not cell:
                continue
            if name in FIELDS:
                values[name] = cell
                continue
            try:
                values[name] = csv_cell_value(cell)
            except yaml.YAMLError as error:
                self.problem(line, name, '%r is not a YAML list or mapping: %s' % (cell, to_native(error).splitlines()[0]))
        return values

    def _yaml_rows(self, text):
        loader = yaml.SafeLoader(text)
        positions, top_lines, document = [], {}, None
        try:
            document_node = loader.get_single_node()
            if document_node is not None:
                # Lines and duplicate keys are read before construction flattens merge keys (<<) into the mappings.
                top_lines = self._key_lines(document_node)[1]
                positions = [self._key_lines(node) for node in self._tenant_nodes(document_node)]
                document = loader.construct_document(document_node)
        except yaml.YAMLError as error:
            mark = getattr(error, 'problem_mark', None)
            raise AnsibleParserError('%s:%d: not valid YAML: %s'
                                     % (self.path, mark.line + 1 if mark else 1, to_native(error)))
        finally:
            loader.dispose()
        if not isinstance(document, dict) or not isinstance(document.get('tenants'), list):
            self.problem(1, 'tenants', 'a YAML tenants file is a mapping with a tenants list (one mapping per tenant)')
            return
        for key in document:
            if key != 'tenants':
                self.problem(top_lines.get(key, 1), str(key), 'unknown key; a YAML tenants file has only tenants (gateway profiles are '
                             'gateway_profiles in the inventory configuration)')
        for (line, key_lines), entry in zip(positions, document['tenants']):
            if not isinstance(entry, dict):
                self.problem(line, 'tenant', 'each tenant is a mapping (tenant_id: ..., organization: ...)')
                continue
            yield Row(line, entry, key_lines)

    @staticmethod
    def _tenant_nodes(document_node):
        if isinstance(document_node, yaml.MappingNode):
            for key_node, value_node in document_node.value:
                if key_node.value == 'tenants' and isinstance(value_node, yaml.SequenceNode):
                    return value_node.value
        return []

    def _key_lines(self, node):
        line = node.start_mark.line + 1
        key_lines = {}
        if isinstance(node, yaml.MappingNode):
            for key_node, dummy in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == 'tag:yaml.org,2002:merge':
                    continue
                if key_node.value in key_lines:
                    self.problem(key_node.start_mark.line + 1, key_node.value,
                                 'given twice (also on line %d)' % key_lines[key_node.value])
                key_lines[key_node.value] = key_node.start_mark.line + 1
        return line, key_lines

    # -- checking -----------------------------------------------------------------------------------------------

    def tenants(self, rows):
        """The tenants of ``rows``, in file order, or an empty list when there is any problem."""
        tenants = []
        organizations = {}
        tenant_ids = {}
        for row in rows:
            tenant = self._tenant(row, organizations, tenant_ids)
            if tenant is not None:
                tenants.append(tenant)
        return [] if self.problems else tenants

    def _tenant(self, row, organizations, tenant_ids):
        count = len(self.problems)
        values = row.values
        for field in REQUIRED_FIELDS:
            if values.get(field) in (None, ''):
                self.problem(row.line_of(field), field, 'missing; every tenant needs a tenant_id (its GUID) and an '
                             'organization (<name>.onmicrosoft.com)')

        tenant_id = self._tenant_id(row, tenant_ids)
        organization = self._organization(row, organizations)
        display_name = values.get('display_name')
        display_name = organization if display_name in (None, '') else str(display_name).strip()

        profile_name = values.get('gateway_profile')
        profile = {}
        if profile_name not in (None, ''):
            profile_name = str(profile_name).strip()
            if profile_name in self.gateway_profiles:
                profile = self.gateway_profiles[profile_name] or {}
            else:
                known = ', '.join(sorted(self.gateway_profiles)) or 'none defined'
                self.problem(row.line_of('gateway_profile'), 'gateway_profile',
                             'unknown gateway profile %r (gateway_profiles: %s)' % (profile_name, known))
        else:
            profile_name = None

        phase = self._phase(row, profile, profile_name)
        overrides = self._overrides(row)
        if len(self.problems) > count:
            return None

        variables = {
            'ansible_connection': _as_data('local'),
            'ansible_python_interpreter': _as_template('{{ ansible_playbook_python }}'),
        }
        variables.update(profile)
        variables.update((name, _as_data(value)) for name, value in overrides.items())
        variables.update({
            'exo_tenant_id': _as_data(tenant_id),
            'exo_organization': _as_data(organization),
            'exo_display_name': _as_data(display_name),
            'centralized_mailflow_phase': phase,
        })
        if profile_name:
            variables['exo_gateway_profile'] = _as_data(profile_name)
        return Tenant(organization, profile_name, phase, variables)

    def _tenant_id(self, row, tenant_ids):
        return self._unique_field(row, 'tenant_id', _GUID, tenant_ids,
                                  '%r is not a GUID (the tenant ID, such as 3c1f8a2e-5d4b-4c7a-9e6f-1a2b3c4d5e6f, in '
                                  'Entra ID > Overview)', '%s is already the tenant ID on line %d')

    def _organization(self, row, organizations):
        return self._unique_field(row, 'organization', _ORGANIZATION, organizations,
                                  '%r is not an initial domain <name>.onmicrosoft.com (or <name>.onmicrosoft.us)',
                                  '%s is already on line %d (one row per tenant)')

    def _unique_field(self, row, field, pattern, seen, malformed, duplicate):
        """The row's ``field`` in lower case (None when empty), reported when it does not match ``pattern`` or when
        an earlier row had it (``seen``: value -> line)."""
        value = row.values.get(field)
        if value in (None, ''):
            return None
        normalised = str(value).strip().lower()
        if not pattern.match(normalised):
            self.problem(row.line_of(field), field, malformed % (value,))
        elif normalised in seen:
            self.problem(row.line_of(field), field, duplicate % (normalised, seen[normalised]))
        else:
            seen[normalised] = row.line_of(field)
        return normalised

    def _phase(self, row, profile, profile_name):
        value = row.values.get('phase')
        if value in (None, ''):
            if 'centralized_mailflow_phase' in profile:
                return _phase(profile['centralized_mailflow_phase'])
            self.problem(row.line_of('phase'), 'phase', 'missing; give the phase (0-4) this tenant may go to, or '
                         'centralized_mailflow_phase in %s' % ('gateway profile %s' % profile_name if profile_name
                                                               else 'its gateway profile'))
            return None
        phase = _phase(value)
        if phase is None:
            self.problem(row.line_of('phase'), 'phase', '%r is not a phase from 0 to 4 (0 preflight and snapshot only, '
                         '1 safety-net rule in Audit, 2 connector restricted, 3 RejectDirectSend, 4 rule enforced)'
                         % (value,))
        return phase

    def _overrides(self, row):
        overrides = {}
        for name, value in row.values.items():
            if name in FIELDS:
                continue
            line = row.line_of(name)
            problem = override_name_problem(name)
            if problem:
                self.problem(line, str(name), problem)
            elif value is not None:
                problem = variable_problem(name, value)
                if problem:
                    self.problem(line, name, problem)
                else:
                    overrides[name] = value
        return overrides


def override_name_problem(name):
    """Why ``name`` cannot be an override of a tenant, or None."""
    if not isinstance(name, str) or not isidentifier(name):
        return 'not a variable name (letters, digits and underscores); the fields are %s' % ', '.join(FIELDS)
    if is_credential(name):
        return _CREDENTIAL_FIX
    if name in FIELD_VARIABLES:
        return 'set by the tenant\'s %s field; give it there' % FIELD_VARIABLES[name]
    close = difflib.get_close_matches(name, FIELDS, n=1, cutoff=0.8)
    if close:
        return 'unknown field; did you mean %s? (any other name is a host variable)' % close[0]
    return None


def profile_problems(gateway_profiles):
    """``(profile, variable or None, what is wrong)`` for each problem of the gateway profiles."""
    problems = []
    for name, variables in gateway_profiles.items():
        if not isinstance(name, str) or not _PROFILE_NAME.match(name):
            problems.append((name, None, 'a gateway profile name has only letters, digits and underscores (it names '
                                         'the group gateway_<profile>)'))
            continue
        if variables is None:
            continue
        if not isinstance(variables, dict):
            problems.append((name, None, 'a gateway profile is a mapping of variables'))
            continue
        for variable, value in variables.items():
            if not isinstance(variable, str) or not isidentifier(variable):
                problems.append((name, variable, 'not a variable name (letters, digits and underscores)'))
            elif is_credential(variable):
                problems.append((name, variable, _CREDENTIAL_FIX))
            elif variable in FIELD_VARIABLES and variable != 'centralized_mailflow_phase':
                problems.append((name, variable, 'is one tenant\'s own; give it as %s in the tenants file'
                                 % FIELD_VARIABLES[variable]))
            else:
                problem = variable_problem(variable, value)
                if problem:
                    problems.append((name, variable, problem))
    return problems


def _mapping_value(node, key):
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node, value_node
    return None, None


class InventoryModule(BaseInventoryPlugin, Constructable):
    """One host per Exchange Online tenant of a tenants file, with its gateway profile's variables."""

    NAME = 'exoguard.mailflow.tenants'

    def verify_file(self, path):
        if not super(InventoryModule, self).verify_file(path):
            return False
        if path.endswith(('tenants.yml', 'tenants.yaml')):
            return True
        self.display.vvv('Skipping %s: an exoguard.mailflow.tenants source ends in tenants.yml or tenants.yaml' % path)
        return False

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache=cache)
        config = self._read_config_data(path)
        config_text = self._read_text(path)
        self._check_config(path, config, config_text)

        # Relative to the configuration, not the working directory: AWX runs the inventory update elsewhere.
        tenants_path = os.path.expanduser(self.get_option('tenants_file'))
        if not os.path.isabs(tenants_path):
            tenants_path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(path)), tenants_path))
        tenants_file = TenantsFile(tenants_path, self.get_option('gateway_profiles') or {},
                                   self.get_option('csv_delimiter'))
        tenants = tenants_file.tenants(tenants_file.rows(self._read_text(tenants_path)))
        if tenants_file.problems:
            raise AnsibleParserError('\n'.join(tenants_file.problems))
        self._populate(tenants)

    def _read_text(self, path):
        try:
            real_path = self.loader.get_real_file(path, decrypt=True)
        except AnsibleError as error:
            raise AnsibleParserError('%s cannot be read: %s' % (path, to_native(error)))
        try:
            with open(real_path, 'rb') as handle:
                data = handle.read()
        except (IOError, OSError) as error:
            raise AnsibleParserError('%s cannot be read: %s' % (path, to_native(error)))
        finally:
            self.loader.cleanup_tmp_file(real_path)
        try:
            return data.decode('utf-8-sig')
        except UnicodeDecodeError as error:
            raise AnsibleParserError('%s is not UTF-8 text (save it as UTF-8): %s' % (path, to_native(error)))

    def _check_config(self, path, config, config_text):
        """Refuse unknown keys, credentials and bad gateway profiles in the configuration, with their lines."""
        try:
            document_node = yaml.compose(config_text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            document_node = None

        def line_of(*keys):
            node, line = document_node, 1
            for key in keys:
                key_node, node = _mapping_value(node, key)
                if key_node is None:
                    break
                line = key_node.start_mark.line + 1
            return line

        problems = []
        for key in config:
            if key in self._options:
                continue
            if is_credential(key):
                problems.append('%s:%d: %s: %s' % (path, line_of(key), key, _CREDENTIAL_FIX))
            else:
                problems.append('%s:%d: %s: unknown option (options: %s)'
                                % (path, line_of(key), key, ', '.join(sorted(self._options))))
        for profile, variable, text in profile_problems(self.get_option('gateway_profiles') or {}):
            keys = ('gateway_profiles', profile) + ((variable,) if variable is not None else ())
            field = 'gateway_profiles.%s' % '.'.join(str(key) for key in keys[1:])
            problems.append('%s:%d: %s: %s' % (path, line_of(*keys), field, text))
        if problems:
            raise AnsibleParserError('\n'.join(problems))

    def _populate(self, tenants):
        strict = self.get_option('strict')
        self.inventory.add_group(PARENT_GROUP)
        for tenant in tenants:
            host = tenant.organization
            self.inventory.add_host(host, group=PARENT_GROUP)
            groups = ['phase_%d' % tenant.phase]
            if tenant.gateway_profile:
                groups.insert(0, 'gateway_%s' % tenant.gateway_profile)
            for group in groups:
                self.inventory.add_group(group)
                self.inventory.add_child(PARENT_GROUP, group)
                self.inventory.add_child(group, host)
            for name, value in tenant.variables.items():
                self.inventory.set_variable(host, name, value)
            self._set_composite_vars(self.get_option('compose'), tenant.variables, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), tenant.variables, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), tenant.variables, host, strict=strict)
