#!/usr/bin/env python3
"""Several thousand malformed inputs against the odimo CLI: every numeric field of
the shipped SoC, network, mapping, calibration and sweep files set to absurd values, structural
edits of networks and mappings, bad option texts, mutated search reports and point folders.

Each case runs in a fresh folder with a 20 s limit. A case is
  ok      exit 2 with exactly one line on stderr (refused), or exit 1 of a failed check;
  ACCEPT  exit 0 (the value was legal, e.g. 0 or -0 where allowed: listed for review);
  MULTI   exit 2 with more than one stderr line;
  BAD     any other exit (crash, internal error 3, timeout 124) or a sanitizer/terminate message.
Exits 1 when a case is MULTI or BAD; WORKDIR/accepted.txt lists the accepted cases. Not in CI (minutes of CPU); run by hand:
    python3 tests/malformed/malformed.py build/cli/odimo /tmp/malformed [--only FAMILY]
"""
import copy, json, os, re, shutil, subprocess, sys

NUMBER = re.compile(r'^(\s*)([a-z_]+)(:\s*)(-?[0-9][0-9.e+-]*)(.*)$')
ABSURD = ['-1', '0', 'nan', 'inf', '-inf', '1e308', '99999999999999999999', '2147483648',
          '4294967297', '1.5', '-0', '1e-320', '100000']


class Cases:
    def __init__(self, odimo, work):
        self.odimo, self.work, self.files = odimo, work, os.path.join(work, 'files')
        self.list = []  # (family, args)

    def path(self, name):
        return os.path.join(self.files, name)

    def write(self, name, text):
        mode = 'wb' if isinstance(text, bytes) else 'w'
        with open(self.path(name), mode) as f:
            f.write(text)
        return self.path(name)

    def add(self, family, args):
        self.list.append((family, args))

    def numeric_fields(self, family, src, tag, command):
        """Every `key: number` line of `src`, each set to every absurd value (2 lines per key)."""
        lines = open(self.path(src)).read().split('\n')
        per_key = {}
        for i, line in enumerate(lines):
            m = NUMBER.match(line)
            if not m or per_key.get(m.group(2), 0) >= 2:
                continue
            per_key[m.group(2)] = per_key.get(m.group(2), 0) + 1
            for j, v in enumerate(ABSURD):
                edited = lines[:i] + [m.group(1) + m.group(2) + m.group(3) + v + m.group(5)] + lines[i + 1:]
                self.add(family, command(self.write(f'{tag}_{i}_{j}.pbtxt', '\n'.join(edited))))


