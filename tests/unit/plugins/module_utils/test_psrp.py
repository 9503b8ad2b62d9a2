# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""PsrpTransport at the pypsrp boundary.

Three levels: scripted fakes of WSMan/RunspacePool/PowerShell (what the transport asks pypsrp to do, how it reads
what comes back); pypsrp's real serializer (what actually goes on the wire, what its deserializer hands back); and
pypsrp's real RunspacePool/PowerShell talking PSRP to psrpcore's server (a full round trip without WinRM).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import importlib.util
import sys
import uuid
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import pytest

pytest.importorskip('pypsrp')

# pylint: disable=wrong-import-position
import requests
from pypsrp.complex_objects import ObjectMeta, Pipeline
from pypsrp.exceptions import AuthenticationError, WinRMTransportError, WSManFaultError
from pypsrp.messages import ErrorRecordMessage, WarningRecord
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.serializer import Serializer
from pypsrp.wsman import NAMESPACES

from ansible_collections.exoguard.mailflow.plugins.module_utils import _psrp
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import (
    AccessDenied,
    AuthFailed,
    ConfigurationError,
    ExoError,
    InvalidParameter,
    NotFound,
    Throttled,
    Transient,
)
from ansible_collections.exoguard.mailflow.plugins.module_utils._psrp import (
    PsrpTransport,
    cmdlet_parameters,
    exchange_environment_name,
    to_record,
)

try:
    import psrpcore
    from psrpcore.types import (
        ErrorCategory,
        ErrorCategoryInfo,
        NETException,
        PSCustomObject,
        PSEnumBase,
        PSListBase,
        PSType,
    )
    HAS_PSRPCORE = True
except ImportError:
    HAS_PSRPCORE = False


TENANT = 'contoso.onmicrosoft.com'
SERVER = 'exo-jump.contoso.test'
PASSWORD = 'Winrm-S3cret!pw'
INJECTION = "x'; Remove-Item C:\\ -Recurse; '"
SUBEXPRESSION = '$(Get-Process)'
CONNECTION = dict(
    server=SERVER, username='CONTOSO\\svc-exo', password=PASSWORD, app_id='22222222-2222-2222-2222-222222222222',
    certificate_thumbprint='0123456789ABCDEF0123456789ABCDEF01234567', organization=TENANT,
)


# ---------------------------------------------------------------------------------------------------------------
# Records as a PowerShell host sends them (MS-PSRP 2.2.3.15 / 2.2.3.16), read by pypsrp's own deserializer.
# ---------------------------------------------------------------------------------------------------------------

def error_record(message, reason, fq_error, exception_type='System.Exception', category=0, cmdlet='Get-X'):
    clixml = (
        '<Obj RefId="0"><TN RefId="0"><T>System.Management.Automation.ErrorRecord</T><T>System.Object</T></TN>'
        '<ToString>{message}</ToString><MS>'
        '<Obj N="Exception" RefId="1"><TN RefId="1"><T>{exception_type}</T><T>System.Exception</T><T>System.Object</T>'
        '</TN><ToString>{exception_type}: {message}</ToString><Props><S N="Message">{message}</S></Props></Obj>'
        '<Nil N="TargetObject" /><S N="FullyQualifiedErrorId">{fq_error}</S>'
        '<I32 N="ErrorCategory_Category">{category}</I32><S N="ErrorCategory_Activity">{cmdlet}</S>'
        '<S N="ErrorCategory_Reason">{reason}</S><S N="ErrorCategory_TargetName"></S><S N="ErrorCategory_TargetType"></S>'
        '<S N="ErrorCategory_Message">NotSpecified: (:) [{cmdlet}], {reason}</S>'
        '<B N="SerializeExtendedInfo">false</B></MS></Obj>'
    ).format(message=escape(message), reason=escape(reason), fq_error=escape(fq_error),
             exception_type=escape(exception_type), category=category, cmdlet=escape(cmdlet))
    return Serializer().deserialize(clixml, ObjectMeta('Obj', object=ErrorRecordMessage))


def warning_record(message):
    clixml = (
        '<Obj RefId="0"><TN RefId="0"><T>System.Management.Automation.WarningRecord</T>'
        '<T>System.Management.Automation.InformationalRecord</T><T>System.Object</T></TN><ToString>{0}</ToString>'
        '<MS><S N="InformationalRecord_Message">{0}</S><B N="InformationalRecord_SerializeInvocationInfo">false</B>'
        '</MS></Obj>'
    ).format(escape(message))
    return Serializer().deserialize(clixml, ObjectMeta('Obj', object=WarningRecord))


MVP = ('<TN RefId="{ref}"><T>Deserialized.Microsoft.Exchange.Data.MultiValuedProperty`1[[System.String, mscorlib, '
       'Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]</T>'
       '<T>Deserialized.Microsoft.Exchange.Data.MultiValuedPropertyBase</T><T>Deserialized.System.Object</T></TN>')

# Get-InboundConnector's object as PowerShell remoting serialises it (depth 1: nested objects as ToString, Exchange
# collections as MultiValuedProperty, enums as ToString + value).
INBOUND_CONNECTOR_CLIXML = (
    '<Obj RefId="0"><TN RefId="0"><T>Deserialized.Microsoft.Exchange.Management.Tasks.InboundConnector</T>'
    '<T>Deserialized.Microsoft.Exchange.Data.Directory.ADConfigurationObject</T><T>Deserialized.System.Object</T></TN>'
    '<ToString>myorgemail</ToString><Props>'
    '<B N="Enabled">false</B>'
    '<Obj N="ConnectorType" RefId="1"><TN RefId="1"><T>Deserialized.Microsoft.Exchange.Data.TenantConnectorType</T>'
    '<T>Deserialized.System.Enum</T><T>Deserialized.System.ValueType</T><T>Deserialized.System.Object</T></TN>'
    '<ToString>OnPremises</ToString><I32>1</I32></Obj>'
    '<S N="ConnectorSource">AdminUI</S><S N="Comment"></S>'
    '<Obj N="SenderIPAddresses" RefId="2">' + MVP.format(ref=2) + '<LST><S>81.187.237.31</S></LST></Obj>'
    '<Obj N="SenderDomains" RefId="3"><TNRef RefId="2" /><LST><S>smtp:*;1</S></LST></Obj>'
    '<Obj N="EFSkipIPs" RefId="4"><TNRef RefId="2" /><LST /></Obj>'
    '<B N="RequireTls">false</B><B N="RestrictDomainsToIPAddresses">false</B>'
    '<Nil N="TlsSenderCertificateName" />'
    '<S N="Name">myorgemail</S>'
    '<Obj N="Identity" RefId="5"><TN RefId="3"><T>Deserialized.Microsoft.Exchange.Data.Directory.ADObjectId</T>'
    '<T>Deserialized.System.Object</T></TN><ToString>myorgemail</ToString></Obj>'
    '<DT N="WhenChangedUTC">2026-07-23T22:55:49Z</DT>'
    '<G N="Guid">acc2eccd-550f-4efa-9905-46054a5f516a</G>'
    '<I32 N="Priority">0</I32>'
    '<B N="IsValid">true</B>'
    '</Props><MS><S N="PSComputerName">' + SERVER + '</S>'
    '<G N="RunspaceId">5b0c1b8e-3bd6-4f7c-9a1e-1c7b7c1b0e11</G></MS></Obj>'
)

