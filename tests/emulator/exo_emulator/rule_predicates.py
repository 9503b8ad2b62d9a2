# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The conditions and actions of transport rules: which New-/Set-TransportRule parameters make up each one, the
.NET class Get-TransportRule names it by (in ``Conditions``, ``Exceptions``, ``Actions``), and its line in
``Description``.

Every condition parameter ``X`` has an exception twin ``ExceptIfX`` with the same predicate class. Class names
seen live or in published Get-TransportRule output are FromScopePredicate, FromPredicate, FromAddressContainsPredicate,
SentToScopePredicate, MessageTypeMatchesPredicate, RecipientDomainIsPredicate, PrependSubjectAction,
SetAuditSeverityAction, RightsProtectMessageAction, DeleteMessageAction and RejectMessageAction; the others follow
Exchange's naming of its rule predicates and actions. Description lines copy the live wording where a capture shows
it ("Is received from ...", "Prepend the subject with ...", "Set audit severity level to ...", "rights protect
message with RMS template: ...", "Delete the message without notifying the recipient or sender") and otherwise
say the same thing in that style.

The table order is the property order of Exchange's rule object; ``Conditions``/``Actions`` and ``Description``
list what is set in that order (the live records agree: PrependSubject, then SetAuditSeverity, then
RightsProtectMessage).
"""

import re

NAMESPACE = 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.'
EXCEPT_IF = 'ExceptIf'

# How Description shows the scope enums (the live record shows 'Outside the organization' for NotInOrganization).
_SCOPE_TEXT = {'InOrganization': 'Inside the organization', 'NotInOrganization': 'Outside the organization',
               'ExternalPartner': 'External partner organization', 'ExternalNonPartner': 'External non-partner organization'}
_PLACEHOLDER = re.compile(r'\{(\w+)\}')


class Part:
    """One condition or action: its .NET ``class_name``, its ``parameters`` (property names) and the
    ``template`` of its Description line, where ``{Property}`` stands for the property's value."""

    def __init__(self, class_name, parameters, template):
        self.class_name = NAMESPACE + class_name
        self.parameters = tuple(parameters.split())
        self.template = template

    def is_set(self, record, prefix=''):
        return any(is_set(record.get(prefix + name)) for name in self.parameters)

    def describe(self, record, prefix=''):
        return _PLACEHOLDER.sub(lambda match: _show(match.group(1), record.get(prefix + match.group(1))), self.template)


def is_set(value):
    """Whether a rule property holds a condition or action value (unset ones are null, or false for Booleans)."""
    return not (value is None or value is False or value == [] or value == '')


def _show(name, value):
    if isinstance(value, list):
        return ' or '.join("'%s'" % _text(name, item) for item in value)
    return "'%s'" % _text(name, value)


def _text(name, value):
    if name.endswith('Scope'):
        return _SCOPE_TEXT.get(value, value)
    if isinstance(value, bool):
        return 'True' if value else 'False'
    if isinstance(value, dict):  # a sensitive information type: @{Name="Credit Card Number"; minCount="1"}
        return str(value.get('Name') or value.get('name') or value)
    return '' if value is None else str(value)


CONDITIONS = (
    Part('FromPredicate', 'From', 'Is received from {From}'),
    Part('FromMemberOfPredicate', 'FromMemberOf', 'Is received from a member of group {FromMemberOf}'),
    Part('FromScopePredicate', 'FromScope', 'Is received from {FromScope}'),
    Part('SentToPredicate', 'SentTo', 'Is sent to {SentTo}'),
    Part('SentToMemberOfPredicate', 'SentToMemberOf', 'Is sent to a member of group {SentToMemberOf}'),
    Part('SentToScopePredicate', 'SentToScope', 'Is sent to {SentToScope}'),
    Part('BetweenMemberOfPredicate', 'BetweenMemberOf1 BetweenMemberOf2',
         'Is sent between members of {BetweenMemberOf1} and members of {BetweenMemberOf2}'),
    Part('ManagerIsPredicate', 'ManagerAddresses ManagerForEvaluatedUser',
         'Is sent to or from a {ManagerForEvaluatedUser} whose manager is {ManagerAddresses}'),
    Part('ManagementRelationshipPredicate', 'SenderManagementRelationship',
         "Is sent to a recipient who is the sender's {SenderManagementRelationship}"),
    Part('ADAttributeComparisonPredicate', 'ADComparisonAttribute ADComparisonOperator',
         'Has the sender and recipient property {ADComparisonAttribute} and the values are {ADComparisonOperator}'),
    Part('SenderAttributeContainsPredicate', 'SenderADAttributeContainsWords',
         "Includes these words in the sender's properties: {SenderADAttributeContainsWords}"),
    Part('SenderAttributeMatchesPredicate', 'SenderADAttributeMatchesPatterns',
         "Matches these text patterns in the sender's properties: {SenderADAttributeMatchesPatterns}"),
    Part('RecipientAttributeContainsPredicate', 'RecipientADAttributeContainsWords',
         "Includes these words in the recipient's properties: {RecipientADAttributeContainsWords}"),
    Part('RecipientAttributeMatchesPredicate', 'RecipientADAttributeMatchesPatterns',
         "Matches these text patterns in the recipient's properties: {RecipientADAttributeMatchesPatterns}"),
    Part('AnyOfToHeaderPredicate', 'AnyOfToHeader', 'Has {AnyOfToHeader} in the To box'),
    Part('AnyOfToHeaderMemberOfPredicate', 'AnyOfToHeaderMemberOf', 'Has a member of group {AnyOfToHeaderMemberOf} in the To box'),
    Part('AnyOfCcHeaderPredicate', 'AnyOfCcHeader', 'Has {AnyOfCcHeader} in the Cc box'),
    Part('AnyOfCcHeaderMemberOfPredicate', 'AnyOfCcHeaderMemberOf', 'Has a member of group {AnyOfCcHeaderMemberOf} in the Cc box'),
    Part('AnyOfToCcHeaderPredicate', 'AnyOfToCcHeader', 'Has {AnyOfToCcHeader} in the To or Cc box'),
    Part('AnyOfToCcHeaderMemberOfPredicate', 'AnyOfToCcHeaderMemberOf', 'Has a member of group {AnyOfToCcHeaderMemberOf} in the To or Cc box'),
    Part('HasClassificationPredicate', 'HasClassification', 'Has message classification {HasClassification}'),
    Part('HasNoClassificationPredicate', 'HasNoClassification', "Isn't marked with any message classifications"),
    Part('SubjectContainsPredicate', 'SubjectContainsWords', 'Includes these words in the message subject: {SubjectContainsWords}'),
    Part('SubjectOrBodyContainsPredicate', 'SubjectOrBodyContainsWords',
         'Includes these words in the message subject or body: {SubjectOrBodyContainsWords}'),
    Part('HeaderContainsPredicate', 'HeaderContainsMessageHeader HeaderContainsWords',
         'Includes these words in message header {HeaderContainsMessageHeader}: {HeaderContainsWords}'),
    Part('FromAddressContainsPredicate', 'FromAddressContainsWords', "Includes these words in the sender's address: {FromAddressContainsWords}"),
    Part('SenderDomainIsPredicate', 'SenderDomainIs', "Sender's address domain portion belongs to any of these domains: {SenderDomainIs}"),
    Part('RecipientDomainIsPredicate', 'RecipientDomainIs',
         "Recipient's address domain portion belongs to any of these domains: {RecipientDomainIs}"),
    Part('SubjectMatchesPredicate', 'SubjectMatchesPatterns', 'Matches these text patterns in the message subject: {SubjectMatchesPatterns}'),
    Part('SubjectOrBodyMatchesPredicate', 'SubjectOrBodyMatchesPatterns',
         'Matches these text patterns in the message subject or body: {SubjectOrBodyMatchesPatterns}'),
    Part('HeaderMatchesPredicate', 'HeaderMatchesMessageHeader HeaderMatchesPatterns',
         'Matches these text patterns in message header {HeaderMatchesMessageHeader}: {HeaderMatchesPatterns}'),
    Part('FromAddressMatchesPredicate', 'FromAddressMatchesPatterns',
         "Matches these text patterns in the sender's address: {FromAddressMatchesPatterns}"),
    Part('AttachmentNameMatchesPredicate', 'AttachmentNameMatchesPatterns',
         'Matches these text patterns in an attachment name: {AttachmentNameMatchesPatterns}'),
    Part('AttachmentExtensionMatchesWordsPredicate', 'AttachmentExtensionMatchesWords',
         'Has an attachment with these file extensions: {AttachmentExtensionMatchesWords}'),
    Part('AttachmentPropertyContainsWordsPredicate', 'AttachmentPropertyContainsWords',
         'Has an attachment whose properties include these words: {AttachmentPropertyContainsWords}'),
    Part('ContentCharacterSetContainsWordsPredicate', 'ContentCharacterSetContainsWords',
         'Has content in these character sets: {ContentCharacterSetContainsWords}'),
    Part('HasSenderOverridePredicate', 'HasSenderOverride', 'Has the sender overridden the Policy Tip'),
    Part('MessageContainsDataClassificationsPredicate', 'MessageContainsDataClassifications',
         'Contains these sensitive information types: {MessageContainsDataClassifications}'),
    Part('SenderIpRangesPredicate', 'SenderIpRanges', 'Sender ip addresses belong to one of these ranges: {SenderIpRanges}'),
    Part('SclOverPredicate', 'SCLOver', 'Has a spam confidence level (SCL) greater than or equal to {SCLOver}'),
    Part('AttachmentSizeOverPredicate', 'AttachmentSizeOver', 'Has an attachment larger than or equal to {AttachmentSizeOver}'),
    Part('MessageSizeOverPredicate', 'MessageSizeOver', 'Has a size greater than or equal to {MessageSizeOver}'),
    Part('WithImportancePredicate', 'WithImportance', 'Is marked with {WithImportance} importance'),
    Part('MessageTypeMatchesPredicate', 'MessageTypeMatches', 'Is message type {MessageTypeMatches}'),
    Part('RecipientAddressContainsWordsPredicate', 'RecipientAddressContainsWords',
         "Includes these words in the recipient's address: {RecipientAddressContainsWords}"),
    Part('RecipientAddressMatchesPatternsPredicate', 'RecipientAddressMatchesPatterns',
         "Matches these text patterns in the recipient's address: {RecipientAddressMatchesPatterns}"),
    Part('SenderInRecipientListPredicate', 'SenderInRecipientList', "Is from a sender in the recipient's {SenderInRecipientList} list"),
    Part('RecipientInSenderListPredicate', 'RecipientInSenderList', "Is sent to a recipient in the sender's {RecipientInSenderList} list"),
    Part('AttachmentContainsWordsPredicate', 'AttachmentContainsWords', 'Has an attachment whose content includes {AttachmentContainsWords}'),
    Part('AttachmentMatchesPatternsPredicate', 'AttachmentMatchesPatterns',
         'Has an attachment whose content matches {AttachmentMatchesPatterns}'),
    Part('AttachmentIsUnsupportedPredicate', 'AttachmentIsUnsupported', "Has an attachment whose content can't be inspected"),
    Part('AttachmentProcessingLimitExceededPredicate', 'AttachmentProcessingLimitExceeded',
         "Has an attachment that didn't complete scanning"),
    Part('AttachmentHasExecutableContentPredicate', 'AttachmentHasExecutableContent', 'Has an attachment with executable content'),
    Part('AttachmentIsPasswordProtectedPredicate', 'AttachmentIsPasswordProtected', 'Has an attachment that is password protected'),
    Part('AnyOfRecipientAddressContainsWordsPredicate', 'AnyOfRecipientAddressContainsWords',
         "Includes these words in any recipient's address: {AnyOfRecipientAddressContainsWords}"),
    Part('AnyOfRecipientAddressMatchesPatternsPredicate', 'AnyOfRecipientAddressMatchesPatterns',
         "Matches these text patterns in any recipient's address: {AnyOfRecipientAddressMatchesPatterns}"),
)

ACTIONS = (
    Part('PrependSubjectAction', 'PrependSubject', 'Prepend the subject with {PrependSubject}'),
    Part('SetAuditSeverityAction', 'SetAuditSeverity', 'Set audit severity level to {SetAuditSeverity}'),
    Part('ApplyClassificationAction', 'ApplyClassification', 'Apply message classification {ApplyClassification}'),
    Part('ApplyHtmlDisclaimerAction', 'ApplyHtmlDisclaimerText ApplyHtmlDisclaimerLocation ApplyHtmlDisclaimerFallbackAction',
         'Apply the disclaimer {ApplyHtmlDisclaimerText} at {ApplyHtmlDisclaimerLocation}, with fallback {ApplyHtmlDisclaimerFallbackAction}'),
    Part('RightsProtectMessageAction', 'ApplyRightsProtectionTemplate', 'rights protect message with RMS template:  {ApplyRightsProtectionTemplate} '),
    Part('ApplyRightsProtectionCustomizationTemplateAction', 'ApplyRightsProtectionCustomizationTemplate',
         'Apply the custom branding template {ApplyRightsProtectionCustomizationTemplate}'),
    Part('SetSclAction', 'SetSCL', 'Set the spam confidence level (SCL) to {SetSCL}'),
    Part('SetHeaderAction', 'SetHeaderName SetHeaderValue', 'Set the message header {SetHeaderName} with the value {SetHeaderValue}'),
    Part('RemoveHeaderAction', 'RemoveHeader', 'Remove the message header {RemoveHeader}'),
    Part('AddToRecipientAction', 'AddToRecipients', 'Add {AddToRecipients} to the To box'),
    Part('CopyToAction', 'CopyTo', 'Copy the message to {CopyTo}'),
    Part('BlindCopyToAction', 'BlindCopyTo', 'Blind copy (Bcc) the message to {BlindCopyTo}'),
    Part('AddManagerAsRecipientTypeAction', 'AddManagerAsRecipientType', "Add the sender's manager as a {AddManagerAsRecipientType} recipient"),
    Part('ModerateMessageByUserAction', 'ModerateMessageByUser', 'Forward the message for approval to {ModerateMessageByUser}'),
    Part('ModerateMessageByManagerAction', 'ModerateMessageByManager', "Forward the message for approval to the sender's manager"),
    Part('RedirectMessageAction', 'RedirectMessageTo', 'Redirect the message to {RedirectMessageTo}'),
    Part('RejectMessageAction', 'RejectMessageReasonText RejectMessageEnhancedStatusCode',
         'Reject the message and include the explanation {RejectMessageReasonText} with the status code: {RejectMessageEnhancedStatusCode}'),
    Part('DeleteMessageAction', 'DeleteMessage', 'Delete the message without notifying the recipient or sender'),
    Part('DisconnectAction', 'Disconnect', 'Disconnect the SMTP session'),
    Part('QuarantineAction', 'Quarantine', 'Deliver the message to the hosted quarantine'),
    Part('SmtpRejectMessageAction', 'SmtpRejectMessageRejectText SmtpRejectMessageRejectStatusCode',
         'Reject the message in the SMTP session with {SmtpRejectMessageRejectStatusCode} and the explanation {SmtpRejectMessageRejectText}'),
    Part('LogEventAction', 'LogEventText', 'Write the event {LogEventText} to the application log'),
    Part('StopRuleProcessingAction', 'StopRuleProcessing', 'Stop processing more rules'),
    Part('NotifySenderAction', 'NotifySender', 'Notify the sender with {NotifySender}'),
    Part('GenerateIncidentReportAction', 'GenerateIncidentReport IncidentReportContent',
         'Generate an incident report and send it to {GenerateIncidentReport}, with the content {IncidentReportContent}'),
    Part('RouteMessageOutboundConnectorAction', 'RouteMessageOutboundConnector',
         'Use the following connector: {RouteMessageOutboundConnector}'),
    Part('RouteMessageOutboundRequireTlsAction', 'RouteMessageOutboundRequireTls', 'Require TLS encryption to deliver the message'),
    Part('ApplyOMEAction', 'ApplyOME', 'Apply Office 365 Message Encryption'),
    Part('RemoveOMEAction', 'RemoveOME', 'Remove Office 365 Message Encryption'),
    Part('RemoveOMEv2Action', 'RemoveOMEv2', 'Remove Office 365 Message Encryption and rights protection'),
    Part('GenerateNotificationAction', 'GenerateNotification', 'Notify the recipient with the message {GenerateNotification}'),
    Part('RemoveRMSAttachmentEncryptionAction', 'RemoveRMSAttachmentEncryption', 'Remove encryption from encrypted attachments'),
)


def condition_properties():
    """Every property that belongs to a condition or an exception, in table order."""
    names = [name for part in CONDITIONS for name in part.parameters]
    return names + [EXCEPT_IF + name for name in names]


def action_properties():
    return [name for part in ACTIONS for name in part.parameters]


def classes(parts, record, prefix=''):
    """The .NET class names of the parts set in ``record``, or None when none is (as Get-TransportRule gives them)."""
    found = [part.class_name for part in parts if part.is_set(record, prefix)]
    return found or None


def description(record):
    """The Description text in the live layout: sections "If the message:", "Take the following actions:",
    "Except if the message:", one tab-indented line per condition or action, CRLF line ends. Conditions and actions
    all apply ("and"); any one exception is enough ("or")."""
    sections = (('If the message:', CONDITIONS, '', 'and '), ('Take the following actions:', ACTIONS, '', 'and '),
                ('Except if the message:', CONDITIONS, EXCEPT_IF, 'or '))
    lines = []
    for heading, parts, prefix, joiner in sections:
        phrases = [part.describe(record, prefix) for part in parts if part.is_set(record, prefix)]
        if phrases:
            lines.append(heading)
            lines.extend('\t' + (joiner if index else '') + phrase for index, phrase in enumerate(phrases))
    return ''.join(line + '\r\n' for line in lines)
