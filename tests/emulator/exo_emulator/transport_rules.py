# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Transport rules: the Get-TransportRule record, the values Exchange checks, and rule priorities
(cmdlet-behaviour.md section 2).

A rule keeps every condition, exception and action under its parameter's name (``SenderIpRanges``,
``ExceptIfHeaderContainsMessageHeader``, ``RejectMessageReasonText`` ...), so the mail flow side can evaluate it
from the record; what Exchange derives from them (``Conditions``, ``Exceptions``, ``Actions``, ``Description``,
the RejectMessage defaults, the type annotations) is recomputed by :func:`finish` after every change.
"""

import copy
import re

from exo_emulator import clock, directory_names, errors, ip_ranges, records, rule_predicates

MAX_RULES = 300
MAX_NAME_LENGTH = 64
MAX_TEXT_LENGTH = 1024
DEFAULT_REJECT_TEXT = 'Delivery not authorized, message refused'
DEFAULT_REJECT_CODE = '5.7.1'
AUDIT_SEVERITIES = ('DoNotAudit', 'Low', 'Medium', 'High')
_ENHANCED_STATUS_CODE = re.compile(r'^5\.7\.(1|9\d\d)$')
_COLLECTION_TYPE = '#Collection(String)'

# The rule's own settings, beside its conditions and actions, with what New-TransportRule gives them: Mode
# Enforce, RuleErrorAction Ignore, SenderAddressLocation Header, RecipientAddressType Resolved, RuleSubType None
# (the reference pages' defaults); Comments, DlpPolicy, ActivationDate, ExpiryDate null and ManuallyModified false
# (as the live records read); UseLegacyRegex false (as published Get-TransportRule output reads).
_SETTINGS = {
    'Priority': None, 'DlpPolicy': None, 'Comments': None, 'CreatedBy': None, 'LastModifiedBy': None, 'ManuallyModified': False,
    'ActivationDate': None, 'ExpiryDate': None, 'Description': '', 'Conditions': None, 'Exceptions': None, 'Actions': None,
    'State': 'Enabled', 'Mode': 'Enforce', 'RuleErrorAction': 'Ignore', 'SenderAddressLocation': 'Header',
    'RecipientAddressType': 'Resolved', 'RuleSubType': 'None', 'UseLegacyRegex': False,
}
_IDENTITY = ('Identity', 'Guid', 'Name', 'IsValid', 'WhenChanged')
# Boolean conditions and actions read back false when unset (DeleteMessage, Quarantine and StopRuleProcessing in the
# live record; the other Booleans of the rule object alike); every other unset one is null, never [].
BOOLEAN_PROPERTIES = frozenset((
    'AttachmentHasExecutableContent', 'AttachmentIsPasswordProtected', 'AttachmentIsUnsupported', 'AttachmentProcessingLimitExceeded',
    'HasNoClassification', 'HasSenderOverride', 'ExceptIfAttachmentHasExecutableContent', 'ExceptIfAttachmentIsPasswordProtected',
    'ExceptIfAttachmentIsUnsupported', 'ExceptIfAttachmentProcessingLimitExceeded', 'ExceptIfHasNoClassification',
    'ExceptIfHasSenderOverride', 'ApplyOME', 'DeleteMessage', 'Disconnect', 'ModerateMessageByManager', 'Quarantine', 'RemoveOME',
    'RemoveOMEv2', 'RemoveRMSAttachmentEncryption', 'RouteMessageOutboundRequireTls', 'StopRuleProcessing'))
CONDITION_PROPERTIES = tuple(rule_predicates.condition_properties())
ACTION_PROPERTIES = tuple(rule_predicates.action_properties())
PROPERTIES = tuple(_SETTINGS) + CONDITION_PROPERTIES + ACTION_PROPERTIES + _IDENTITY
_DERIVED = ('Description', 'Conditions', 'Exceptions', 'Actions')


def distinguished_name(organization, name):
    """Where Exchange Online keeps a rule (as published Get-TransportRule output shows)."""
    return directory_names.configuration_object(organization, name, 'TransportVersioned', 'Rules', 'Transport Settings')


def new_record(name, guid, author, moment=None):
    """A rule with nothing set but its name (Priority is given by :func:`place`)."""
    record = dict(_SETTINGS)
    record.update({name_: (False if name_ in BOOLEAN_PROPERTIES else None) for name_ in CONDITION_PROPERTIES + ACTION_PROPERTIES})
    record.update({'CreatedBy': author, 'LastModifiedBy': author, 'Identity': name, 'Guid': guid, 'Name': name, 'IsValid': True,
                   'WhenChanged': clock.exchange_time(moment)})
    return record


def finish(record):
    """The record as Get-TransportRule returns it: RejectMessage completed (only a code -> the default text, only a
    text -> 5.7.1), Conditions/Exceptions/Actions and Description derived, every key in order with its type
    annotation (``Priority@data.type``, ``WhenChanged@data.type``, ``X@odata.type`` beside a non-null string
    collection, as ``Conditions`` has it live)."""
    values = {key: value for key, value in record.items() if '@' not in key}
    for key in CONDITION_PROPERTIES + ACTION_PROPERTIES:
        if values.get(key) == []:  # an Add/Remove change that removed every item
            values[key] = None
    if values.get('RejectMessageEnhancedStatusCode') and not values.get('RejectMessageReasonText'):
        values['RejectMessageReasonText'] = DEFAULT_REJECT_TEXT
    if values.get('RejectMessageReasonText') and not values.get('RejectMessageEnhancedStatusCode'):
        values['RejectMessageEnhancedStatusCode'] = DEFAULT_REJECT_CODE
    values['Conditions'] = rule_predicates.classes(rule_predicates.CONDITIONS, values)
    values['Exceptions'] = rule_predicates.classes(rule_predicates.CONDITIONS, values, rule_predicates.EXCEPT_IF)
    values['Actions'] = rule_predicates.classes(rule_predicates.ACTIONS, values)
    values['Description'] = rule_predicates.description(values)
    finished = {}
    for key in PROPERTIES + tuple(key for key in values if key not in PROPERTIES):
        value = values.get(key)
        if key == 'Priority':
            finished['Priority@data.type'] = 'System.Int32'
        elif key == 'WhenChanged':
            finished['WhenChanged@data.type'] = 'System.DateTime'
        elif isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            finished[key + '@odata.type'] = _COLLECTION_TYPE
        finished[key] = value
    return finished


# -- values as they arrive ------------------------------------------------------------------------------------


def _too_long(value, limit):
    """Exchange's string-length constraint, checked on the way in."""
    if value is not None and len(str(value)) > limit:
        raise errors.data_validation('The length of the property is too long. The maximum length is %d and the length of the value '
                                     'provided is %d.' % (limit, len(str(value))))
    return value


