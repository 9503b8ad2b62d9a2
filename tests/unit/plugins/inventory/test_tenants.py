# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import textwrap

import pytest

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ansible_collections.exoguard.mailflow.plugins.inventory.tenants import is_credential

CONTOSO = '3c1f8a2e-5d4b-4c7a-9e6f-1a2b3c4d5e6f'
FABRIKAM = '8d2e4f6a-1b3c-4d5e-8f7a-9b0c1d2e3f4a'
TAILSPIN = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e'

PROFILES = '''
gateway_profiles:
  mimecast_eu:
    centralized_mailflow_seg_ip_addresses: [192.0.2.0/24, 198.51.100.10]
    centralized_mailflow_seg_spf_includes: [eu._netblocks.mimecast.com]
    centralized_mailflow_connector_name: From Mimecast
  proofpoint_tls:
    centralized_mailflow_seg_certificate_name: "*.pphosted.example"
    centralized_mailflow_phase: 1
'''

CSV = '''\
tenant_id,organization,display_name,gateway_profile,phase,exo_cloud,centralized_mailflow_direct_send_sources_acknowledged
{contoso},contoso.onmicrosoft.com,Contoso Ltd,mimecast_eu,2,,
{fabrikam},Fabrikam.onmicrosoft.com,"Fabrikam, Inc",mimecast_eu,1,,[ip4:203.0.113.25]

# on hold until the scanner moves to the gateway
{tailspin},tailspin.onmicrosoft.us,,proofpoint_tls,,gcchigh,
'''.format(contoso=CONTOSO, fabrikam=FABRIKAM, tailspin=TAILSPIN)

YAML = '''\
tenants:
  - tenant_id: {contoso}
    organization: contoso.onmicrosoft.com
    display_name: Contoso Ltd
    gateway_profile: mimecast_eu
    phase: 2
  - tenant_id: {fabrikam}
    organization: Fabrikam.onmicrosoft.com
    display_name: Fabrikam, Inc
    gateway_profile: mimecast_eu
    phase: 1
    centralized_mailflow_direct_send_sources_acknowledged: [ip4:203.0.113.25]
  - tenant_id: {tailspin}
    organization: tailspin.onmicrosoft.us
    gateway_profile: proofpoint_tls
    exo_cloud: gcchigh
'''.format(contoso=CONTOSO, fabrikam=FABRIKAM, tailspin=TAILSPIN)


def write_inventory(tmp_path, tenants_text, tenants_name='customers.csv', config_extra='', profiles=PROFILES):
    """The plugin configuration (msp.tenants.yml) and its tenants file in tmp_path; returns the configuration."""
    (tmp_path / tenants_name).write_text(tenants_text)
    config = tmp_path / 'msp.tenants.yml'
    config.write_text('plugin: exoguard.mailflow.tenants\ntenants_file: %s\n%s%s'
                      % (tenants_name, textwrap.dedent(profiles), textwrap.dedent(config_extra)))
    return config


def parse(config):
    plugin = inventory_loader.get('exoguard.mailflow.tenants')
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), str(config), cache=False)
    return inventory


def host_vars(inventory, host):
    return inventory.get_host(host).get_vars()