# The same connector as the REST transport returns it (annotations stripped).
INBOUND_CONNECTOR_RECORD = {
    'Enabled': False,
    'ConnectorType': 'OnPremises',
    'ConnectorSource': 'AdminUI',
    'Comment': '',
    'SenderIPAddresses': ['81.187.237.31'],
    'SenderDomains': ['smtp:*;1'],
    'EFSkipIPs': [],
    'RequireTls': False,
    'RestrictDomainsToIPAddresses': False,
    'TlsSenderCertificateName': None,
    'Name': 'myorgemail',
    'Identity': 'myorgemail',
    'WhenChangedUTC': '2026-07-23T22:55:49Z',
    'Guid': 'acc2eccd-550f-4efa-9905-46054a5f516a',
    'Priority': 0,
    'IsValid': True,
}


# ---------------------------------------------------------------------------------------------------------------
# Scripted fakes of pypsrp's WSMan, RunspacePool and PowerShell.
# ---------------------------------------------------------------------------------------------------------------

class Streams:
    def __init__(self):
        self.error = []
        self.warning = []


class FakePowerShell:
    """Records what the transport asks for; answers from the host's script for the last command."""

    def __init__(self, host, pool):
        self.host = host
        self.pool = pool
        self.commands = []
        self.streams = Streams()
        self.had_errors = False
        self.closed = False
        host.pipelines.append(self)

    def add_cmdlet(self, name):
        self.commands.append({'name': name, 'parameters': {}, 'is_script': False, 'end_of_statement': False})
        return self

    def add_script(self, script):
        self.commands.append({'name': script, 'parameters': {}, 'is_script': True, 'end_of_statement': False})
        return self

    def add_parameters(self, parameters):
        self.commands[-1]['parameters'].update(parameters)
        return self

    def add_parameter(self, name, value=None):
        self.commands[-1]['parameters'][name] = value
        return self

    def add_statement(self):
        self.commands[-1]['end_of_statement'] = True
        return self

    def invoke(self):
        answer = self.host.answers.get(self.commands[-1]['name'], {})
        if answer.get('raises') is not None:
            raise answer['raises']
        self.streams.error.extend(answer.get('errors', []))
        self.streams.warning.extend(answer.get('warnings', []))
        self.had_errors = answer.get('had_errors', False)
        return list(answer.get('output', []))

    def close(self):
        self.closed = True


class FakePool:
    def __init__(self, host, wsman, configuration_name):
        self.host = host
        self.wsman = wsman
        self.configuration_name = configuration_name
        self.opened = False
        self.closed = False

    def open(self):
        if self.host.open_raises is not None:
            raise self.host.open_raises
        self.opened = True

    def close(self):
        self.closed = True
        if self.host.close_raises is not None:
            raise self.host.close_raises


class FakeWSMan:
    def __init__(self, server, options):
        self.server = server
        self.options = options
        self.closed = False

    def close(self):
        self.closed = True


class FakeHost:
    """A PowerShell host: what each cmdlet answers, and every WSMan/pool/pipeline the transport created."""

    def __init__(self):
        self.answers = {}
        self.open_raises = None
        self.close_raises = None
        self.wsmans = []
        self.pools = []
        self.pipelines = []

    def answer(self, cmdlet, **answer):
        self.answers[cmdlet] = answer

    def wsman_factory(self, server, **options):
        self.wsmans.append(FakeWSMan(server, options))
        return self.wsmans[-1]

    def pool_factory(self, wsman, configuration_name=None):
        self.pools.append(FakePool(self, wsman, configuration_name))
        return self.pools[-1]

    def powershell_factory(self, pool):
        return FakePowerShell(self, pool)

    def transport(self, **overrides):
        options = dict(CONNECTION, wsman_factory=self.wsman_factory, pool_factory=self.pool_factory,
                       powershell_factory=self.powershell_factory)
        options.update(overrides)
        return PsrpTransport(**options)

    @property
    def connect_pipelines(self):
        return [p for p in self.pipelines if p.commands[-1]['name'] == 'Connect-ExchangeOnline']

    def pipelines_of(self, cmdlet):
        return [p for p in self.pipelines if p.commands[-1]['name'] == cmdlet]


@pytest.fixture
def host():
    return FakeHost()


# ---------------------------------------------------------------------------------------------------------------
# Session: one pool, one Connect-ExchangeOnline per pool.
# ---------------------------------------------------------------------------------------------------------------

def test_first_invoke_opens_a_pool_and_connects_app_only_with_typed_parameters(host):
    transport = host.transport(environment='O365USGovGCCHigh')

    transport.invoke('Get-OrganizationConfig', {})

    assert [pool.opened for pool in host.pools] == [True]
    connect = host.pipelines[0]
    assert connect.commands == [
        {'name': 'Import-Module', 'parameters': {'Name': 'ExchangeOnlineManagement'}, 'is_script': False,
         'end_of_statement': True},
        {'name': 'Connect-ExchangeOnline', 'is_script': False, 'end_of_statement': False, 'parameters': {
            'AppId': '22222222-2222-2222-2222-222222222222',
            'CertificateThumbprint': '0123456789ABCDEF0123456789ABCDEF01234567',
            'Organization': TENANT,
            'ExchangeEnvironmentName': 'O365USGovGCCHigh',
            'ShowBanner': False,
        }},
    ]
    assert connect.commands[1]['parameters']['ShowBanner'] is False


