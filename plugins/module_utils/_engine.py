# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The resource engine: desired state in, the fewest correct cmdlet calls out.

Private to this collection; may change without notice.

A module declares a :class:`Resource` (its cmdlets and a table of :class:`Property` rows, each an option, the cmdlet
parameter it sets and the :class:`ValueKind` that says how values compare). :func:`ensure` does the rest the same
way for every resource: read → normalise → compare → before/after → stop in check mode → apply → re-read.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.exoguard.mailflow.plugins.module_utils import _normalise as normalise
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ConfigurationError, ExoError, Transient


class ValueKind:
    """How one kind of value is declared to Ansible, compared, shown in a diff and sent to Exchange.

    ``canonical`` gives a hashable form that is equal exactly when Exchange would treat two values as the same;
    ``display`` the form shown in before/after; ``wire`` the value sent as the cmdlet parameter.
    """

    def __init__(self, option_type, canonical, display, wire=None, elements=None):
        self.option_type = option_type
        self.elements = elements
        self.canonical = canonical
        self.display = display
        self.wire = wire or (lambda value: value)

    def same(self, current, desired):
        return self.canonical(current) == self.canonical(desired)

    def option_spec(self):
        spec = {'type': self.option_type}
        if self.elements:
            spec['elements'] = self.elements
        return spec


def _display_text(value):
    return '' if normalise.is_empty(value) else str(value)


def _display_list(value):
    return sorted((str(item) for item in normalise.as_list(value)), key=str.lower)


BOOLEAN = ValueKind('bool', normalise.boolean, normalise.boolean, wire=bool)
INTEGER = ValueKind('int', normalise.integer, normalise.integer, wire=int)
TEXT = ValueKind('str', normalise.text, _display_text)
#: A text whose empty value takes the setting off: sent as null, the way Exchange clears a rule's action or condition.
CLEARABLE_TEXT = ValueKind('str', normalise.text, _display_text,
                           wire=lambda value: None if normalise.is_empty(value) else value)
TEXT_SET = ValueKind('list', normalise.text_set, _display_list, wire=normalise.as_list, elements='str')
DOMAIN_SET = ValueKind('list', normalise.domain_set, lambda value: sorted(normalise.domain_set(value)),
                       wire=normalise.as_list, elements='str')
IP_RANGE_SET = ValueKind('list', normalise.ip_range_set,
                         lambda value: sorted(set(normalise.canonical_ip_range(item) for item in normalise.as_list(value))),
                         wire=lambda value: [normalise.canonical_ip_range(item) for item in normalise.as_list(value)],
                         elements='str')


class Property:
    """One setting of a resource: the module option, the cmdlet parameter (also its name in Get-* records) and
    its :class:`ValueKind`. ``choices`` are Exchange's own spellings for enum values.

    Where Exchange reads a setting back under another name or form (a transport rule's ``Enabled`` comes back as
    ``State: Enabled``), ``read`` takes the record and returns the value, and ``write`` records a value into a
    record the way Get-* would show it (for the record predicted in check mode).
    """

    def __init__(self, option, parameter, kind, choices=None, read=None, write=None):
        self.option = option
        self.parameter = parameter
        self.kind = kind
        self.choices = choices
        self._read = read
        self._write = write

    def current(self, record):
        if self._read is not None:
            return self._read(record or {})
        return (record or {}).get(self.parameter)

    def predict(self, record, value):
        """Put ``value`` into ``record`` as Exchange would read it back."""
        if self._write is not None:
            self._write(record, value)
        else:
            record[self.parameter] = self.kind.wire(value)

    def differs(self, record, desired):
        return record is None or not self.kind.same(self.current(record), desired)

    def option_spec(self):
        spec = self.kind.option_spec()
        if self.choices:
            spec['choices'] = list(self.choices)
        return spec


