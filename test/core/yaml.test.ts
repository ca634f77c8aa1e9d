import { Testing, Yaml } from 'cdk8s';
import { REFERENCE_APPS } from '../../apps';
import { Database, Route, Service } from '../../platform';
import { ManifestYamlWriter, manifestYaml } from '../../platform/core/yaml';
import { newChart } from '../helpers';

/**
 * `manifestYaml(objects)`, and how many of the objects it handed whole to cdk8s's `Yaml.stringify` (the layouts
 * it does not do itself) rather than writing them.
 */
function write(objects: readonly unknown[], writer = new ManifestYamlWriter()): { yaml: string; handedOver: number } {
  const spy = jest.spyOn(Yaml, 'stringify');
  try {
    const yaml = writer.stringify(objects);
    return { yaml, handedOver: spy.mock.calls.filter(([doc]) => objects.includes(doc)).length };
  } finally {
    spy.mockRestore();
  }
}

/** What cdk8s itself writes. */
const cdk8s = (objects: readonly unknown[]): string => Yaml.stringify(...objects);

describe('manifestYaml writes the bytes cdk8s writes', () => {
  const app = Testing.app();
  const charts = Object.values(REFERENCE_APPS).map((build) => build(app));

  test.each(charts.map((c) => [c.node.id, c] as const))('reference app %s', (_, chart) => {
    const objects = chart.toJson();
    expect(write(objects).yaml).toBe(cdk8s(objects));
  });

  test('the objects of services, databases and routes are laid out by the writer itself', () => {
    const chart = newChart();
    const db = new Database(chart, 'db', { engine: 'postgres' });
    const web = new Service(chart, 'web', { image: 'nginxinc/nginx-unprivileged:1.27', port: 8080, metrics: {} });
    web.connectTo(db);
    new Route(chart, 'web-route', { host: 'web.example.com', via: 'gateway', paths: [{ to: web }] });
    const objects = chart.toJson();
    expect(write(objects)).toEqual({ yaml: cdk8s(objects), handedOver: 0 });
  });

  test('strings that YAML 1.1 reads as other types, or that need quotes or escapes', () => {
    const strings = [
      ...['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'No', 'NO', 'true', 'False', 'on', 'On', 'OFF', 'null', 'Null', '~'],
      ...['1', '0755', '0x1F', '0b101', '1e3', '1.5', '-2', '+3', '1_000', '1:20', '.inf', '-.Inf', '.nan', '.NaN'],
      ...['2001-12-14', '2001-12-14t21:59:43.10-05:00', '<<', '=', '', ' ', ' leading', 'trailing ', 'tab\there'],
      ...['a: b', 'a #b', '#x', 'x:', '- x', '-', '?', '? x', '[x]', '{x}', 'a,b', '*ref', '&anchor', '!tag', '|'],
      ...['>', "'q'", '"dq"', "it's", '%directive', '@at', '`tick`', 'ünïcödé', '日本', 'emoji 🚀', 'a\\b'],
      ...['ctrl\u0001', 'del\u007f', 'nbsp\u00a0', 'line\u2028sep', 'cr\rhere', 'x'.repeat(200), 'a b  c'],
      ...['ghcr.io/stefanprodan/podinfo:6.7.1', 'http://x:80/y?z=1&w', '$(DATABASE_USER)', '/healthz', 'a/b.c_d-e'],
      ...['a:b', 'a#b', 'a :b', 'a - b', 'x [y]', 'x {y}', "it's", 'say "hi"', 'a|b', 'a > b', 'a, b', 'a%', 'a@b'],
      ...['sum(rate(x{job="a"}[5m])) > 0.5', 'High error rate on {{ $labels.service }}', 'a ? b', 'a ! b', 'a & b'],
      ...['a: ', 'a:\t', 'a\t#b', 'x ', 'x:', 'x  #', 'Yes please', 'nullable', 'offset', 'y2', 'n-1', 'No.'],
    ];
    const objects = [{ kind: 'Test', list: strings, map: Object.fromEntries(strings.map((s, i) => [`k${i}`, s])) }];
    expect(write(objects)).toEqual({ yaml: cdk8s(objects), handedOver: 0 });
  });

  test('random printable strings, as values and as keys', () => {
    // A fixed-seed generator: the same strings on every run.
    let seed = 7;
    const next = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    const random = (alphabet: string, count: number) =>
      Array.from({ length: count }, () =>
        Array.from({ length: 1 + next(12) }, () => alphabet[next(alphabet.length)]).join(''),
      );
    const strings = [
      ...random('aZ09 :#-?,[]{}&*!|>\'"%@`.~=+$()<\\/\t\nyesnoOnull', 3000),
      // letters among number, date and time characters
      ...random('eEexXobn0123456789+-.:_ ', 3000).map((s, i) => (i % 2 ? s : `${'eEoxyn'[i % 6]}${s}`)),
    ];
    const values = [{ list: strings, nested: { deeper: [{ s: [...strings] }] } }];
    const keys = [Object.fromEntries(strings.filter((k) => !/\n|^(%|---|\.\.\.)/.test(k)).map((k, i) => [k, i]))];
    expect(write(values)).toEqual({ yaml: cdk8s(values), handedOver: 0 });
    expect(write(keys)).toEqual({ yaml: cdk8s(keys), handedOver: 0 });
  });

  test('keys that need quotes or are numbers', () => {
    const keys = ['80', 'yes', 'a: b', '', 'app.kubernetes.io/name', '#x', 'ünï', '-', 'on', 'x'.repeat(1024)];
    const objects = [Object.fromEntries(keys.map((k, i) => [k, i]))];
    expect(write(objects)).toEqual({ yaml: cdk8s(objects), handedOver: 0 });
  });

  test('numbers, booleans, null, and empty and nested collections', () => {
    const objects = [
      {
        numbers: [0, 1, -1, 1.5, 1e21, 1e-7, 2 ** 53, NaN, Infinity, -Infinity],
        flags: [true, false],
        nothing: null,
        empty: { map: {}, seq: [], inSeq: [{}, [], [[]], [{}]] },
        nested: [
          [1, 2],
          [[3], { a: [4, { b: 5 }] }],
        ],
        deep: { a: { b: { c: [{ d: { e: [] } }] } } },
      },
    ];
    expect(write(objects)).toEqual({ yaml: cdk8s(objects), handedOver: 0 });
  });

  test('scalars are learnt once per writer, and a reused writer gives the same output', () => {
    const writer = new ManifestYamlWriter();
    const objects = [{ a: 'yes', b: ['1', 1, '1'] }];
    expect(write(objects, writer).yaml).toBe(cdk8s(objects));
    const spy = jest.spyOn(Yaml, 'stringify');
    try {
      expect(writer.stringify(objects)).toBe(cdk8s(objects));
      expect(spy).toHaveBeenCalledTimes(1); // the comparison's own call
    } finally {
      spy.mockRestore();
    }
  });

  test('multi-line strings, indented to their depth, with every chomping and indentation indicator', () => {
    const strings = [
      ...['a\nb', 'a\nb\n', 'a\nb\n\n', 'a\nb\n\n\n', '\n', '\n\n', '\nstart', 'end\n', 'a\n\n\nb', ' lead\nx'],
      ...['x\n lead', 'trail \nx', 'x\n ', 'x\n\t', 'a\tb\nc', '#x\ny', 'x:\ny', '- a\n- b', '---\nx', 'x\n---\ny'],
      ...['x\n...', '%x\ny', 'a\r\nb', 'é\nü', '\u0001\nx', `${'long line '.repeat(10)}\nand more`, '"q"\n\'s\''],
      JSON.stringify({ title: 'dashboard', panels: [{ id: 1, targets: [{ expr: 'sum(rate(x[5m]))' }] }] }, null, 2),
      'sum by (le) (\n  rate(http_request_duration_seconds_bucket{job="x"}[5m])\n) > 0.5\n',
    ];
    const objects = [
      {
        kind: 'Test',
        top: strings,
        map: Object.fromEntries(strings.map((s, i) => [`k${i}`, s])),
        deep: { a: [{ b: { c: [...strings], d: strings[0] } }, [strings[1], [strings[2]]]] },
        after: 'a sibling after the last one',
      },
    ];
    expect(write(objects)).toEqual({ yaml: cdk8s(objects), handedOver: 0 });
  });

  test('single-line strings that look like document markers', () => {
    const objects = [{ marker: '--- not a document', end: '... nor an end', list: ['---', '...', '%x'] }];
    expect(write(objects)).toEqual({ yaml: cdk8s(objects), handedOver: 0 });
  });

  describe('objects the writer does not lay out itself are handed to cdk8s whole', () => {
    test.each([
      ['a key with a document marker', { '--- key': 1 }],
      ['a key over 1024 characters', { ['x'.repeat(1025)]: 1 }],
      ['a key with a line break', { 'a\nb': 1 }],
      ['-0', { zero: -0 }],
      ['an undefined value', { a: undefined, b: 1 }],
      ['a class instance', { when: new Date(0) }],
      ['an object referenced twice (an alias)', ((shared) => ({ a: shared, b: shared }))({ app: 'x' })],
      ['an empty object', {}],
      ['a string document', 'just a string'],
      ['an array document', [1, 2]],
    ])('%s', (_, object) => {
      const objects = [{ kind: 'Before' }, object, { kind: 'After' }];
      expect(write(objects)).toEqual({ yaml: cdk8s(objects), handedOver: 1 });
    });

    test('an undefined document is an empty line, as in cdk8s', () => {
      expect(manifestYaml([{ a: 1 }, undefined, { b: 2 }])).toBe(cdk8s([{ a: 1 }, undefined, { b: 2 }]));
    });
  });
});