def test_connect_runs_once_per_pool_and_again_for_a_new_pool(host):
    transport = host.transport()

    transport.invoke('Get-InboundConnector', {})
    transport.invoke('Get-TransportRule', {})
    transport.invoke('Get-OrganizationConfig', {})
    assert len(host.pools) == 1 and len(host.connect_pipelines) == 1

    transport.close()
    transport.invoke('Get-InboundConnector', {})
    assert len(host.pools) == 2 and len(host.connect_pipelines) == 2
    assert host.connect_pipelines[1].pool is host.pools[1]


def test_each_cmdlet_runs_in_a_new_pipeline_on_the_same_pool_as_a_command_with_values_unchanged(host):
    transport = host.transport()
    parameters = {'Identity': 'From SEG', 'Enabled': True, 'Priority': 0, 'SenderDomains': ['smtp:*;1'],
                  'TlsSenderCertificateName': None, 'Comment': 'managed by exoguard'}

    transport.invoke('Set-InboundConnector', parameters)
    transport.invoke('Set-InboundConnector', {'Identity': 'From SEG', 'RequireTls': False})

    first, second = host.pipelines_of('Set-InboundConnector')
    assert first is not second and first.pool is second.pool is host.pools[0]
    assert first.commands == [{'name': 'Set-InboundConnector', 'parameters': parameters, 'is_script': False,
                               'end_of_statement': False}]
    assert first.commands[0]['parameters']['Enabled'] is True
    assert second.commands[0]['parameters'] == {'Identity': 'From SEG', 'RequireTls': False}
    assert first.closed and second.closed
    assert not any(command['is_script'] for pipeline in host.pipelines for command in pipeline.commands)


def test_values_with_powershell_syntax_are_passed_as_parameter_values(host):
    transport = host.transport()

    transport.invoke('Set-TransportRule', {'Identity': INJECTION, 'Comments': SUBEXPRESSION})

    (pipeline,) = host.pipelines_of('Set-TransportRule')
    assert pipeline.commands == [{'name': 'Set-TransportRule', 'is_script': False, 'end_of_statement': False,
                                  'parameters': {'Identity': INJECTION, 'Comments': SUBEXPRESSION}}]


def test_wsman_gets_the_connection_settings_and_the_pool_the_endpoint(host):
    transport = host.transport(port=5986, auth='kerberos', cert_validation='/etc/ssl/winrm-ca.pem',
                               connection_timeout=7, operation_timeout=25, configuration_name='PowerShell.7')

    transport.invoke('Get-AcceptedDomain', {})

    (wsman,) = host.wsmans
    assert wsman.server == SERVER
    assert wsman.options['port'] == 5986 and wsman.options['ssl'] is True
    assert wsman.options['auth'] == 'kerberos'
    assert wsman.options['cert_validation'] == '/etc/ssl/winrm-ca.pem'
    assert wsman.options['username'] == 'CONTOSO\\svc-exo' and wsman.options['password'] == PASSWORD
    assert wsman.options['connection_timeout'] == 7 and wsman.options['operation_timeout'] == 25
    assert wsman.options['read_timeout'] > wsman.options['operation_timeout']
    assert host.pools[0].configuration_name == 'PowerShell.7'


def test_certificate_auth_passes_the_winrm_client_certificate(host):
    transport = host.transport(auth='certificate', username=None, password=None,
                               winrm_certificate_pem='/c/cert.pem', winrm_certificate_key_pem='/c/key.pem')

    transport.invoke('Get-AcceptedDomain', {})

    assert host.wsmans[0].options['certificate_pem'] == '/c/cert.pem'
    assert host.wsmans[0].options['certificate_key_pem'] == '/c/key.pem'


def test_close_releases_pool_and_connection_and_ignores_errors_while_closing(host):
    transport = host.transport()
    transport.invoke('Get-AcceptedDomain', {})
    host.close_raises = requests.exceptions.ConnectionError('host went away')

    transport.close()
    transport.close()

    assert host.pools[0].closed and host.wsmans[0].closed


def test_with_block_closes_the_transport(host):
    with host.transport() as transport:
        transport.invoke('Get-AcceptedDomain', {})
    assert host.pools[0].closed


# ---------------------------------------------------------------------------------------------------------------
# Parameters on the wire, with pypsrp's real PowerShell and serializer.
# ---------------------------------------------------------------------------------------------------------------

class ProtocolPool:
    """Just what pypsrp's PowerShell reads from its pool while commands are added."""
    protocol_version = '2.3'

    def open(self):
        pass

    def close(self):
        pass


class WireCapturingPowerShell(PowerShell):
    """pypsrp's PowerShell; invoke() serialises the pipeline as begin_invoke would send it, instead of sending."""
    sent = []

    def invoke(self, *args, **kwargs):
        pipeline = Pipeline(is_nested=False, cmds=self.commands, history=None, redirect_err_to_out=False)
        WireCapturingPowerShell.sent.append(ET.tostring(Serializer().serialize(pipeline)).decode('utf-8'))
        return []


@pytest.fixture
def wire():
    WireCapturingPowerShell.sent = []
    transport = PsrpTransport(wsman_factory=lambda server, **options: object(),
                              pool_factory=lambda wsman, configuration_name: ProtocolPool(),
                              powershell_factory=WireCapturingPowerShell, **CONNECTION)

    def send(cmdlet, parameters):
        transport.invoke(cmdlet, parameters)
        return ET.fromstring(WireCapturingPowerShell.sent[-1])
    return send


def wire_commands(pipeline_xml):
    """[(Cmd, IsScript, {parameter name: value element})] of a serialised Pipeline."""
    commands = []
    for command in pipeline_xml.findall("./MS/Obj[@N='Cmds']/LST/Obj"):
        arguments = {}
        for argument in command.findall("./MS/Obj[@N='Args']/LST/Obj"):
            arguments[argument.find("./MS/S[@N='N']").text] = argument.find("./MS/*[@N='V']")
        commands.append((command.find("./MS/S[@N='Cmd']").text, command.find("./MS/B[@N='IsScript']").text,
                         arguments))
    return commands