class Resource:
    """What a kind of Exchange object is: its cmdlets, identity and properties.

    A singleton (``identity_parameter`` None, e.g. the organization configuration) is read with its Get-* cmdlet
    without parameters and always exists. Other resources are read by identity, created, updated and removed.
    Subclasses override a hook where Exchange needs another cmdlet (Enable-/Disable-TransportRule, say).
    """

    noun = 'object'
    get_cmdlet = None
    new_cmdlet = None
    set_cmdlet = None
    remove_cmdlet = None
    identity_parameter = None
    #: The parameter New-* takes the identity in, where it is not ``identity_parameter`` (``Name``, ``DomainName``).
    new_identity_parameter = None
    #: The key under which a module returns the record as it is after the run.
    return_key = 'record'
    properties = ()

    def for_options(self, options):
        """The resource for these module options; one whose properties depend on the options (a transport rule's
        ``extra_parameters``) returns a copy with them added. Raises ConfigurationError for unusable options."""
        return self

    def desired_state(self, options, state):
        """The desired properties (option -> value, None = not managed) and the state ``ensure`` works towards.
        A resource whose ``absent`` means "turned off" rather than "removed" maps it here."""
        return dict((prop.option, options.get(prop.option)) for prop in self.properties), state

    def argument_spec(self):
        """The options of the resource's properties, for a module's argument_spec."""
        return dict((prop.option, prop.option_spec()) for prop in self.properties)

    def validate_identity(self, identity):
        """Refuse an unusable identity (a name Exchange would not take) before any call."""

    def validate(self, desired, state):
        """Refuse unusable desired state before any call; raise :class:`ConfigurationError` naming the option."""

    def validate_against(self, desired, current, state):
        """Refuse desired state that is unusable given the object as it is (``current``, None when absent), after
        the read and before any write: a required option missing for a create, a combination the object forbids."""

    def tolerate(self, desired, current, state):
        """Options the tenant cannot take, decided after the read: returns ``(desired, warnings)`` with those options
        left unmanaged (None) and one warning each. The default takes every option; a resource whose properties a
        licence may not provide (anti-phish impersonation) skips the ones its Get-* record lacks."""
        return desired, []

    def read(self, client, identity):
        """The record as Exchange returns it, or None when it does not exist."""
        if self.identity_parameter is None:
            records = client.invoke(self.get_cmdlet)
            if len(records) != 1:
                raise ExoError('expected one %s, got %d' % (self.noun, len(records)), tenant=client.tenant,
                               cmdlet=self.get_cmdlet)
            return records[0]
        return client.get_optional(self.get_cmdlet, {self.identity_parameter: identity})

    def parameters(self, changes):
        return dict((prop.parameter, prop.kind.wire(value)) for prop, value in changes)

    def create(self, client, identity, changes):
        # A new object has nothing to clear: a null (CLEARABLE_TEXT's empty value) is left out.
        parameters = dict((name, value) for name, value in self.parameters(changes).items() if value is not None)
        parameters[self.new_identity_parameter or self.identity_parameter] = identity
        client.invoke(self.new_cmdlet, parameters)

    def predict(self, record, identity, changes):
        """The record as Get-* would return it after ``changes``, for check mode."""
        predicted = dict(record or {})
        if record is None and self.identity_parameter is not None:
            predicted.update({'Name': identity, 'Identity': identity})
        for prop, value in changes:
            prop.predict(predicted, value)
        return predicted

    def update(self, client, identity, record, changes):
        parameters = self.parameters(changes)
        if self.identity_parameter is not None:
            parameters[self.identity_parameter] = identity
        client.invoke(self.set_cmdlet, parameters)

    def delete(self, client, identity, record):
        client.invoke(self.remove_cmdlet, {self.identity_parameter: identity})

    def view(self, record):
        """The record as a diff shows it: each property's option with its value in display form."""
        if record is None:
            return None
        return dict((prop.option, prop.kind.display(prop.current(record))) for prop in self.properties)


def kind_for_type(parameter_type):
    """How values of a cmdlet parameter compare, from its .NET type in Microsoft's reference (_cmdlet_table)."""
    if parameter_type == 'Boolean':
        return BOOLEAN
    if parameter_type in ('Int32', 'UInt32', 'Int64'):
        return INTEGER
    if parameter_type.endswith('[]') or parameter_type == 'MultiValuedProperty':
        return TEXT_SET
    return TEXT


