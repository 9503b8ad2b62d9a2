#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet benchmark: playbooks/audit.yml and harden.yml over N emulated tenants, and what they cost the controller.

    python tests/bench/run.py [--tenants 5] [--latency-ms 0] [--forks 5] [--module-tenants N] [--json FILE] [--check]

Starts one emulator (a process of its own, its CPU reported apart) with the tenants and a latency injected into
every API call, writes an inventory, then for each path (in-process action plugins; the module path with
EXOGUARD_IN_PROCESS=false, on --module-tenants other tenants so both start from Exchange's defaults) runs
audit.yml, harden.yml (the role variables of scripts/demo: no DNS) and audit.yml again with F forks, each with a
cold token cache. The floor is the same shape (as many tasks per host as the run had) of ansible.builtin.debug
tasks over the same hosts. One table is printed: wall time, controller CPU (the ansible-playbook process tree, from
getrusage(RUSAGE_CHILDREN) of a wrapper around it) in all, per tenant and per task, the ratio of CPU per task to the
floor's, peak RSS (the largest process of the tree), API calls and reads per tenant, reads of a kind already read
(not counting the read-back after a write), token requests per tenant, and the emulator's CPU.

--check fails (exit 1) unless every run succeeded on every tenant, harden changed every tenant and the audit after
it reports no drift anywhere, every tenant asked for exactly one token per run, and no call carried another
tenant's token. Timings are never checked. The collection is taken from ANSIBLE_COLLECTIONS_PATH (`make bench` points
it at .build); without it the working tree is copied to a temporary directory.
"""

from __future__ import annotations

import argparse
import collections
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RECAP = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)'
                   r'\s+rescued=(\d+)\s+ignored=(\d+)')
SEQUENCE = (('audit', 'audit.yml'), ('harden', 'harden.yml'), ('re-audit', 'audit.yml'))
PATHS = (('in-process', 'true'), ('module', 'false'))


def lab_vars():
    """The role variables `make demo` runs with (scripts/demo LAB_VARS): the lab has no DNS."""
    loader = importlib.machinery.SourceFileLoader('exoguard_demo', os.path.join(ROOT, 'scripts', 'demo'))
    demo = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(demo)
    return dict(demo.LAB_VARS)


def scenario(count, offset):
    tenants = []
    for number in range(offset, offset + count):
        name = 'bench%05d' % number
        tenants.append({
            'tenant_id': str(uuid.uuid5(uuid.NAMESPACE_DNS, name + '.tenant')),
            'organization': name + '.onmicrosoft.com',
            'accepted_domains': [name + '.example', name + '.onmicrosoft.com'],
            'apps': [{'client_id': str(uuid.uuid5(uuid.NAMESPACE_DNS, name + '.app')),
                      'client_secret': 'bench-secret-' + name, 'role': 'Exchange Administrator'}],
        })
    return tenants


class Emulator:
    """The emulator in a process of its own; ``cpu()`` is its CPU time so far (all threads)."""

    def __init__(self, work, tenants, latency_ms):
        path = os.path.join(work, 'scenario.yml')
        with open(path, 'w') as handle:
            yaml.safe_dump({'tenants': tenants}, handle)
        ready = os.path.join(work, 'ready.json')
        if os.path.exists(ready):
            os.unlink(ready)
        self.log = open(os.path.join(work, 'emulator.log'), 'w')
        self.process = subprocess.Popen([sys.executable, os.path.join(ROOT, 'tests', 'emulator', 'exo-emulator'),
                                         '--scenario', path, '--ready-file', ready, '--latency-ms', str(latency_ms)],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while not os.path.exists(ready):
            if self.process.poll() is not None or time.time() > deadline:
                self.stop()
                sys.exit('the emulator did not start; see %s' % self.log.name)
            time.sleep(0.1)
        try:
            with open(ready) as handle:
                self.ready = json.load(handle)
            self._context = ssl.create_default_context(cafile=self.ready['ca_file'])
        except BaseException:
            self.stop()
            raise

    def admin(self, path, method='GET'):
        request = urllib.request.Request(self.ready['admin_url'] + path, method=method)
        with urllib.request.urlopen(request, context=self._context, timeout=120) as answer:
            return json.load(answer)

    def cpu(self):
        with open('/proc/%d/stat' % self.process.pid) as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / float(os.sysconf('SC_CLK_TCK'))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def write_inventory(path, ready, tenants):
    sys.path.insert(0, os.path.join(ROOT, 'scripts'))
    from lab_inventory import inventory  # pylint: disable=import-outside-toplevel
    names = set(tenant['organization'] for tenant in tenants)
    document = inventory(dict(ready, tenants=[t for t in ready['tenants'] if t['organization'] in names]),
                         python=sys.executable)
    # The emulator's CA comes from the environment (EXO_CA_PATH), as an AWX credential would give it: a real tenant
    # needs no ca_path, and the controller then makes the one TLS context before forking. From a host variable, each
    # task would make its own (~2.5 ms).
    for host in document['all']['children']['tenants']['hosts'].values():
        host.pop('exo_ca_path', None)
    with open(path, 'w') as handle:
        yaml.safe_dump(document, handle)


def floor_playbook(path, tasks):
    """``tasks`` debug tasks per host: what Ansible itself costs for a play of that many tasks."""
    play = {'name': 'Floor', 'hosts': 'all', 'gather_facts': False,
            'tasks': [{'name': 'Floor task %d' % number, 'ansible.builtin.debug': {'msg': '{{ inventory_hostname }}'}}
                      for number in range(tasks)]}
    with open(path, 'w') as handle:
        yaml.safe_dump([play], handle, sort_keys=False)


_MEASURE = r'''
import json, resource, subprocess, sys
code = subprocess.call(sys.argv[2:], stdout=open(sys.argv[1], 'w'), stderr=subprocess.STDOUT)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({'code': code, 'cpu': usage.ru_utime + usage.ru_stime, 'maxrss_kb': usage.ru_maxrss}))
'''


def measured(command, env, log):
    """Run ``command`` under a wrapper whose children are only its process tree: exit code, CPU seconds of the
    whole tree, the peak RSS of its largest process, and wall time."""
    start = time.time()
    answer = subprocess.run([sys.executable, '-c', _MEASURE, log] + command, env=env, cwd=ROOT, check=True,
                            capture_output=True, text=True)
    outcome = json.loads(answer.stdout)
    outcome['wall'] = time.time() - start
    return outcome


def recap(log):
    hosts = {}
    with open(log) as handle:
        for line in handle:
            match = RECAP.match(line)
            if match:
                values = [int(value) for value in match.groups()[1:]]
                hosts[match.group(1)] = dict(zip(('ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued',
                                                  'ignored'), values))
    return hosts


def noun(cmdlet):
    return cmdlet.split('-', 1)[-1]


def call_counts(calls, tenant_ids):
    """Per tenant: calls, reads, writes, and reads of a kind (the cmdlet's noun) already read with nothing written
    to it since; the read-back after a write is not a repeat."""
    by_tenant = collections.defaultdict(list)
    foreign_tokens = 0
    for call in calls:
        by_tenant[call['tenant']].append(call)
        if call.get('token_tenant') and call['token_tenant'] != call['tenant']:
            foreign_tokens += 1
    counts = {}
    for tenant in tenant_ids:
        reads = writes = repeated = 0
        fresh = set()  # kinds read and not written since
        for call in by_tenant.get(tenant, []):
            kind = noun(call['cmdlet'])
            if call['write']:
                writes += 1
                fresh.discard(kind)
            else:
                reads += 1
                if kind in fresh:
                    repeated += 1
                fresh.add(kind)
        counts[tenant] = {'calls': reads + writes, 'reads': reads, 'writes': writes, 'repeated_reads': repeated}
    return counts, foreign_tokens


class Bench:
    def __init__(self, arguments, work, collections_path, ca_file):
        self.arguments = arguments
        self.ca_file = ca_file
        self.work = work
        self.collections_path = collections_path
        self.rows = []
        self.problems = []

    def env(self, in_process, run_name):
        return dict(os.environ, ANSIBLE_COLLECTIONS_PATH=self.collections_path, ANSIBLE_NOCOLOR='1',
                    ANSIBLE_FORCE_COLOR='0', ANSIBLE_RETRY_FILES_ENABLED='0', EXOGUARD_IN_PROCESS=in_process,
                    EXO_TOKEN_CACHE_DIR=os.path.join(self.work, 'tokens-' + run_name), EXO_CA_PATH=self.ca_file,
                    EXOGUARD_SNAPSHOT_DIR=os.path.join(self.work, 'snapshots-' + run_name))

    def playbook(self, emulator, label, path_name, in_process, inventory, playbook, tenant_ids, extra):
        run_name = '%s-%s' % (path_name, label)
        emulator.admin('calls', 'DELETE')
        emulator.admin('tokens', 'DELETE')
        cpu_before = emulator.cpu()
        log = os.path.join(self.work, run_name + '.log')
        command = [shutil.which('ansible-playbook') or 'ansible-playbook', '-i', inventory, '-f',
                   str(self.arguments.forks), playbook] + extra
        outcome = measured(command, self.env(in_process, run_name), log)
        emulator_cpu = emulator.cpu() - cpu_before
        hosts = recap(log)
        calls = emulator.admin('calls')['calls']
        with open(os.path.join(self.work, run_name + '.calls.json'), 'w') as handle:
            json.dump(calls, handle)
        counts, foreign = call_counts(calls, tenant_ids)
        tokens = dict((entry['tenant'], entry['count']) for entry in emulator.admin('tokens')['tokens'])
        row = self.row(label, path_name, outcome, hosts, len(tenant_ids), emulator_cpu)
        row.update(self.averages(counts, tokens, tenant_ids))
        row['log'] = log
        self.rows.append(row)
        self.judge(row, outcome, hosts, counts, tokens, foreign, tenant_ids)
        return row

    @staticmethod
    def row(label, path_name, outcome, hosts, tenants, emulator_cpu):
        tasks = max([host['ok'] + host['failed'] + host['skipped'] + host['unreachable'] for host in hosts.values()]
                    or [0])
        return {'run': label, 'path': path_name, 'tenants': tenants, 'tasks_per_host': tasks, 'wall_s': outcome['wall'],
                'cpu_s': outcome['cpu'], 'cpu_per_tenant_s': outcome['cpu'] / max(tenants, 1),
                'cpu_per_task_s': outcome['cpu'] / max(tenants * tasks, 1), 'peak_rss_mb': outcome['maxrss_kb'] / 1024.0,
                'emulator_cpu_s': emulator_cpu, 'exit_code': outcome['code'],
                'changed_hosts': sum(1 for host in hosts.values() if host['changed']),
                'failed_hosts': sum(1 for host in hosts.values() if host['failed'] or host['unreachable'])}

    @staticmethod
    def averages(counts, tokens, tenant_ids):
        total = float(max(len(tenant_ids), 1))
        return {'calls_per_tenant': sum(c['calls'] for c in counts.values()) / total,
                'reads_per_tenant': sum(c['reads'] for c in counts.values()) / total,
                'writes_per_tenant': sum(c['writes'] for c in counts.values()) / total,
                'repeated_reads_per_tenant': sum(c['repeated_reads'] for c in counts.values()) / total,
                'tokens_per_tenant': sum(tokens.get(tenant, 0) for tenant in tenant_ids) / total}

    def judge(self, row, outcome, hosts, counts, tokens, foreign, tenant_ids):
        name = '%s %s' % (row['path'], row['run'])
        if row['path'] == 'floor':
            if outcome['code'] != 0:
                self.problems.append('%s: exit %d (see %s)' % (name, outcome['code'], row['log']))
            return
        if outcome['code'] != 0 or row['failed_hosts'] or len(hosts) != len(tenant_ids):
            self.problems.append('%s: exit %d, %d of %d tenants failed or missing (see %s)'
                                 % (name, outcome['code'], row['failed_hosts'] + len(tenant_ids) - len(hosts),
                                    len(tenant_ids), row['log']))
        wrong_tokens = sorted(tenant for tenant in tenant_ids if tokens.get(tenant, 0) != 1)
        if wrong_tokens:
            self.problems.append('%s: %d tenants did not ask for exactly one token (%s: %s)'
                                 % (name, len(wrong_tokens), wrong_tokens[0], tokens.get(wrong_tokens[0], 0)))
        if foreign:
            self.problems.append('%s: %d calls carried another tenant\'s token' % (name, foreign))
        if row['run'] == 'harden' and row['changed_hosts'] != len(tenant_ids):
            self.problems.append('%s: only %d of %d tenants changed' % (name, row['changed_hosts'], len(tenant_ids)))
        hardened = any(other['run'] == 'harden' and other['path'] == row['path'] for other in self.rows)
        if row['run'] == 're-audit' and hardened and row['changed_hosts']:
            self.problems.append('%s: %d tenants still drift after harden' % (name, row['changed_hosts']))
        if row['run'] == 're-audit' and any(count['writes'] for count in counts.values()):
            self.problems.append('%s: the audit wrote' % name)

    def floor(self, reference, inventory):
        path = os.path.join(self.work, 'floor-%s.yml' % reference['run'])
        floor_playbook(path, reference['tasks_per_host'])
        log = os.path.join(self.work, 'floor-%s.log' % reference['run'])
        command = [shutil.which('ansible-playbook') or 'ansible-playbook', '-i', inventory, '-f',
                   str(self.arguments.forks), path]
        outcome = measured(command, self.env('true', 'floor'), log)
        hosts = recap(log)
        row = self.row(reference['run'], 'floor', outcome, hosts, reference['tenants'], 0.0)
        row.update(calls_per_tenant=0.0, reads_per_tenant=0.0, writes_per_tenant=0.0, repeated_reads_per_tenant=0.0,
                   tokens_per_tenant=0.0, log=log)
        self.judge(row, outcome, hosts, {}, {}, 0, [])
        self.rows.append(row)
        return row


COLUMNS = (
    ('run', 'run', '%s'), ('path', 'path', '%s'), ('tenants', 'tenants', '%d'), ('tasks_per_host', 'tasks/host', '%d'),
    ('wall_s', 'wall s', '%.1f'), ('cpu_s', 'CPU s', '%.1f'), ('cpu_per_tenant_s', 'CPU/tenant', '%.3f'),
    ('cpu_per_task_s', 'CPU/task', '%.4f'), ('floor_ratio', 'x floor', '%.2f'), ('peak_rss_mb', 'peak RSS MB', '%.0f'),
    ('calls_per_tenant', 'calls/tenant', '%.1f'), ('reads_per_tenant', 'reads', '%.1f'),
    ('repeated_reads_per_tenant', 'repeated', '%.1f'), ('tokens_per_tenant', 'tokens/tenant', '%.2f'),
    ('emulator_cpu_s', 'emulator CPU s', '%.1f'),
)


def table(rows):
    cells = [[title for _key, title, _form in COLUMNS]]
    for row in rows:
        cells.append([('-' if row.get(key) is None else form % row[key]) for key, _title, form in COLUMNS])
    widths = [max(len(line[index]) for line in cells) for index in range(len(COLUMNS))]
    lines = []
    for number, line in enumerate(cells):
        lines.append('| ' + ' | '.join(cell.ljust(width) for cell, width in zip(line, widths)) + ' |')
        if number == 0:
            lines.append('|' + '|'.join('-' * (width + 2) for width in widths) + '|')
    return '\n'.join(lines)


def collection_copy(work):
    if os.environ.get('ANSIBLE_COLLECTIONS_PATH'):
        return os.environ['ANSIBLE_COLLECTIONS_PATH']
    base = os.path.join(work, 'collections')
    subprocess.check_call([sys.executable, os.path.join(ROOT, 'scripts', 'sync_collection.py'), ROOT,
                           os.path.join(base, 'ansible_collections', 'exoguard', 'mailflow')], stdout=subprocess.DEVNULL)
    return base


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--tenants', type=int, default=5, help='tenants of the in-process runs (default 5)')
    parser.add_argument('--module-tenants', type=int, help='tenants of the module-path runs (default: --tenants; 0: none)')
    parser.add_argument('--latency-ms', type=int, default=0, help='latency the emulator adds to every API call')
    parser.add_argument('--forks', type=int, default=5)
    parser.add_argument('--runs', default='audit,harden,re-audit',
                        help='which of audit, harden, re-audit to run, in that order (default: all three)')
    parser.add_argument('--json', help='also write the rows as JSON to this file')
    parser.add_argument('--check', action='store_true', help='exit 1 unless every tenant converged with one token a run')
    parser.add_argument('--keep', action='store_true', help='keep the work directory (logs, inventories)')
    arguments = parser.parse_args(argv)
    module_tenants = arguments.tenants if arguments.module_tenants is None else arguments.module_tenants
    runs = [label.strip() for label in arguments.runs.split(',') if label.strip()]
    if not runs or set(runs) - set(label for label, _playbook in SEQUENCE):
        parser.error('--runs takes audit, harden, re-audit')
    sequence = [(label, playbook) for label, playbook in SEQUENCE if label in runs]

    work = tempfile.mkdtemp(prefix='exoguard-bench-')
    groups = [('in-process', 'true', scenario(arguments.tenants, 0))]
    if module_tenants:
        groups.append(('module', 'false', scenario(module_tenants, arguments.tenants)))
    emulator = Emulator(work, [tenant for _name, _value, tenants in groups for tenant in tenants], arguments.latency_ms)
    bench = Bench(arguments, work, collection_copy(work), emulator.ready['ca_file'])
    role_vars = ['-e', json.dumps(lab_vars())]
    try:
        for path_name, in_process, tenants in groups:
            inventory = os.path.join(work, 'inventory-%s.yml' % path_name)
            write_inventory(inventory, emulator.ready, tenants)
            tenant_ids = [tenant['tenant_id'] for tenant in tenants]
            for label, playbook in sequence:
                row = bench.playbook(emulator, label, path_name, in_process, inventory,
                                     os.path.join(ROOT, 'playbooks', playbook), tenant_ids, role_vars)
                print('%-10s %-10s %6.1f s wall, %7.1f CPU s' % (path_name, label, row['wall_s'], row['cpu_s']),
                      file=sys.stderr, flush=True)
            if path_name == 'in-process':
                for reference in [row for row in bench.rows if row['path'] == 'in-process' and row['run'] != 're-audit']:
                    row = bench.floor(reference, inventory)
                    print('%-10s %-10s %6.1f s wall, %7.1f CPU s' % ('floor', row['run'], row['wall_s'], row['cpu_s']),
                          file=sys.stderr, flush=True)
    finally:
        emulator.stop()
    floors = dict((row['run'], row['cpu_per_task_s']) for row in bench.rows if row['path'] == 'floor')
    floors['re-audit'] = floors.get('audit')
    for row in bench.rows:
        floor = floors.get(row['run'])
        row['floor_ratio'] = row['cpu_per_task_s'] / floor if floor else None
    order = dict(((label, path), number) for number, (label, path) in enumerate(
        (label, path) for label, _playbook in SEQUENCE for path in ('floor', 'in-process', 'module')))
    rows = sorted(bench.rows, key=lambda row: order[(row['run'], row['path'])])
    print('tenants %d (module path: %d), latency %d ms, forks %d, %d CPUs'
          % (arguments.tenants, module_tenants, arguments.latency_ms, arguments.forks, os.cpu_count()))
    print(table(rows))
    if arguments.json:
        with open(arguments.json, 'w') as handle:
            json.dump({'tenants': arguments.tenants, 'module_tenants': module_tenants,
                       'latency_ms': arguments.latency_ms, 'forks': arguments.forks, 'rows': rows}, handle, indent=2)
    if arguments.keep or bench.problems:
        print('work directory: %s' % work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    for problem in bench.problems:
        print('PROBLEM: ' + problem)
    if arguments.check and bench.problems:
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