def test_powershell_syntax_in_a_value_goes_on_the_wire_as_a_string_element_of_a_command(wire):
    sent = wire('Set-TransportRule', {'Identity': INJECTION, 'Comments': SUBEXPRESSION})

    ((cmd, is_script, arguments),) = wire_commands(sent)
    assert (cmd, is_script) == ('Set-TransportRule', 'false')
    assert (arguments['Identity'].tag, arguments['Identity'].text) == ('S', INJECTION)
    assert (arguments['Comments'].tag, arguments['Comments'].text) == ('S', SUBEXPRESSION)
    assert INJECTION not in ''.join(element.text or '' for element in sent.iter('S') if element.get('N') == 'Cmd')


def test_connect_goes_on_the_wire_as_two_command_statements_with_typed_values(wire):
    wire('Get-AcceptedDomain', {})

    connect = ET.fromstring(WireCapturingPowerShell.sent[0])
    # More than one statement: pypsrp sends them as ExtraCmds, one Cmds list per statement.
    statements = [[(c.find("./MS/S[@N='Cmd']").text, c.find("./MS/B[@N='IsScript']").text) for c in s.findall(
        "./MS/Obj[@N='Cmds']/LST/Obj")] for s in connect.findall("./MS/Obj[@N='ExtraCmds']/LST/Obj")]
    assert statements == [[('Import-Module', 'false')], [('Connect-ExchangeOnline', 'false')]]
    connect_arguments = connect.findall("./MS/Obj[@N='ExtraCmds']/LST/Obj")[1].findall(
        "./MS/Obj[@N='Cmds']/LST/Obj/MS/Obj[@N='Args']/LST/Obj")
    typed = dict((a.find("./MS/S[@N='N']").text, (a.find("./MS/*[@N='V']").tag, a.find("./MS/*[@N='V']").text))
                 for a in connect_arguments)
    assert typed == {
        'AppId': ('S', '22222222-2222-2222-2222-222222222222'),
        'CertificateThumbprint': ('S', '0123456789ABCDEF0123456789ABCDEF01234567'),
        'Organization': ('S', TENANT),
        'ExchangeEnvironmentName': ('S', 'O365Default'),
        'ShowBanner': ('B', 'false'),
    }


def test_rest_add_remove_form_becomes_a_hashtable_of_arrays(wire):
    members = {'@odata.type': '#Exchange.GenericHashTable', 'Add': ['192.0.2.10', '192.0.2.11'], 'Remove': ['198.51.100.7']}

    assert cmdlet_parameters({'SenderIPAddresses': members}) == {
        'SenderIPAddresses': {'Add': ['192.0.2.10', '192.0.2.11'], 'Remove': ['198.51.100.7']}}
    sent = wire('Set-InboundConnector', {'Identity': 'From SEG', 'SenderIPAddresses': members})

    ((_cmd, _is_script, arguments),) = wire_commands(sent)
    hashtable = arguments['SenderIPAddresses']
    assert [t.text for t in hashtable.findall('./TN/T')] == ['System.Collections.Hashtable', 'System.Object']
    entries = dict((entry.find("./S[@N='Key']").text, [s.text for s in entry.findall("./Obj[@N='Value']/LST/S")])
                   for entry in hashtable.findall('./DCT/En'))
    assert entries == {'Add': ['192.0.2.10', '192.0.2.11'], 'Remove': ['198.51.100.7']}
    assert '@odata.type' not in ET.tostring(hashtable).decode('utf-8')


def test_scalars_lists_and_null_keep_their_types_on_the_wire(wire):
    sent = wire('Set-HostedContentFilterPolicy', {
        'Identity': 'Default', 'MarkAsSpamBulkMail': True, 'BulkThreshold': 6, 'QuarantineRetentionPeriod': 2 ** 40,
        'ScoreWeight': 1.25, 'AllowedSenderDomains': ['contoso.com', 'fabrikam.com'], 'SpamNotificationText': None,
    })

    ((_cmd, _is_script, arguments),) = wire_commands(sent)
    assert (arguments['MarkAsSpamBulkMail'].tag, arguments['MarkAsSpamBulkMail'].text) == ('B', 'true')
    assert (arguments['BulkThreshold'].tag, arguments['BulkThreshold'].text) == ('I32', '6')
    assert (arguments['QuarantineRetentionPeriod'].tag, arguments['QuarantineRetentionPeriod'].text) == ('I64', str(2 ** 40))
    assert (arguments['ScoreWeight'].tag, arguments['ScoreWeight'].text) == ('Db', '1.25')
    assert [s.text for s in arguments['AllowedSenderDomains'].findall('./LST/S')] == ['contoso.com', 'fabrikam.com']
    assert arguments['SpamNotificationText'].tag == 'Nil'


# ---------------------------------------------------------------------------------------------------------------
# Output: pypsrp's deserialised objects -> REST-shaped records.
# ---------------------------------------------------------------------------------------------------------------

def test_a_remoted_exchange_object_reads_as_the_rest_record(host):
    connector = Serializer().deserialize(INBOUND_CONNECTOR_CLIXML)
    host.answer('Get-InboundConnector', output=[connector])

    result = host.transport().invoke('Get-InboundConnector', {'Identity': 'myorgemail'})

    assert result.records == [INBOUND_CONNECTOR_RECORD]
    record = result.records[0]
    assert record['Enabled'] is False and record['IsValid'] is True and record['Priority'] == 0
    assert 'PSComputerName' not in record and 'RunspaceId' not in record
    assert result.warnings == []


def test_hashtables_arrays_and_plain_outputs_convert_to_plain_python():
    hashtable_object = Serializer().deserialize(
        '<Obj RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN>'
        '<MS><Obj N="Settings" RefId="1"><TN RefId="1"><T>System.Collections.Hashtable</T><T>System.Object</T></TN>'
        '<DCT><En><S N="Key">Mode</S><S N="Value">Enforce</S></En><En><S N="Key">Ports</S><Obj N="Value" RefId="2">'
        '<TN RefId="2"><T>System.Object[]</T><T>System.Array</T><T>System.Object</T></TN><LST><I32>25</I32>'
        '<I32>587</I32></LST></Obj></En></DCT></Obj>'
        '<Obj N="Conditions" RefId="3"><TNRef RefId="2" /><LST><S>SenderIpRanges</S></LST></Obj>'
        '<Nil N="Exceptions" /><BA N="Thumb">AAEC</BA></MS></Obj>')

    assert to_record(hashtable_object) == {'Settings': {'Mode': 'Enforce', 'Ports': [25, 587]},
                                           'Conditions': ['SenderIpRanges'], 'Exceptions': None, 'Thumb': 'AAEC'}
    assert to_record('plain text') == 'plain text'
    assert to_record(Serializer().deserialize('<B>true</B>')) is True