def shipped(c):
    os.makedirs(c.files, exist_ok=True)
    subprocess.run([c.odimo, 'workloads', '--write', c.files], check=True, stdout=subprocess.DEVNULL)
    for soc in ['diana', 'darkside']:
        subprocess.run([c.odimo, 'socs', soc], check=True, stdout=open(c.path(soc + '.pbtxt'), 'w'))
    point = c.path('point')
    subprocess.run([c.odimo, 'search', '--soc', 'diana', '--net', 'tiny', '--dataset', 'synthetic', '--epochs',
                    '1,1,1', '--steps-per-epoch', '1', '--batch', '4', '--lambda', '1', '--out', point, '--quiet'],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.copy(os.path.join(point, 'mapping.pbtxt'), c.path('tiny.mapping.pbtxt'))


def description_files(c):
    f = c.files
    c.numeric_fields('soc', 'diana.pbtxt', 'sd', lambda p: ['simulate', '--soc', p, '--net', f + '/tiny.pbtxt',
                                                            '--mapping', 'all:aimc'])
    c.numeric_fields('soc', 'darkside.pbtxt', 'sk', lambda p: ['cost', '--soc', p, '--net',
                                                               f + '/mobilenetv1-0.25-cifar.pbtxt', '--input', '3x8x8'])
    c.numeric_fields('network', 'tiny.pbtxt', 'nt', lambda p: ['simulate', '--soc', f + '/diana.pbtxt', '--net', p])
    c.numeric_fields('network', 'resnet8.pbtxt', 'r8', lambda p: ['cost', '--soc', f + '/darkside.pbtxt', '--net', p])
    c.numeric_fields('mapping', 'tiny.mapping.pbtxt', 'mp',
                     lambda p: ['simulate', '--soc', f + '/diana.pbtxt', '--net', f + '/tiny.pbtxt', '--mapping', p])


def structures(c):
    tiny = open(c.path('tiny.pbtxt')).read()
    edits = {
        'self_input': tiny.replace('inputs: "conv1_bn"', 'inputs: "conv1_relu"', 1),
        'dangling': tiny.replace('inputs: "conv1_bn"', 'inputs: "nowhere"', 1),
        'duplicate_name': tiny.replace('name: "conv2"', 'name: "conv1"', 1),
        'empty_name': tiny.replace('name: "conv2"', 'name: ""', 1),
        'unknown_op': tiny.replace('op: "relu6"', 'op: "gelu"', 1),
        'add_one_input': tiny.replace('  inputs: "conv2_bn"\n  inputs: "conv1_relu"\n', '  inputs: "conv2_bn"\n', 1),
        'no_layers': 'name: "x"\ninput { c: 1 h: 8 w: 8 }\nclasses: 4\n',
        'wrong_classes': tiny.replace('classes: 4', 'classes: 2000000000'),
        'truncated': tiny[:len(tiny) // 2], 'binary': b'\x00\x01garbage\xff', 'empty': '',
        'unknown_field': tiny.replace('classes: 4', 'classes: 4\ncolour: 3'),
        'huge_stride': tiny.replace('kernel: 3', 'kernel: 3\n  stride: 1000', 1),
        'bad_groups': tiny.replace('kernel: 3', 'kernel: 3\n  groups: 3', 1),
    }
    for name, text in edits.items():
        p = c.write(f'net_{name}.pbtxt', text)
        c.add('structure', ['inspect', p])
        c.add('structure', ['train', '--net', p, '--dataset', 'synthetic', '--epochs', '1', '--steps-per-epoch', '1',
                            '--batch', '4', '--out', 'o', '--quiet'])
    mp = open(c.path('tiny.mapping.pbtxt')).read()
    medits = {
        'other_network': mp.replace('network: "tiny"', 'network: "resnet8"'),
        'other_soc': mp.replace('soc: "diana"', 'soc: "darkside"'),
        'unknown_layer': mp.replace('layer: "conv2"', 'layer: "convX"'), 'unknown_cu': mp.replace('cu: "digital"', 'cu: "gpu"', 1),
        'layer_twice': mp + '\nlayer {\n  layer: "conv2"\n  split {\n    cu: "digital"\n    count: 8\n  }\n}\n',
        'permutation_twice': re.sub(r'permutation: (\d+)\n(\s*)permutation: \d+', r'permutation: \1\n\2permutation: \1', mp, 1),
    }
    for name, text in medits.items():
        p = c.write(f'map_{name}.pbtxt', text)
        c.add('structure', ['simulate', '--soc', c.files + '/diana.pbtxt', '--net', c.files + '/tiny.pbtxt', '--mapping', p])


def options(c):
    train = ['train', '--net', 'tiny', '--dataset', 'synthetic', '--epochs', '1', '--steps-per-epoch', '1', '--batch', '4',
             '--out', 'o', '--quiet']
    search = ['search', '--soc', 'diana', '--net', 'tiny', '--dataset', 'synthetic', '--epochs', '1,1,1',
              '--steps-per-epoch', '1', '--batch', '4', '--lambda', '1', '--out', 'o', '--quiet', '--no-replay']
    texts = ['nan', 'inf', '-1', '1e308', '99999999999999999999', 'abc', '', '1e3', '0x10', ' 5', '18446744073709551617']
    for base, opts in [(train, ['--val-fraction', '--epochs', '--batch', '--lr', '--momentum', '--weight-decay',
                                '--gamma', '--steps-per-epoch', '--seed', '--threads']),
                       (search, ['--batch', '--threads', '--seed', '--lr', '--arch-lr', '--lambda']),
                       (['validate', '--soc', 'diana', '--net', 'tiny'], ['--random-splits', '--max-mape', '--max-err'])]:
        for o in opts:
            for t in texts:
                c.add('option', base + [o, t])
    sweep = ['sweep', '--soc', 'diana', '--net', 'tiny', '--dataset', 'synthetic', '--out', 'o', '--lambdas', '1']
    for o, vals in [('--lambdas', ['nan', '1,,2', '-1', '1,1']), ('--seeds', ['-1', '1,1', '1,,2', '4294967296']),
                    ('--baselines', ['all:nothing', 'minlat,,', 'all:'])]:
        for v in vals:
            c.add('option', sweep + [o, v])


def reports(c):
    point = c.path('point')
    good = json.load(open(os.path.join(point, 'report.json')))
    values = {'nan': 'NaN', 'neg': -1, 'big': 1e308, 'str': 'abc', 'list': [1], 'obj': {}}
    for key in ['soc', 'network', 'input', 'dataset', 'lambda', 'seed', 'test_accuracy', 'kind', 'label',
                'mapping_file', 'weights_file', 'network_file', 'soc_file', 'init', 'channels', 'analytic', 'simulated']:
        for vname, v in values.items():
            sweep = c.path(f'sweep_{key}_{vname}')
            shutil.rmtree(sweep, ignore_errors=True)
            for i in range(2):
                shutil.copytree(point, f'{sweep}/point-00{i}')
            r = copy.deepcopy(good)
            r['label'], r['lambda'] = 'lambda=2', 2
            r[key] = v
            text = json.dumps(r).replace('"NaN"', 'NaN')
            open(f'{sweep}/point-001/report.json', 'w').write(text)
            c.add('report', ['pareto', sweep])
            c.add('report', ['replay', f'{sweep}/point-001'])
            c.add('report', ['deploy', f'{sweep}/point-001', '--images', '8', '--calibration-images', '8', '--quiet',
                             '--out', 'x.json'])


def run(c, only):
    tally, flagged = {}, []
    accepted = open(os.path.join(c.work, 'accepted.txt'), 'w')  # for review: legal values, or lies
    for n, (family, args) in enumerate(c.list):
        if only and family != only:
            continue
        d = os.path.join(c.work, 'runs', str(n))
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        try:
            p = subprocess.run([c.odimo] + args, cwd=d, capture_output=True, text=True, timeout=20)
            rc, err = p.returncode, p.stderr
        except subprocess.TimeoutExpired:
            rc, err = 124, ''
        lines = err.count('\n')
        verdict = 'ok' if rc in (1, 2) and (rc == 1 or lines == 1) else 'ACCEPT' if rc == 0 else \
                  'MULTI' if rc == 2 else 'BAD'
        if re.search(r'internal error|terminate|Sanitizer|what\(\)', err):
            verdict = 'BAD'
        tally[(family, verdict)] = tally.get((family, verdict), 0) + 1
        if verdict in ('BAD', 'MULTI'):
            flagged.append(f'{verdict} rc={rc} odimo {" ".join(args)}: {err.strip()[:300]}')
        if verdict == 'ACCEPT':
            accepted.write(f'{family}: odimo {" ".join(args)}\n')
        shutil.rmtree(d, ignore_errors=True)
    for (family, verdict), k in sorted(tally.items()):
        print(f'{family:10s} {verdict:7s} {k}')
    print(f'{sum(tally.values())} cases')
    for f in flagged:
        print(f)
    return 1 if flagged else 0


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    odimo, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    only = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == '--only' else None
    shutil.rmtree(work, ignore_errors=True)
    c = Cases(odimo, work)
    shipped(c)
    for family in (description_files, structures, options, reports):
        family(c)
    sys.exit(run(c, only))


if __name__ == '__main__':
    main()