def rule_name(value):
    name = str(value)
    if not name.strip():
        raise errors.parameter_binding("Cannot bind argument to parameter 'Name' because it is an empty string.")
    return _too_long(name, MAX_NAME_LENGTH)


def ip_range(value):
    """A SenderIpRanges / ExceptIfSenderIpRanges entry: an address, lo-hi or CIDR (masked to its network)."""
    try:
        return ip_ranges.parse(value).text
    except ValueError as exc:
        raise errors.data_validation(str(exc)) from None


def enhanced_status_code(value):
    if value is None or _ENHANCED_STATUS_CODE.match(str(value).strip()):
        return None if value is None else str(value).strip()
    raise errors.data_validation("The value '%s' of RejectMessageEnhancedStatusCode isn't valid. Valid values are 5.7.1 or between "
                                 "5.7.900 and 5.7.999." % value)


def audit_severity(value):
    """SetAuditSeverity is a string parameter (binding does not check it); its documented values, in their case."""
    if value is None:
        return None
    for severity in AUDIT_SEVERITIES:
        if severity.lower() == str(value).strip().lower():
            return severity
    raise errors.data_validation("The value '%s' of SetAuditSeverity isn't valid. Valid values are: %s." % (value, ', '.join(AUDIT_SEVERITIES)))