# ---------------------------------------------------------------------------------------------------------------
# Errors and warnings from the host.
# ---------------------------------------------------------------------------------------------------------------

NOT_FOUND_FQID = ('[Server=AM6PR01MB1234,RequestId=9b1d2c3e-0000-4000-8000-000000000001,TimeStamp=7/23/2026 10:00:00 PM] '
                  '[FailureCategory=Cmdlet-ManagementObjectNotFoundException] 8DC47CB2,'
                  'Microsoft.Exchange.Management.SystemConfigurationTasks.GetInboundConnector')

ERROR_CASES = [
    pytest.param(
        'Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn\'t be '
        'performed because object \'From SEG\' couldn\'t be found on \'AM6PR01MB1234.EURPRD01.PROD.OUTLOOK.COM\'.',
        'ManagementObjectNotFoundException', NOT_FOUND_FQID, 'System.Exception', 0,
        NotFound, 'ManagementObjectNotFoundException', "The operation couldn't be performed because object 'From SEG'",
        id='not-found'),
    pytest.param(
        'A parameter cannot be found that matches parameter name \'RejectDirectSendd\'.',
        'ParameterBindingException', 'NamedParameterNotFound,Set-OrganizationConfig',
        'System.Management.Automation.ParameterBindingException', 5,
        InvalidParameter, 'ParameterBindingException', "matches parameter name 'RejectDirectSendd'", id='unknown-parameter'),
    pytest.param(
        'Ex2B2F18|Microsoft.Exchange.Configuration.Tasks.ParameterTransformationException|Cannot process argument '
        'transformation on parameter \'ConnectorType\'. Cannot convert value "Partnr" to type '
        '"Microsoft.Exchange.Data.TenantConnectorType".',
        'ParameterBindingArgumentTransformationException', 'ParameterArgumentTransformationError,Set-InboundConnector',
        'System.Management.Automation.ParameterBindingArgumentTransformationException', 5,
        InvalidParameter, 'ParameterTransformationException', 'Cannot convert value "Partnr"', id='bad-enum'),
    pytest.param(
        'Parameter set cannot be resolved using the specified named parameters.', 'ParameterBindingException',
        'AmbiguousParameterSet,New-TransportRule', 'System.Management.Automation.ParameterBindingException', 5,
        InvalidParameter, 'ParameterBindingException', 'Parameter set cannot be resolved', id='ambiguous-set'),
    pytest.param(
        'Ex5E8EA4|Microsoft.Exchange.Configuration.Authorization.CmdletAccessDeniedException|The user isn\'t assigned to '
        'any management roles.', 'CmdletAccessDeniedException',
        '[Server=X] [FailureCategory=Cmdlet-CmdletAccessDeniedException] 1,Microsoft.Exchange.X', 'System.Exception', 0,
        AccessDenied, 'CmdletAccessDeniedException', "The user isn't assigned to any management roles.", id='role-denied'),
    pytest.param(
        '||User is not allowed to call Set-OrganizationConfig', 'Exception', 'UnAuthorized,Set-OrganizationConfig',
        'System.Exception', 0, AccessDenied, 'Exception', 'User is not allowed to call Set-OrganizationConfig',
        id='not-allowed-to-call'),
    pytest.param(
        'The term \'Set-OrganizationConfig\' is not recognized as a name of a cmdlet, function, script file, or '
        'executable program.', 'CommandNotFoundException', 'CommandNotFoundException',
        'System.Management.Automation.CommandNotFoundException', 13,
        AccessDenied, 'CommandNotFoundException', "role allows", id='cmdlet-not-exported-for-role'),
    pytest.param(
        'Ex9A3C2B|Microsoft.Exchange.Data.Directory.ADTransientException|Active Directory operation failed on '
        'DC01. This error is not retriable.', 'ADTransientException',
        '[Server=X] [FailureCategory=Cmdlet-ADTransientException] 1,Microsoft.Exchange.X', 'System.Exception', 0,
        Transient, 'ADTransientException', 'Active Directory operation failed', id='ad-transient'),
    pytest.param(
        'Response status code does not indicate success: 429 (Too Many Requests).', 'HttpRequestException',
        'System.Net.Http.HttpRequestException,Get-InboundConnector', 'System.Net.Http.HttpRequestException', 0,
        Throttled, 'HttpRequestException', '429', id='throttled'),
    pytest.param(
        'No such host is known. (outlook.office365.com:443)', 'HttpRequestException',
        'System.Net.Http.HttpRequestException,Get-InboundConnector', 'System.Net.Http.HttpRequestException', 0,
        Transient, 'HttpRequestException', 'No such host is known', id='host-network'),
]


@pytest.mark.parametrize(
    'message, reason, fq_error, exception_type, category, expected, expected_type, expected_text', ERROR_CASES)
def test_first_error_record_becomes_the_typed_error_with_tenant_and_cmdlet(
        host, message, reason, fq_error, exception_type, category, expected, expected_type, expected_text):
    host.answer('Set-InboundConnector', errors=[
        error_record(message, reason, fq_error, exception_type, category, cmdlet='Set-InboundConnector'),
        error_record('a second error', 'Exception', 'Second,X'),
    ])

    with pytest.raises(ExoError) as caught:
        host.transport().invoke('Set-InboundConnector', {'Identity': 'From SEG'})

    error = caught.value
    assert type(error) is expected  # pylint: disable=unidiomatic-typecheck
    assert error.tenant == TENANT and error.cmdlet == 'Set-InboundConnector'
    assert error.exception_type == expected_type
    assert expected_text in error.message
    assert not error.message.startswith(('Ex', '|'))
    assert 'Set-InboundConnector on %s' % TENANT in str(error)


def test_only_a_missing_exchange_object_is_not_found(host):
    # "The term ... is not recognized" has the ObjectNotFound category, but says nothing about the object.
    host.answer('Get-InboundConnector', errors=[error_record(
        "The term 'Get-InboundConnector' is not recognized", 'CommandNotFoundException', 'CommandNotFoundException',
        'System.Management.Automation.CommandNotFoundException', category=13)])

    with pytest.raises(ExoError) as caught:
        host.transport().invoke('Get-InboundConnector', {'Identity': 'From SEG'})
    assert not isinstance(caught.value, NotFound)


