import type { CaseSummary, Machine } from '../../scripts/bench/results';
import {
  BEGIN_MARKER,
  END_MARKER,
  checkTargets,
  growth,
  marginal,
  markdownTable,
  renderResults,
  spliceResults,
  summarize,
} from '../../scripts/bench/results';

describe('summarize', () => {
  test('the median of an odd count is the middle value, whatever the order', () => {
    expect(summarize([5, 1, 3]).median).toBe(3);
  });

  test('the median of an even count is the mean of the two middle values', () => {
    expect(summarize([4, 1, 3, 2]).median).toBe(2.5);
  });

  test('the spread is half the range relative to the median', () => {
    expect(summarize([90, 100, 110])).toEqual({ median: 100, min: 90, max: 110, spread: 0.1 });
  });

  test('one value has no spread', () => {
    expect(summarize([7])).toEqual({ median: 7, min: 7, max: 7, spread: 0 });
  });

  test('no values is an error', () => {
    expect(() => summarize([])).toThrow('summarize: no values');
  });
});

describe('ratios', () => {
  test('growth is the large time over the small one', () => {
    expect(growth(2, 11)).toBe(5.5);
  });

  test('the marginal cost per unit cancels the fixed cost', () => {
    // 500 ms of start-up plus 3 ms per service
    expect(marginal(500 + 3 * 10, 10, 500 + 3 * 1000, 1000)).toBeCloseTo(3);
  });

  test('the marginal cost between equal sizes is an error', () => {
    expect(() => marginal(1, 10, 2, 10)).toThrow('the two sizes are equal');
  });
});

/** A case that ran `wall` ms (all runs alike), `rss` MB, with `objects`. */
function ran(id: string, wall: number, extra: Partial<CaseSummary> = {}): CaseSummary {
  return {
    id,
    title: id,
    runs: 3,
    warmup: 1,
    wallMs: summarize([wall]),
    rssMb: summarize([200]),
    ...extra,
  };
}

/** Every case, with figures that meet every target. */
const passing: CaseSummary[] = [
  ran('synth', 1000),
  ran('app-10', 800, { objects: 90, workMs: summarize([40]) }),
  ran('app-100', 1200, { objects: 900, workMs: summarize([400]) }),
  ran('app-1000', 5000, { objects: 9000, workMs: summarize([4200]) }),
  ran('bare-10', 600, { objects: 30 }),
  ran('bare-100', 900, { objects: 300 }),
  ran('bare-1000', 3600, { objects: 3000 }),
  ran('import-platform', 550, { importMs: summarize([150]) }),
  ran('import-cdk8s-plus-27', 500, { importMs: summarize([100]) }),
  ran('tests', 40000),
];

const byName = (checks: ReturnType<typeof checkTargets>, prefix: string) => {
  const found = checks.find((c) => c.name.startsWith(prefix));
  if (!found) throw new Error(`no check named ${prefix}...`);
  return found;
};