def group_hosts(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


def problems_of(config):
    with pytest.raises(AnsibleParserError) as raised:
        parse(config)
    return str(raised.value.message).splitlines()


@pytest.fixture(params=['customers.csv', 'customers.yml'])
def fleet(request, tmp_path):
    """The same three tenants as CSV and as YAML."""
    text = CSV if request.param.endswith('.csv') else YAML
    return parse(write_inventory(tmp_path, text, request.param))


# -- what the inventory holds --------------------------------------------------------------------------------------

def test_one_host_per_tenant_named_by_its_organization_in_lower_case(fleet):
    assert sorted(fleet.hosts) == ['contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com', 'tailspin.onmicrosoft.us']


def test_every_tenant_runs_on_the_controller_with_its_python(fleet):
    variables = host_vars(fleet, 'contoso.onmicrosoft.com')
    assert variables['ansible_connection'] == 'local'
    assert variables['ansible_python_interpreter'] == '{{ ansible_playbook_python }}'


def test_a_tenant_gets_its_fields_as_exo_variables(fleet):
    variables = host_vars(fleet, 'fabrikam.onmicrosoft.com')
    assert variables['exo_tenant_id'] == FABRIKAM
    assert variables['exo_organization'] == 'fabrikam.onmicrosoft.com'
    assert variables['exo_display_name'] == 'Fabrikam, Inc'
    assert variables['exo_gateway_profile'] == 'mimecast_eu'
    assert variables['centralized_mailflow_phase'] == 1


def test_the_display_name_defaults_to_the_organization(fleet):
    assert host_vars(fleet, 'tailspin.onmicrosoft.us')['exo_display_name'] == 'tailspin.onmicrosoft.us'


def test_a_tenant_gets_the_variables_of_its_gateway_profile(fleet):
    variables = host_vars(fleet, 'contoso.onmicrosoft.com')
    assert variables['centralized_mailflow_seg_ip_addresses'] == ['192.0.2.0/24', '198.51.100.10']
    assert variables['centralized_mailflow_seg_spf_includes'] == ['eu._netblocks.mimecast.com']
    assert variables['centralized_mailflow_connector_name'] == 'From Mimecast'
    assert 'centralized_mailflow_seg_certificate_name' not in variables


def test_a_tenant_without_a_phase_takes_its_profiles_phase(fleet):
    assert host_vars(fleet, 'tailspin.onmicrosoft.us')['centralized_mailflow_phase'] == 1


def test_other_fields_are_overrides_with_their_types(fleet):
    assert host_vars(fleet, 'fabrikam.onmicrosoft.com')['centralized_mailflow_direct_send_sources_acknowledged'] == [
        'ip4:203.0.113.25']
    assert host_vars(fleet, 'tailspin.onmicrosoft.us')['exo_cloud'] == 'gcchigh'


def test_an_empty_override_sets_nothing(fleet):
    assert 'exo_cloud' not in host_vars(fleet, 'contoso.onmicrosoft.com')
    assert 'centralized_mailflow_direct_send_sources_acknowledged' not in host_vars(fleet, 'contoso.onmicrosoft.com')


def test_tenants_are_grouped_by_gateway_profile_and_phase_under_tenants(fleet):
    assert group_hosts(fleet, 'tenants') == ['contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com',
                                             'tailspin.onmicrosoft.us']
    assert group_hosts(fleet, 'gateway_mimecast_eu') == ['contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com']
    assert group_hosts(fleet, 'gateway_proofpoint_tls') == ['tailspin.onmicrosoft.us']
    assert group_hosts(fleet, 'phase_1') == ['fabrikam.onmicrosoft.com', 'tailspin.onmicrosoft.us']
    assert group_hosts(fleet, 'phase_2') == ['contoso.onmicrosoft.com']
    children = sorted(group.name for group in fleet.groups['tenants'].child_groups)
    assert children == ['gateway_mimecast_eu', 'gateway_proofpoint_tls', 'phase_1', 'phase_2']


def test_an_override_wins_over_the_profile(tmp_path):
    csv_text = ('tenant_id,organization,gateway_profile,phase,centralized_mailflow_seg_ip_addresses,'
                'centralized_mailflow_connector_name\n'
                '%s,contoso.onmicrosoft.com,mimecast_eu,3,[203.0.113.0/24],From the Contoso gateway\n' % CONTOSO)
    variables = host_vars(parse(write_inventory(tmp_path, csv_text)), 'contoso.onmicrosoft.com')
    assert variables['centralized_mailflow_seg_ip_addresses'] == ['203.0.113.0/24']
    assert variables['centralized_mailflow_connector_name'] == 'From the Contoso gateway'
    assert variables['centralized_mailflow_seg_spf_includes'] == ['eu._netblocks.mimecast.com']


def test_the_tenants_phase_wins_over_the_profiles(tmp_path):
    csv_text = 'tenant_id,organization,gateway_profile,phase\n%s,contoso.onmicrosoft.com,proofpoint_tls,0\n' % CONTOSO
    inventory = parse(write_inventory(tmp_path, csv_text))
    assert host_vars(inventory, 'contoso.onmicrosoft.com')['centralized_mailflow_phase'] == 0
    assert group_hosts(inventory, 'phase_0') == ['contoso.onmicrosoft.com']


def test_a_tenant_without_a_profile_is_only_in_tenants_and_its_phase(tmp_path):
    csv_text = ('tenant_id,organization,phase,centralized_mailflow_seg_ip_addresses\n'
                '%s,contoso.onmicrosoft.com,1,[192.0.2.10]\n' % CONTOSO)
    inventory = parse(write_inventory(tmp_path, csv_text))
    assert sorted(group.name for group in inventory.get_host('contoso.onmicrosoft.com').get_groups()) == [
        'phase_1', 'tenants']
    assert 'exo_gateway_profile' not in host_vars(inventory, 'contoso.onmicrosoft.com')


@pytest.mark.parametrize('cell, value', [
    ('[192.0.2.10, 198.51.100.0/24]', ['192.0.2.10', '198.51.100.0/24']),
    ('{bulk_threshold: 5}', {'bulk_threshold': 5}),
    ('true', True),
    ('FALSE', False),
    ('25', 25),
    ('5.7.1', '5.7.1'),
    ('no', 'no'),
    ('Mail must come: through the gateway', 'Mail must come: through the gateway'),
])
def test_csv_override_cells_are_lists_mappings_booleans_integers_or_text(tmp_path, cell, value):
    csv_text = 'tenant_id,organization,phase,some_variable\n%s,contoso.onmicrosoft.com,1,"%s"\n' % (CONTOSO, cell)
    assert host_vars(parse(write_inventory(tmp_path, csv_text)), 'contoso.onmicrosoft.com')['some_variable'] == value


def test_a_csv_with_semicolons_reads_with_its_delimiter(tmp_path):
    csv_text = 'tenant_id;organization;display_name;phase\n%s;contoso.onmicrosoft.com;Contoso, Ltd;1\n' % CONTOSO
    inventory = parse(write_inventory(tmp_path, csv_text, config_extra='csv_delimiter: ";"\n'))
    assert host_vars(inventory, 'contoso.onmicrosoft.com')['exo_display_name'] == 'Contoso, Ltd'


def test_a_csv_saved_by_excel_with_a_byte_order_mark_reads(tmp_path):
    csv_text = u'\ufefftenant_id,organization,phase\r\n%s,contoso.onmicrosoft.com,1\r\n' % CONTOSO
    inventory = parse(write_inventory(tmp_path, csv_text))
    assert host_vars(inventory, 'contoso.onmicrosoft.com')['exo_tenant_id'] == CONTOSO


def test_the_tenants_file_is_found_relative_to_the_configuration(tmp_path):
    (tmp_path / 'inventory').mkdir()
    (tmp_path / 'tenants').mkdir()
    (tmp_path / 'tenants' / 'customers.csv').write_text(CSV)
    config = tmp_path / 'inventory' / 'msp.tenants.yml'
    config.write_text('plugin: exoguard.mailflow.tenants\ntenants_file: ../tenants/customers.csv\n' + PROFILES)
    assert len(parse(config).hosts) == 3


def test_yaml_anchors_and_merge_keys_share_overrides(tmp_path):
    yaml_text = textwrap.dedent('''\
        tenants:
          - &contoso
            tenant_id: %s
            organization: contoso.onmicrosoft.com
            phase: 1
            exo_cloud: gcc
          - <<: *contoso
            tenant_id: %s
            organization: fabrikam.onmicrosoft.com
        ''' % (CONTOSO, FABRIKAM))
    inventory = parse(write_inventory(tmp_path, yaml_text, 'customers.yml'))
    assert host_vars(inventory, 'fabrikam.onmicrosoft.com')['exo_cloud'] == 'gcc'
    assert host_vars(inventory, 'fabrikam.onmicrosoft.com')['exo_tenant_id'] == FABRIKAM


# -- constructed features ------------------------------------------------------------------------------------------

CONSTRUCTED = '''
compose:
  customer: exo_display_name | upper
  seg_first_ip: centralized_mailflow_seg_ip_addresses | default(['none']) | first
groups:
  pilot: centralized_mailflow_phase | int < 2
keyed_groups:
  - key: exo_cloud | default('commercial')
    prefix: cloud
  - key: exo_gateway_profile
    prefix: seg
'''


def test_compose_sees_fields_profile_variables_and_overrides(tmp_path):
    inventory = parse(write_inventory(tmp_path, CSV, config_extra=CONSTRUCTED))
    assert host_vars(inventory, 'fabrikam.onmicrosoft.com')['customer'] == 'FABRIKAM, INC'
    assert host_vars(inventory, 'contoso.onmicrosoft.com')['seg_first_ip'] == '192.0.2.0/24'
    assert host_vars(inventory, 'tailspin.onmicrosoft.us')['seg_first_ip'] == 'none'


def test_groups_and_keyed_groups_are_built_from_the_variables(tmp_path):
    inventory = parse(write_inventory(tmp_path, CSV, config_extra=CONSTRUCTED))
    assert group_hosts(inventory, 'pilot') == ['fabrikam.onmicrosoft.com', 'tailspin.onmicrosoft.us']
    assert group_hosts(inventory, 'cloud_commercial') == ['contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com']
    assert group_hosts(inventory, 'cloud_gcchigh') == ['tailspin.onmicrosoft.us']
    assert group_hosts(inventory, 'seg_proofpoint_tls') == ['tailspin.onmicrosoft.us']


def test_strict_fails_on_a_compose_expression_that_cannot_be_evaluated(tmp_path):
    config = write_inventory(tmp_path, CSV, config_extra='strict: true\ncompose:\n  broken: no_such_variable.attribute\n')
    with pytest.raises(AnsibleError, match='broken'):
        parse(config)


def test_without_strict_a_failing_compose_expression_is_skipped(tmp_path):
    config = write_inventory(tmp_path, CSV, config_extra='compose:\n  broken: no_such_variable.attribute\n')
    assert 'broken' not in host_vars(parse(config), 'contoso.onmicrosoft.com')


# -- the tenants file is data ---------------------------------------------------------------------------------------

def test_a_template_in_the_tenants_file_is_never_trusted(tmp_path):
    template_trust = pytest.importorskip('ansible.template')
    if not hasattr(template_trust, 'is_trusted_as_template'):
        pytest.skip('ansible-core before 2.19 marks values unsafe instead')
    csv_text = ('tenant_id,organization,display_name,phase,centralized_mailflow_reject_text\n'
                '%s,contoso.onmicrosoft.com,"{{ lookup(\'pipe\', \'id\') }}",1,Plain text\n' % CONTOSO)
    variables = host_vars(parse(write_inventory(tmp_path, csv_text)), 'contoso.onmicrosoft.com')
    assert not template_trust.is_trusted_as_template(variables['exo_display_name'])
    assert template_trust.is_trusted_as_template(variables['ansible_python_interpreter'])


def test_the_interpreter_renders_and_a_template_in_the_tenants_file_does_not(tmp_path):
    from ansible.template import Templar
    csv_text = ('tenant_id,organization,display_name,phase\n'
                '%s,contoso.onmicrosoft.com,"{{ 6 * 7 }}",1\n' % CONTOSO)
    variables = dict(host_vars(parse(write_inventory(tmp_path, csv_text)), 'contoso.onmicrosoft.com'),
                     ansible_playbook_python='/usr/bin/python3')
    templar = Templar(loader=DataLoader(), variables=variables)
    assert templar.template(variables['ansible_python_interpreter']) == '/usr/bin/python3'
    assert templar.template(variables['exo_display_name']) == '{{ 6 * 7 }}'


# -- bad rows: file, line and field ---------------------------------------------------------------------------------

def csv_problems(tmp_path, body, header='tenant_id,organization,gateway_profile,phase', **kwargs):
    config = write_inventory(tmp_path, header + '\n' + textwrap.dedent(body), **kwargs)
    return problems_of(config)


def test_a_tenant_id_that_is_not_a_guid_names_file_line_and_field(tmp_path):
    problems = csv_problems(tmp_path, '''\
        %s,contoso.onmicrosoft.com,mimecast_eu,1
        contoso.onmicrosoft.com,fabrikam.onmicrosoft.com,mimecast_eu,1
        ''' % CONTOSO)
    assert problems == ["%s:3: tenant_id: 'contoso.onmicrosoft.com' is not a GUID (the tenant ID, such as "
                        "3c1f8a2e-5d4b-4c7a-9e6f-1a2b3c4d5e6f, in Entra ID > Overview)" % (tmp_path / 'customers.csv')]


@pytest.mark.parametrize('phase', ['5', '-1', 'two', '1.5', 'true'])
def test_a_phase_outside_0_to_4_names_file_line_and_field(tmp_path, phase):
    problems = csv_problems(tmp_path, '%s,contoso.onmicrosoft.com,mimecast_eu,%s\n' % (CONTOSO, phase))
    assert len(problems) == 1
    assert problems[0].startswith("%s:2: phase: '%s' is not a phase from 0 to 4" % (tmp_path / 'customers.csv', phase))


def test_a_missing_phase_without_a_profile_phase_is_refused(tmp_path):
    problems = csv_problems(tmp_path, '%s,contoso.onmicrosoft.com,mimecast_eu,\n' % CONTOSO)
    assert problems == ['%s:2: phase: missing; give the phase (0-4) this tenant may go to, or '
                        'centralized_mailflow_phase in gateway profile mimecast_eu' % (tmp_path / 'customers.csv')]


def test_an_unknown_gateway_profile_names_the_known_ones(tmp_path):
    problems = csv_problems(tmp_path, '%s,contoso.onmicrosoft.com,mimecast_us,1\n' % CONTOSO)
    assert problems == ["%s:2: gateway_profile: unknown gateway profile 'mimecast_us' (gateway_profiles: mimecast_eu, "
                        "proofpoint_tls)" % (tmp_path / 'customers.csv')]


def test_a_duplicate_organization_names_the_line_it_is_already_on(tmp_path):
    problems = csv_problems(tmp_path, '''\
        %s,contoso.onmicrosoft.com,mimecast_eu,1
        %s,CONTOSO.onmicrosoft.com,mimecast_eu,2
        ''' % (CONTOSO, FABRIKAM))
    assert problems == ['%s:3: organization: contoso.onmicrosoft.com is already on line 2 (one row per tenant)'
                        % (tmp_path / 'customers.csv')]


def test_a_duplicate_tenant_id_names_the_line_it_is_already_on(tmp_path):
    problems = csv_problems(tmp_path, '''\
        %s,contoso.onmicrosoft.com,mimecast_eu,1
        %s,fabrikam.onmicrosoft.com,mimecast_eu,1
        ''' % (CONTOSO, CONTOSO.upper()))
    assert problems == ['%s:3: tenant_id: %s is already the tenant ID on line 2' % (tmp_path / 'customers.csv', CONTOSO)]


def test_a_missing_organization_is_refused(tmp_path):
    problems = csv_problems(tmp_path, '%s,,mimecast_eu,1\n' % CONTOSO)
    assert problems == ['%s:2: organization: missing; every tenant needs a tenant_id (its GUID) and an organization '
                        '(<name>.onmicrosoft.com)' % (tmp_path / 'customers.csv')]


@pytest.mark.parametrize('organization', ['contoso.com', 'contoso', 'con toso.onmicrosoft.com', '-x.onmicrosoft.com'])
def test_an_organization_that_is_not_an_initial_domain_is_refused(tmp_path, organization):
    problems = csv_problems(tmp_path, '%s,%s,mimecast_eu,1\n' % (CONTOSO, organization))
    assert problems == ["%s:2: organization: %r is not an initial domain <name>.onmicrosoft.com (or "
                        "<name>.onmicrosoft.us)" % (tmp_path / 'customers.csv', organization)]


def test_a_bad_gateway_ip_in_an_override_names_the_column(tmp_path):
    problems = csv_problems(tmp_path, '%s,contoso.onmicrosoft.com,mimecast_eu,1,[192.0.2.300]\n' % CONTOSO,
                            header='tenant_id,organization,gateway_profile,phase,centralized_mailflow_seg_ip_addresses')
    assert problems == ["%s:2: centralized_mailflow_seg_ip_addresses: '192.0.2.300' is not an IP address or CIDR block "
                        "(write 192.0.2.10 or 192.0.2.0/24)" % (tmp_path / 'customers.csv')]


def test_a_gateway_ip_list_written_as_text_is_refused(tmp_path):
    problems = csv_problems(tmp_path, '%s,contoso.onmicrosoft.com,mimecast_eu,1,192.0.2.10\n' % CONTOSO,
                            header='tenant_id,organization,gateway_profile,phase,centralized_mailflow_seg_ip_addresses')
    assert problems == ["%s:2: centralized_mailflow_seg_ip_addresses: '192.0.2.10' is not a list; write "
                        "[192.0.2.10, 198.51.100.0/24]" % (tmp_path / 'customers.csv')]


def test_every_problem_of_the_file_is_reported_at_once(tmp_path):
    problems = csv_problems(tmp_path, '''\
        not-a-guid,contoso.onmicrosoft.com,mimecast_eu,1
        %s,fabrikam.onmicrosoft.com,nope,9
        ''' % FABRIKAM)
    assert [re.match(r'^.*customers\.csv:(\d+): (\w+): ', problem).groups() for problem in problems] == [
        ('2', 'tenant_id'), ('3', 'gateway_profile'), ('3', 'phase')]


def test_a_row_with_more_cells_than_the_header_is_refused(tmp_path):
    problems = csv_problems(tmp_path, '%s,contoso.onmicrosoft.com,mimecast_eu,1,extra\n' % CONTOSO)
    assert problems == ['%s:2: row: has 5 cells but the header names 4 columns' % (tmp_path / 'customers.csv')]


def test_a_header_without_the_required_columns_is_refused(tmp_path):
    problems = csv_problems(tmp_path, 'contoso.onmicrosoft.com,1\n', header='organization,phase')
    assert problems[0] == ('%s:1: tenant_id: the header has no tenant_id column (columns: organization, phase)'
                           % (tmp_path / 'customers.csv'))


def test_a_misspelt_column_is_refused_with_the_field_it_resembles(tmp_path):
    problems = csv_problems(tmp_path, '%s,contoso.onmicrosoft.com,mimecast_eu,1,x\n' % CONTOSO,
                            header='tenant_id,organization,gateway_profile,phase,organisation')
    assert problems == ['%s:1: organisation: unknown field; did you mean organization? (any other name is a host '
                        'variable)' % (tmp_path / 'customers.csv')]


def test_a_column_that_is_not_a_variable_name_is_refused_once_at_the_header(tmp_path):
    problems = csv_problems(tmp_path, '%s,contoso.onmicrosoft.com,mimecast_eu,1,x\n%s,fabrikam.onmicrosoft.com,,1,y\n'
                            % (CONTOSO, FABRIKAM), header='tenant_id,organization,gateway_profile,phase,Account Manager')
    assert problems == ['%s:1: Account Manager: not a variable name (letters, digits and underscores); the fields are '
                        'tenant_id, organization, display_name, gateway_profile, phase' % (tmp_path / 'customers.csv')]


def test_a_column_for_a_variable_a_field_sets_points_at_the_field(tmp_path):
    problems = csv_problems(tmp_path, '%s,contoso.onmicrosoft.com,mimecast_eu,1,3\n' % CONTOSO,
                            header='tenant_id,organization,gateway_profile,phase,centralized_mailflow_phase')
    assert problems == ["%s:1: centralized_mailflow_phase: set by the tenant's phase field; give it there"
                        % (tmp_path / 'customers.csv')]


def test_an_empty_csv_is_refused(tmp_path):
    assert problems_of(write_inventory(tmp_path, '')) == [
        '%s:1: header: the file is empty; its first row must name the columns (tenant_id, organization, display_name, '
        'gateway_profile, phase, ...)' % (tmp_path / 'customers.csv')]


def test_yaml_problems_name_the_line_of_the_field(tmp_path):
    yaml_text = textwrap.dedent('''\
        tenants:
          - tenant_id: %s
            organization: contoso.onmicrosoft.com
            phase: 1

          - tenant_id: %s
            organization: fabrikam.onmicrosoft.com
            gateway_profile: mimecast_eu
            phase: 6
        ''' % (CONTOSO, FABRIKAM))
    assert problems_of(write_inventory(tmp_path, yaml_text, 'customers.yml')) == [
        "%s:9: phase: 6 is not a phase from 0 to 4 (0 preflight and snapshot only, 1 safety-net rule in Audit, "
        "2 connector restricted, 3 RejectDirectSend, 4 rule enforced)" % (tmp_path / 'customers.yml')]


def test_a_yaml_tenant_without_organization_names_the_tenants_line(tmp_path):
    yaml_text = 'tenants:\n  - tenant_id: %s\n    phase: 1\n' % CONTOSO
    assert problems_of(write_inventory(tmp_path, yaml_text, 'customers.yml')) == [
        '%s:2: organization: missing; every tenant needs a tenant_id (its GUID) and an organization '
        '(<name>.onmicrosoft.com)' % (tmp_path / 'customers.yml')]


def test_a_yaml_key_given_twice_for_a_tenant_is_refused(tmp_path):
    yaml_text = 'tenants:\n  - tenant_id: %s\n    organization: contoso.onmicrosoft.com\n    phase: 1\n    phase: 3\n' % (
        CONTOSO)
    assert problems_of(write_inventory(tmp_path, yaml_text, 'customers.yml')) == [
        '%s:5: phase: given twice (also on line 4)' % (tmp_path / 'customers.yml')]


def test_a_yaml_file_without_a_tenants_list_is_refused(tmp_path):
    assert problems_of(write_inventory(tmp_path, '- tenant_id: x\n', 'customers.yml')) == [
        '%s:1: tenants: a YAML tenants file is a mapping with a tenants list (one mapping per tenant)'
        % (tmp_path / 'customers.yml')]


def test_invalid_yaml_names_the_line(tmp_path):
    config = write_inventory(tmp_path, 'tenants:\n  - tenant_id: [x\n', 'customers.yml')
    with pytest.raises(AnsibleParserError, match=r'customers\.yml:\d+: not valid YAML'):
        parse(config)


def test_a_tenants_file_of_another_format_is_refused(tmp_path):
    config = write_inventory(tmp_path, 'x', 'customers.xlsx')
    with pytest.raises(AnsibleParserError, match=r'customers\.xlsx: a tenants file must end in \.csv, \.yml'):
        parse(config)


def test_a_missing_tenants_file_is_named(tmp_path):
    config = write_inventory(tmp_path, CSV)
    (tmp_path / 'customers.csv').unlink()
    with pytest.raises(AnsibleParserError, match=r'customers\.csv cannot be read'):
        parse(config)


# -- bad gateway profiles and configuration -------------------------------------------------------------------------

def config_problems(tmp_path, profiles):
    return problems_of(write_inventory(tmp_path, CSV, profiles=profiles))


def test_a_bad_gateway_ip_in_a_profile_names_the_configuration_line_and_profile(tmp_path):
    problems = config_problems(tmp_path, '''\
        gateway_profiles:
          mimecast_eu:
            centralized_mailflow_seg_ip_addresses: [192.0.2.0/16]
          proofpoint_tls: {}
        ''')
    assert problems == ['%s:5: gateway_profiles.mimecast_eu.centralized_mailflow_seg_ip_addresses: '
                        "'192.0.2.0/16' is a /16; Exchange takes CIDR blocks from /24 to /32 only: split it into /24 "
                        'blocks' % (tmp_path / 'msp.tenants.yml')]


def test_a_bad_certificate_name_in_a_profile_is_refused(tmp_path):
    problems = config_problems(tmp_path, '''\
        gateway_profiles:
          mimecast_eu: {}
          proofpoint_tls:
            centralized_mailflow_seg_certificate_name: "*"
        ''')
    assert len(problems) == 1
    assert problems[0].startswith('%s:6: gateway_profiles.proofpoint_tls.centralized_mailflow_seg_certificate_name: '
                                  '* alone is not a certificate name' % (tmp_path / 'msp.tenants.yml'))


def test_a_profile_phase_outside_0_to_4_is_refused(tmp_path):
    problems = config_problems(tmp_path, '''\
        gateway_profiles:
          mimecast_eu: {}
          proofpoint_tls:
            centralized_mailflow_phase: 5
        ''')
    assert problems == ['%s:6: gateway_profiles.proofpoint_tls.centralized_mailflow_phase: 5 is not a phase from 0 to 4'
                        % (tmp_path / 'msp.tenants.yml')]


def test_a_profile_name_that_cannot_name_a_group_is_refused(tmp_path):
    problems = config_problems(tmp_path, '''\
        gateway_profiles:
          mimecast-eu: {}
        ''')
    assert problems == ['%s:4: gateway_profiles.mimecast-eu: a gateway profile name has only letters, digits and '
                        'underscores (it names the group gateway_<profile>)' % (tmp_path / 'msp.tenants.yml')]


def test_a_profile_cannot_set_one_tenants_own_variable(tmp_path):
    problems = config_problems(tmp_path, '''\
        gateway_profiles:
          mimecast_eu:
            exo_tenant_id: 3c1f8a2e-5d4b-4c7a-9e6f-1a2b3c4d5e6f
          proofpoint_tls: {}
        ''')
    assert problems == ["%s:5: gateway_profiles.mimecast_eu.exo_tenant_id: is one tenant's own; give it as tenant_id "
                        "in the tenants file" % (tmp_path / 'msp.tenants.yml')]


def test_a_template_in_a_profile_is_left_for_ansible_to_render(tmp_path):
    inventory = parse(write_inventory(tmp_path, CSV, profiles='''\
        gateway_profiles:
          mimecast_eu:
            centralized_mailflow_seg_ip_addresses: "{{ mimecast_eu_ips }}"
          proofpoint_tls: {centralized_mailflow_phase: 1}
        '''))
    assert host_vars(inventory, 'contoso.onmicrosoft.com')['centralized_mailflow_seg_ip_addresses'] == (
        '{{ mimecast_eu_ips }}')


def test_an_unknown_option_in_the_configuration_is_refused(tmp_path):
    problems = problems_of(write_inventory(tmp_path, CSV, config_extra='gateway_profile: mimecast_eu\n'))
    assert len(problems) == 1
    assert problems[0].startswith('%s:12: gateway_profile: unknown option (options: ' % (tmp_path / 'msp.tenants.yml'))


# -- credentials are refused ---------------------------------------------------------------------------------------

CREDENTIAL_FIX = ('credentials never go in the tenants file or its configuration: give them as vault-encrypted '
                  'variables (exo_client_secret, exo_certificate_password in group_vars/ or host_vars/, '
                  'ansible-vault encrypt_string) or as the EXO_* environment variables (EXO_CLIENT_ID, '
                  'EXO_CLIENT_SECRET, EXO_CERTIFICATE_PATH, EXO_CERTIFICATE_PASSWORD), which the AWX credential '
                  'type in docs/awx.md injects')


@pytest.mark.parametrize('column', ['client_secret', 'certificate_password', 'exo_client_secret', 'password', 'token',
                                    'key_secret', 'exo_psrp_password', 'centralized_mailflow_dns_key_secret'])
def test_a_credential_column_in_a_csv_is_refused_at_the_header(tmp_path, column):
    problems = csv_problems(tmp_path, '%s,contoso.onmicrosoft.com,mimecast_eu,1,hunter2\n' % CONTOSO,
                            header='tenant_id,organization,gateway_profile,phase,' + column)
    assert problems == ['%s:1: %s: %s' % (tmp_path / 'customers.csv', column, CREDENTIAL_FIX)]


def test_a_credential_key_in_a_yaml_tenant_is_refused_with_its_line(tmp_path):
    yaml_text = ('tenants:\n  - tenant_id: %s\n    organization: contoso.onmicrosoft.com\n    phase: 1\n'
                 '    exo_client_secret: hunter2\n' % CONTOSO)
    assert problems_of(write_inventory(tmp_path, yaml_text, 'customers.yml')) == [
        '%s:5: exo_client_secret: %s' % (tmp_path / 'customers.yml', CREDENTIAL_FIX)]


def test_a_credential_in_a_gateway_profile_is_refused(tmp_path):
    problems = config_problems(tmp_path, '''\
        gateway_profiles:
          mimecast_eu:
            exo_certificate_password: hunter2
          proofpoint_tls: {}
        ''')
    assert problems == ['%s:5: gateway_profiles.mimecast_eu.exo_certificate_password: %s'
                        % (tmp_path / 'msp.tenants.yml', CREDENTIAL_FIX)]


def test_a_credential_at_the_top_of_the_configuration_is_refused(tmp_path):
    problems = problems_of(write_inventory(tmp_path, CSV, config_extra='client_secret: hunter2\n'))
    assert problems == ['%s:12: client_secret: %s' % (tmp_path / 'msp.tenants.yml', CREDENTIAL_FIX)]


def test_no_secret_value_is_repeated_in_the_refusal(tmp_path):
    problems = csv_problems(tmp_path, '%s,contoso.onmicrosoft.com,mimecast_eu,1,hunter2\n' % CONTOSO,
                            header='tenant_id,organization,gateway_profile,phase,client_secret')
    assert 'hunter2' not in '\n'.join(problems)


@pytest.mark.parametrize('name', ['exo_certificate_path', 'exo_token_cache_dir', 'exo_client_id',
                                  'centralized_mailflow_dns_key_name', 'exo_psrp_username'])
def test_names_that_hold_no_secret_are_not_credentials(name):
    assert not is_credential(name)


# -- which files the plugin takes ----------------------------------------------------------------------------------

@pytest.mark.parametrize('name, taken', [('msp.tenants.yml', True), ('tenants.yaml', True), ('customers.csv', False),
                                         ('hosts.yml', False)])
def test_the_plugin_takes_configurations_named_tenants_yml(tmp_path, name, taken):
    path = tmp_path / name
    path.write_text('plugin: exoguard.mailflow.tenants\n')
    assert inventory_loader.get('exoguard.mailflow.tenants').verify_file(str(path)) is taken