def test_a_failed_pipeline_without_an_error_record_still_fails(host):
    host.answer('Set-OrganizationConfig', had_errors=True)

    with pytest.raises(ExoError) as caught:
        host.transport().invoke('Set-OrganizationConfig', {'RejectDirectSend': True})
    assert caught.value.cmdlet == 'Set-OrganizationConfig' and caught.value.tenant == TENANT


def test_warnings_are_returned_with_the_records(host):
    host.answer('Set-OrganizationConfig', output=[], warnings=[
        warning_record("The command completed successfully but no settings of 'contoso' have been modified."),
        warning_record('Direct Send is now rejected.'),
    ])

    result = host.transport().invoke('Set-OrganizationConfig', {'RejectDirectSend': True})

    assert result.records == []
    assert result.warnings == ["The command completed successfully but no settings of 'contoso' have been modified.",
                               'Direct Send is now rejected.']


# ---------------------------------------------------------------------------------------------------------------
# Connect-ExchangeOnline failures.
# ---------------------------------------------------------------------------------------------------------------

def test_connect_refused_by_entra_is_auth_failed_naming_host_and_tenant_and_is_retried_on_a_new_pool(host):
    host.answer('Connect-ExchangeOnline', errors=[error_record(
        "AADSTS700016: Application with identifier '22222222-2222-2222-2222-222222222222' was not found in the "
        "directory 'contoso.onmicrosoft.com'.", 'MsalServiceException', 'Microsoft.Identity.Client.MsalServiceException',
        'Microsoft.Identity.Client.MsalServiceException', cmdlet='Connect-ExchangeOnline')])
    transport = host.transport()

    with pytest.raises(AuthFailed) as caught:
        transport.invoke('Get-InboundConnector', {})

    text = str(caught.value)
    assert 'AADSTS700016' in text and SERVER in text and TENANT in text and 'Connect-ExchangeOnline' in text
    assert caught.value.cmdlet == 'Get-InboundConnector'
    assert not host.pipelines_of('Get-InboundConnector')
    assert host.pools[0].closed

    host.answer('Connect-ExchangeOnline')
    transport.invoke('Get-InboundConnector', {})
    assert len(host.pools) == 2 and len(host.connect_pipelines) == 2


def test_certificate_missing_from_the_host_store_is_auth_failed(host):
    host.answer('Connect-ExchangeOnline', errors=[error_record(
        'No certificate found for the given CertificateThumbprint', 'ArgumentException',
        'No certificate found for the given CertificateThumbprint,Connect-ExchangeOnline', 'System.ArgumentException',
        cmdlet='Connect-ExchangeOnline')])

    with pytest.raises(AuthFailed, match='No certificate found'):
        host.transport().invoke('Get-InboundConnector', {})


def test_missing_exchange_module_on_the_host_is_a_configuration_error(host):
    host.answer('Connect-ExchangeOnline', errors=[error_record(
        "The specified module 'ExchangeOnlineManagement' was not loaded because no valid module file was found in any "
        "module directory.", 'FileNotFoundException', 'Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand',
        'System.IO.FileNotFoundException', category=12, cmdlet='Import-Module')])

    with pytest.raises(ConfigurationError) as caught:
        host.transport(configuration_name='PowerShell.7').invoke('Get-InboundConnector', {})
    assert 'ExchangeOnlineManagement' in str(caught.value) and 'PowerShell.7' in str(caught.value)


# ---------------------------------------------------------------------------------------------------------------
# WinRM / WSMan / HTTP failures.
# ---------------------------------------------------------------------------------------------------------------

TRANSPORT_CASES = [
    pytest.param(AuthenticationError('Failed to authenticate the user CONTOSO\\svc-exo with negotiate'), AuthFailed,
                 id='winrm-auth'),
    pytest.param(WinRMTransportError('http', 401, ''), AuthFailed, id='http-401'),
    pytest.param(WinRMTransportError('http', 500, 'Internal Server Error'), Transient, id='http-500'),
    pytest.param(WSManFaultError(2150858793, SERVER, 'The WS-Management service cannot complete the operation within '
                                 'the time specified in OperationTimeout.', None, None, None), Transient, id='wsman-timeout'),
    pytest.param(WSManFaultError(2150858843, SERVER, 'The WS-Management service cannot process the request. Cannot find '
                                 'the PowerShell.7 session configuration in the WSMan: drive on the %s computer.' % SERVER,
                                 None, None, None), ConfigurationError, id='no-such-endpoint'),
    pytest.param(WSManFaultError(5, SERVER, 'Access is denied.', None, None, None), AuthFailed, id='wsman-access-denied'),
    pytest.param(requests.exceptions.ConnectionError('Max retries exceeded: connection refused'), Transient,
                 id='connection-refused'),
    pytest.param(requests.exceptions.ReadTimeout('Read timed out. (read timeout=35)'), Transient, id='read-timeout'),
    pytest.param(requests.exceptions.SSLError('certificate verify failed: self signed certificate'), ConfigurationError,
                 id='tls'),
]


@pytest.mark.parametrize('exception, expected', TRANSPORT_CASES)
def test_failure_opening_the_pool_is_typed_and_names_host_tenant_and_cmdlet(host, exception, expected):
    host.open_raises = exception

    with pytest.raises(ExoError) as caught:
        host.transport().invoke('Get-InboundConnector', {})

    assert type(caught.value) is expected  # pylint: disable=unidiomatic-typecheck
    text = str(caught.value)
    assert SERVER in text and TENANT in text and 'Get-InboundConnector' in text


@pytest.mark.parametrize('exception, expected', TRANSPORT_CASES)
def test_failure_while_a_cmdlet_runs_is_typed_and_the_next_call_starts_a_new_session(host, exception, expected):
    transport = host.transport()
    transport.invoke('Get-AcceptedDomain', {})
    host.answer('Get-InboundConnector', raises=exception)

    with pytest.raises(expected):
        transport.invoke('Get-InboundConnector', {})

    assert host.pools[0].closed
    host.answer('Get-InboundConnector', output=[])
    transport.invoke('Get-InboundConnector', {})
    assert len(host.pools) == 2 and len(host.connect_pipelines) == 2