class ExtraParameters:
    """Mixed into a :class:`Resource` whose module takes ``extra_parameters``: any other documented parameter of
    ``extra_cmdlets`` (a name every one of them has), checked against Microsoft's reference before any call and
    compared like the declared properties, as the option ``extra_parameters.<Parameter>``."""

    #: The cmdlets an extra parameter is sent to; each must have it.
    extra_cmdlets = ()
    #: How messages name those cmdlets.
    extra_label = ''
    #: Lower-case parameter names that are identity or cmdlet plumbing, never settings.
    not_extra = frozenset(('identity', 'name', 'confirm', 'whatif'))

    def for_options(self, options):
        extra = options.get('extra_parameters') or {}
        if not extra:
            return self
        from ansible_collections.exoguard.mailflow.plugins.module_utils._cmdlet_table import PARAMETERS
        known = [PARAMETERS.get(cmdlet, {}) for cmdlet in self.extra_cmdlets]
        by_parameter = dict((prop.parameter.lower(), prop.option) for prop in self.properties)
        added = []
        for name in extra:
            key = str(name).lower()
            canonical = next((parameter for parameter in known[0] if parameter.lower() == key), None)
            require(canonical and key not in self.not_extra and all(canonical in table for table in known),
                    'extra_parameters', '%r is not a %s parameter this module can manage; see the cmdlet reference '
                    'for the names' % (name, self.extra_label))
            require(key not in by_parameter, 'extra_parameters',
                    '%s has its own option: use %s instead' % (canonical, by_parameter.get(key)))
            require(known[0][canonical] not in ('SwitchParameter', 'Hashtable[]'), 'extra_parameters',
                    '%s (%s) cannot be compared as a setting' % (canonical, known[0][canonical]))
            added.append(Property('extra_parameters.' + canonical, canonical, kind_for_type(known[0][canonical])))
        copy = type(self)()
        copy.properties = self.properties + tuple(added)
        return copy

    def desired_state(self, options, state):
        desired, state = super(ExtraParameters, self).desired_state(options, state)
        extra = dict((str(name).lower(), value) for name, value in (options.get('extra_parameters') or {}).items())
        for prop in self.properties:
            if prop.option.startswith('extra_parameters.'):
                desired[prop.option] = extra.get(prop.parameter.lower())
        return desired, state


class Outcome:
    """What :func:`ensure` did: ``changed``, ``before`` / ``after`` views for the diff, the ``record`` as it is
    after the run (or would be, in check mode), and ``warnings`` about the run."""

    def __init__(self, changed, before, after, record, warnings=None):
        self.changed = changed
        self.before = before
        self.after = after
        self.record = record
        self.warnings = warnings or []

    @property
    def diff(self):
        return {'before': self.before or {}, 'after': self.after or {}}


def desired_changes(resource, desired, record):
    """The (property, desired value) pairs that differ from ``record``; options left unset (None) are not managed."""
    return [(prop, desired[prop.option]) for prop in resource.properties
            if desired.get(prop.option) is not None and prop.differs(record, desired[prop.option])]


def ensure(client, resource, desired, identity=None, state='present', check_mode=False):
    """Bring one object to ``desired`` (option -> value; None means "leave as it is") and ``state``.

    Makes no write call when nothing differs or in check mode. A failed read raises: only a not-found answer means
    the object is absent.
    """
    resource.validate_identity(identity)
    resource.validate(desired, state)
    current = resource.read(client, identity)
    resource.validate_against(desired, current, state)
    desired, notes = resource.tolerate(desired, current, state)
    outcome = _converge(client, resource, desired, identity, state, check_mode, current)
    outcome.warnings = list(notes) + outcome.warnings
    return outcome


def _converge(client, resource, desired, identity, state, check_mode, current):
    before = resource.view(current)
    if state == 'absent':
        if current is None:
            return Outcome(False, None, None, None)
        if not check_mode:
            resource.delete(client, identity, current)
        return Outcome(True, before, None, None)
    changes = desired_changes(resource, desired, current)
    if not changes:
        return Outcome(False, before, before, current)
    if check_mode:
        predicted = resource.predict(current, identity, changes)
        return Outcome(True, before, resource.view(predicted), predicted)
    if current is None:
        _create(client, resource, identity, changes)
    else:
        resource.update(client, identity, current, changes)
    record = resource.read(client, identity)
    if record is None:
        raise ExoError('the %s %r was written but cannot be read back' % (resource.noun, identity),
                       tenant=client.tenant, cmdlet=resource.get_cmdlet)
    warnings = ['%s reads back as %r after it was set to %r; Exchange may still be applying it'
                % (prop.parameter, prop.current(record), value) for prop, value in changes if prop.differs(record, value)]
    return Outcome(True, before, resource.view(record), record, warnings)


def _create(client, resource, identity, changes):
    """Create the object once. When the answer is lost after the request left (the service may have acted), the
    create is never sent again: the object is read, and found means created."""
    try:
        resource.create(client, identity, changes)
    except Transient as error:
        if error.not_processed or resource.read(client, identity) is None:
            raise


def require(condition, option, fix):
    """Refuse bad input before any call, with a message that names the option and the fix."""
    if not condition:
        raise ConfigurationError('%s: %s' % (option, fix))