describe('checkTargets', () => {
  test('every target is met by figures under the limits', () => {
    const checks = checkTargets(passing).filter((c) => c.met !== undefined);
    expect(checks.map((c) => c.name.split(':')[0])).toEqual([
      'Synth of the reference apps, cold process',
      'Growth',
      '1000 services',
      '1000 services',
      'Per object (ours 9.0 objects per service, bare 3.0)',
      'Import, whole process',
      'Whole test suite',
    ]);
    expect(checks.every((c) => c.met)).toBe(true);
  });

  test('growth is time(1000) over time(100), whole process', () => {
    expect(byName(checkTargets(passing), 'Growth: ')).toMatchObject({ measured: '4.17', limit: '≤ 11', met: true });
  });

  test('growth of the work after module load is shown without a target', () => {
    const check = byName(checkTargets(passing), 'Growth of the work');
    expect([check.measured, check.met]).toEqual(['10.50', undefined]);
  });

  test('per-object overhead compares marginal costs per object, ours over bare cdk8s-plus-27', () => {
    // ours: (5000 - 800) / (9000 - 90); bare: (3600 - 600) / (3000 - 30)
    const ratio = (4200 / 8910 / (3000 / 2970)).toFixed(2);
    expect(byName(checkTargets(passing), 'Per object')).toMatchObject({ measured: `${ratio}×`, met: true });
  });

  test('per-service overhead is shown without a target', () => {
    const ratio = (4200 / 990 / (3000 / 990)).toFixed(2);
    const check = byName(checkTargets(passing), 'Per service');
    expect([check.measured, check.met]).toEqual([`${ratio}×`, undefined]);
  });

  test('import ratio is the whole-process time of the platform over cdk8s-plus-27', () => {
    expect(byName(checkTargets(passing), 'Import, whole process')).toMatchObject({ measured: '1.10×', met: true });
  });

  test('figures over the limits are not met', () => {
    const slow = passing.map((c) =>
      c.id === 'app-1000' ? { ...c, wallMs: summarize([13300]), rssMb: summarize([450]) } : c,
    );
    const checks = checkTargets(slow);
    expect(byName(checks, 'Growth: ').met).toBe(false);
    expect(byName(checks, '1000 services: wall time').met).toBe(false);
    expect(byName(checks, '1000 services: peak RSS')).toMatchObject({ measured: '450 MB', met: false });
  });

  test('targets whose cases did not run, or failed, are left out', () => {
    const some = passing
      .filter((c) => c.id !== 'tests' && !c.id.startsWith('import'))
      .map((c) => (c.id === 'synth' ? { ...c, error: 'exit code 1' } : c));
    const names = checkTargets(some).map((c) => c.name);
    expect(names.some((n) => /Synth|Import|test suite/.test(n))).toBe(false);
    expect(names.some((n) => n.startsWith('Growth: '))).toBe(true);
  });
});

describe('Markdown', () => {
  const machine: Machine = {
    cores: 2,
    cpu: 'Test CPU',
    memoryGb: 8,
    node: '20.0.0',
    os: 'Linux 6',
    commit: 'abc1234',
    load: [0.5, 1.25],
    date: '2026-01-02',
  };

  test('a table has a header, a separator and one line per row', () => {
    expect(
      markdownTable(
        ['a', 'b'],
        [
          ['1', '2'],
          ['3', '4'],
        ],
      ),
    ).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |\n');
  });

  test('the results name the machine and give each case its median and spread', () => {
    const md = renderResults(machine, [
      { ...ran('synth', 1000), wallMs: summarize([900, 1000, 1200]), rssMb: summarize([150, 160, 170]) },
    ]);
    expect(md).toContain('2 cores (Test CPU), 8 GB, Node 20.0.0, Linux 6; load average 0.5 before, 1.3 after');
    expect(md).toContain('| synth | synth | 3 (+1) | 1.00 s | 0.90–1.20 (±15%) | 160 | 150–170 (±6%) |  |');
    expect(md).toContain('| Synth of the reference apps, cold process | 1.00 s | < 1.5 s | yes |');
  });

  test('a failed case says so in its row', () => {
    const md = renderResults(machine, [ran('tests', 1000, { error: 'exit code 1' })]);
    expect(md).toContain('| tests | tests | 3 | failed: exit code 1 |');
  });

  test('a target that is not met is marked', () => {
    const md = renderResults(machine, [ran('tests', 61000)]);
    expect(md).toContain('| Whole test suite | 61.00 s | < 60 s | **no** |');
  });
});

describe('spliceResults', () => {
  test('a new document gets a title and the generated part between markers', () => {
    const doc = spliceResults(undefined, 'TABLE\n');
    expect(doc).toBe(
      `# Benchmark results\n\nReproduce with \`npm run bench\`.\n\n${BEGIN_MARKER}\n\nTABLE\n\n${END_MARKER}\n`,
    );
  });

  test('only the part between the markers is replaced; the notes around it are kept', () => {
    const before = `# Title\n\nintro\n\n${BEGIN_MARKER}\nold\n${END_MARKER}\n\n## Notes\nkept\n`;
    expect(spliceResults(before, 'new')).toBe(
      `# Title\n\nintro\n\n${BEGIN_MARKER}\n\nnew\n\n${END_MARKER}\n\n## Notes\nkept\n`,
    );
  });

  test('a document without markers keeps its text and gets the generated part at the end', () => {
    expect(spliceResults('# Mine\n', 'new')).toBe(`# Mine\n\n${BEGIN_MARKER}\n\nnew\n\n${END_MARKER}\n`);
  });
});