def test_a_bug_is_not_disguised_as_a_transport_failure(host):
    host.answer('Get-InboundConnector', raises=TypeError('unexpected keyword'))

    with pytest.raises(TypeError):
        host.transport().invoke('Get-InboundConnector', {})


def test_settings_pypsrp_refuses_are_a_configuration_error():
    def wsman_refusing(server, **options):
        raise ValueError("Cannot use message encryption with auth 'basic', either set encryption='never', use "
                         "ssl=True or use one of the following auth providers: credssp, kerberos, negotiate, ntlm")

    transport = PsrpTransport(auth='basic', ssl=False, port=5985, wsman_factory=wsman_refusing, **CONNECTION)
    with pytest.raises(ConfigurationError, match='encryption'):
        transport.invoke('Get-AcceptedDomain', {})


# ---------------------------------------------------------------------------------------------------------------
# The password stays out of every message.
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('where', ['open', 'connect', 'cmdlet', 'wsman'])
def test_the_password_never_appears_in_an_error(host, where):
    leak = 'Logon failure for CONTOSO\\svc-exo with password %s' % PASSWORD
    wsman_factory = host.wsman_factory
    if where == 'open':
        host.open_raises = AuthenticationError(leak)
    elif where == 'connect':
        host.answer('Connect-ExchangeOnline', errors=[error_record(leak, 'Exception', 'X,Connect-ExchangeOnline')])
    elif where == 'cmdlet':
        host.answer('Get-InboundConnector', errors=[error_record(leak, 'ValidationException', 'X,Get-InboundConnector')])
    else:
        def wsman_factory(server, **options):
            raise ValueError(leak)
    transport = host.transport(wsman_factory=wsman_factory)

    with pytest.raises(ExoError) as caught:
        transport.invoke('Get-InboundConnector', {})

    assert PASSWORD not in str(caught.value) and PASSWORD not in caught.value.message
    assert PASSWORD not in repr(caught.value) and PASSWORD not in repr(transport)
    assert 'Logon failure' in str(caught.value)


# ---------------------------------------------------------------------------------------------------------------
# Construction.
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('cloud, environment', [
    ('commercial', 'O365Default'), ('gcc', 'O365Default'), ('gcchigh', 'O365USGovGCCHigh'), ('dod', 'O365USGovDoD'),
    (None, 'O365Default'),
])
def test_cloud_option_maps_to_exchange_environment_name(cloud, environment):
    assert exchange_environment_name(cloud) == environment


def test_unknown_cloud_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match='gcchigh'):
        exchange_environment_name('china')


@pytest.mark.parametrize('override, named', [
    ({'server': ''}, 'server'), ({'app_id': None}, 'app_id'), ({'certificate_thumbprint': None}, 'certificate_thumbprint'),
    ({'organization': None}, 'organization'), ({'auth': 'digest'}, 'digest'), ({'environment': 'O365Moon'}, 'O365Moon'),
])
def test_unusable_settings_are_refused_when_constructed(override, named):
    options = dict(CONNECTION)
    options.update(override)
    with pytest.raises(ConfigurationError, match=named):
        PsrpTransport(**options)