# The properties whose values Exchange checks or spells its own way; each converter takes the whole value
# (list items are converted by ITEM_CONVERTERS).
VALUE_CONVERTERS = {
    'Name': rule_name, 'Comments': lambda value: _too_long(value, MAX_TEXT_LENGTH),
    'RejectMessageReasonText': lambda value: _too_long(value, MAX_TEXT_LENGTH),
    'RejectMessageEnhancedStatusCode': enhanced_status_code, 'SetAuditSeverity': audit_severity,
}
ITEM_CONVERTERS = {'SenderIpRanges': ip_range, 'ExceptIfSenderIpRanges': ip_range}


def unset_value(name):
    """What a property reads when nothing sets it (a change to null or to an empty list clears it to this)."""
    return False if name in BOOLEAN_PROPERTIES else None


# -- priorities -----------------------------------------------------------------------------------------------


def check_priority(priority, highest, cmdlet):
    """``priority`` must be 0..``highest`` (New: the number of rules, Set: one less)."""
    if priority is not None and not 0 <= priority <= highest:
        raise errors.validation_failed('The Priority value %d is out of range. Valid values for %s in this organization are 0 through %d.'
                                       % (priority, cmdlet, highest))


def place(rules, rule, priority):
    """Put ``rule`` at ``priority`` (None: last) and renumber every rule 0..N-1 in order: taking a used priority
    moves that rule and all later ones down by one, removing one closes the gap. A rule whose priority changes
    is changed (WhenChanged moves). Returns the new list."""
    others = [other for other in rules if other is not rule]
    index = len(others) if priority is None else priority
    ordered = others[:index] + [rule] + others[index:]
    renumber(ordered)
    return ordered


def renumber(rules):
    for number, rule in enumerate(rules):
        if rule.get('Priority') != number:
            rule['Priority'] = number
            rule['WhenChanged'] = clock.exchange_time()


# -- scenario -------------------------------------------------------------------------------------------------


def from_scenario(value, tenant):
    """The rules a scenario (or ``PUT state``) gives, in Get-TransportRule form and possibly partial, completed
    with the defaults of a new rule and ordered by their Priority (rules without one go last, in the order given),
    then numbered 0..N-1. What Exchange derives (Conditions, Exceptions, Actions, Description, annotations) is
    recomputed from the properties, whatever the scenario says. Raises ValueError for a rule without Name, a
    property Get-TransportRule does not return, an unreadable IP range, or two rules of one name."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError('transport_rules must be a list of Get-TransportRule records (mappings)')
    rules = []
    for index, given in enumerate(value):
        where = 'transport_rules[%d]' % index
        name = given.get('Name')
        if not isinstance(name, str) or not name.strip():
            raise ValueError('%s: `Name` is required' % where)
        unknown = sorted(key for key in given if key not in PROPERTIES and '@' not in key)
        if unknown:
            raise ValueError('%s: unknown propert%s %s (see the Get-TransportRule properties of New-TransportRule)'
                             % (where, 'y' if len(unknown) == 1 else 'ies', ', '.join(unknown)))
        if name.lower() in [rule['Name'].lower() for rule in rules]:
            raise ValueError("%s: a rule named '%s' is already given" % (where, name))
        record = new_record(name, records.stable_guid('transport-rule', tenant.tenant_id, name), None)
        record.update({key: copy.deepcopy(item) for key, item in given.items() if '@' not in key and key not in _DERIVED})
        record['Identity'] = name
        for key, converter in ITEM_CONVERTERS.items():
            items = record[key] if isinstance(record[key], list) or record[key] is None else [record[key]]
            try:
                record[key] = [converter(item) for item in items] if items else None
            except errors.CmdletError as error:
                raise ValueError('%s: %s' % (where, error.text)) from None
        rules.append(record)
    positions = {id(rule): (rule['Priority'] if isinstance(rule.get('Priority'), int) else float('inf'), index)
                 for index, rule in enumerate(rules)}
    rules.sort(key=lambda rule: positions[id(rule)])
    for number, rule in enumerate(rules):
        rule['Priority'] = number
    return [finish(rule) for rule in rules]