def test_without_pypsrp_the_module_imports_and_construction_says_to_install_it(monkeypatch):
    for name in list(sys.modules):
        if name == 'pypsrp' or name.startswith('pypsrp.'):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, 'pypsrp', None)
    spec = importlib.util.spec_from_file_location('_psrp_without_pypsrp', _psrp.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    assert module.HAS_PYPSRP is False and 'pypsrp' in module.PYPSRP_IMPORT_ERROR
    with pytest.raises(ConfigurationError, match='pip install pypsrp'):
        module.PsrpTransport(**CONNECTION)


# ---------------------------------------------------------------------------------------------------------------
# A full PSRP round trip: pypsrp's RunspacePool and PowerShell against psrpcore's server, WSMan replaced by a
# shell that hands each PSRP fragment straight to the server.
# ---------------------------------------------------------------------------------------------------------------

class LoopbackConnection:
    """The parts of pypsrp's WSMan a RunspacePool reads when no WinRM request is made."""
    max_envelope_size = 512000
    max_payload_size = 380000

    def update_max_payload_size(self, size):
        pass

    def close(self):
        pass


class LoopbackShell:
    """Stands in for pypsrp's WinRS: PSRP fragments go to a psrpcore ServerRunspacePool, its answers come back."""

    def __init__(self, serve):
        self.server = psrpcore.ServerRunspacePool()
        self.serve = serve
        self.id = str(uuid.uuid4()).upper()
        self.resource_uri = 'http://schemas.microsoft.com/powershell/PowerShell.7'
        self._selector_set = None
        self.pipelines = []
        self.closed = False

    def open(self, options, creation_xml):
        self._deliver(base64.b64decode(creation_xml.text), None)

    def command(self, executable, arguments=None, command_id=None, no_shell=False):
        pipeline_id = uuid.UUID(command_id)
        psrpcore.ServerPipeline(self.server, pipeline_id)
        self._deliver(base64.b64decode(arguments[0]), pipeline_id)
        body = ET.Element('{%s}Body' % NAMESPACES['s'])
        response = ET.SubElement(body, '{%s}CommandResponse' % NAMESPACES['rsp'])
        ET.SubElement(response, '{%s}CommandId' % NAMESPACES['rsp']).text = command_id
        return body

    def send(self, stream, data, command_id=None):
        self._deliver(data, uuid.UUID(command_id) if command_id else None)

    def receive(self, stream='stdout', command_id=None, timeout=None):
        data = b''
        while True:
            payload = self.server.data_to_send()
            if payload is None:
                break
            data += payload.data
        return 'Done', None, {'stdout': data}

    def signal(self, code, command_id=None):
        pass

    def close(self):
        self.closed = True

    def _deliver(self, data, pipeline_id):
        self.server.receive_data(psrpcore.PSRPPayload(data, psrpcore.StreamType.default, pipeline_id))
        while True:
            event = self.server.next_event()
            if event is None:
                break
            if isinstance(event, psrpcore.CreatePipelineEvent):
                self.pipelines.append(event.pipeline)
                self.serve(self.server.pipeline_table[event.pipeline_id], event.pipeline)


if HAS_PSRPCORE:
    @PSType(['Deserialized.Microsoft.Exchange.Data.MultiValuedProperty`1[[System.String]]',
             'Deserialized.Microsoft.Exchange.Data.MultiValuedPropertyBase'], tag='LST')
    class MultiValuedProperty(PSListBase):
        """Exchange's MultiValuedProperty, which pypsrp has no class for."""

    @PSType(['Deserialized.Microsoft.Exchange.Data.TenantConnectorType'])
    class TenantConnectorType(PSEnumBase):
        Default = 0
        OnPremises = 1
        Partner = 2


def exchange_host(pipeline, metadata):
    """What ExchangeOnlineManagement would answer, keyed on the last command of the pipeline."""
    name = metadata.commands[-1].command_text
    parameters = dict(metadata.commands[-1].parameters)
    pipeline.start()
    if name == 'Get-InboundConnector' and parameters.get('Identity') == 'From SEG':
        pipeline.write_output(PSCustomObject(
            Name='From SEG', Identity='From SEG', Enabled=True, ConnectorType=TenantConnectorType.Partner,
            SenderIPAddresses=MultiValuedProperty(['192.0.2.10']), EFSkipIPs=MultiValuedProperty([]),
            TlsSenderCertificateName=None, Priority=0))
    elif name == 'Get-InboundConnector':
        pipeline.write_error(
            NETException('Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The '
                         "operation couldn't be performed because object '%s' couldn't be found." % parameters['Identity']),
            ErrorCategoryInfo(Category=ErrorCategory.NotSpecified, Activity=name, Reason='ManagementObjectNotFoundException'),
            fully_qualified_error_id='[Server=AM6PR01] [FailureCategory=Cmdlet-ManagementObjectNotFoundException] 1,X')
    elif name == 'Set-InboundConnector':
        pipeline.write_warning("The command completed successfully but no settings of 'From SEG' have been modified.")
    elif name == 'Remove-InboundConnector':
        pipeline.stop()  # a terminating end: PipelineState carries the ErrorRecord
        return
    pipeline.complete()


@pytest.fixture
def loopback():
    shells = []

    def pool_factory(wsman, configuration_name):
        pool = RunspacePool(wsman, configuration_name=configuration_name)
        pool.shell = LoopbackShell(exchange_host)
        shells.append(pool.shell)
        return pool

    transport = PsrpTransport(wsman_factory=lambda server, **options: LoopbackConnection(), pool_factory=pool_factory,
                              configuration_name='PowerShell.7', **CONNECTION)
    return transport, shells


@pytest.mark.skipif(not HAS_PSRPCORE, reason='psrpcore is not installed')
def test_psrp_server_sees_commands_with_typed_parameters_never_script(loopback):
    transport, shells = loopback

    transport.invoke('Set-InboundConnector', {
        'Identity': INJECTION, 'Comment': SUBEXPRESSION, 'RequireTls': True, 'TlsSenderCertificateName': None,
        'SenderIPAddresses': {'@odata.type': '#Exchange.GenericHashTable', 'Add': ['192.0.2.10'], 'Remove': []},
    })

    (shell,) = shells
    connect, set_connector = shell.pipelines
    assert [(c.command_text, c.is_script) for c in connect.commands] == [
        ('Import-Module', False), ('Connect-ExchangeOnline', False)]
    connect_parameters = dict(connect.commands[1].parameters)
    assert connect_parameters == {'AppId': CONNECTION['app_id'], 'CertificateThumbprint': CONNECTION['certificate_thumbprint'],
                                  'Organization': TENANT, 'ExchangeEnvironmentName': 'O365Default', 'ShowBanner': False}
    assert connect_parameters['ShowBanner'] is False
    ((command),) = set_connector.commands
    assert (command.command_text, command.is_script) == ('Set-InboundConnector', False)
    parameters = dict(command.parameters)
    assert parameters['Identity'] == INJECTION and isinstance(parameters['Identity'], str)
    assert parameters['Comment'] == SUBEXPRESSION
    assert parameters['RequireTls'] is True and parameters['TlsSenderCertificateName'] is None
    assert dict(parameters['SenderIPAddresses']) == {'Add': ['192.0.2.10'], 'Remove': []}
    assert 'System.Collections.Hashtable' in parameters['SenderIPAddresses'].PSTypeNames


@pytest.mark.skipif(not HAS_PSRPCORE, reason='psrpcore is not installed')
def test_psrp_round_trip_gives_rest_records_warnings_and_typed_errors_on_one_session(loopback):
    transport, shells = loopback

    found = transport.invoke('Get-InboundConnector', {'Identity': 'From SEG'})
    changed = transport.invoke('Set-InboundConnector', {'Identity': 'From SEG', 'RequireTls': False})
    with pytest.raises(NotFound) as missing:
        transport.invoke('Get-InboundConnector', {'Identity': 'Gone'})

    assert found.records == [{'Name': 'From SEG', 'Identity': 'From SEG', 'Enabled': True, 'ConnectorType': 'Partner',
                              'SenderIPAddresses': ['192.0.2.10'], 'EFSkipIPs': [], 'TlsSenderCertificateName': None,
                              'Priority': 0}]
    assert changed.warnings == ["The command completed successfully but no settings of 'From SEG' have been modified."]
    assert "object 'Gone' couldn't be found" in missing.value.message
    assert missing.value.tenant == TENANT and missing.value.cmdlet == 'Get-InboundConnector'
    (shell,) = shells
    assert [p.commands[-1].command_text for p in shell.pipelines] == [
        'Connect-ExchangeOnline', 'Get-InboundConnector', 'Set-InboundConnector', 'Get-InboundConnector']

    transport.close()
    assert shell.closed


@pytest.mark.skipif(not HAS_PSRPCORE, reason='psrpcore is not installed')
def test_psrp_pipeline_ended_by_a_terminating_error_is_a_failure_not_an_empty_result(loopback):
    transport, _shells = loopback

    with pytest.raises(ExoError) as caught:
        transport.invoke('Remove-InboundConnector', {'Identity': 'From SEG', 'Confirm': False})

    assert 'The pipeline has been stopped.' in caught.value.message
    assert caught.value.exception_type == 'PipelineStoppedException'
    assert caught.value.cmdlet == 'Remove-InboundConnector' and caught.value.tenant == TENANT
