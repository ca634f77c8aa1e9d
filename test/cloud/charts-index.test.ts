import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadAppManifest,
  parseChartsIndex,
  planSecrets,
  readChartsIndex,
  secretConfigCommand,
  selectApps,
  splitManifest,
  unusedSecretKeys,
  verifyManifest,
} from '../../platform/cloud/charts-index';
import { chatEntry, chatObjects, toYaml, writeChartsOut } from './fixtures';

describe('reading charts-out/index.json', () => {
  test('reads the apps of a valid index', () => {
    const { dir } = writeChartsOut();
    expect(readChartsIndex(dir).apps.map((a) => a.name)).toEqual(['chat', 'web']);
  });

  test('a missing index tells the user to run npm run synth', () => {
    expect(() => readChartsIndex('/nonexistent/charts-out')).toThrow(/index\.json does not exist.*npm run synth/);
  });

  test('an index of another format version is refused with both versions', () => {
    expect(() => parseChartsIndex(JSON.stringify({ version: 99, apps: [] }))).toThrow(
      /version is 99 but this Pulumi program reads version 1/,
    );
  });

  test('an index naming an unknown add-on is refused', () => {
    const { index } = writeChartsOut();
    const bad = { ...index, apps: [{ ...index.apps[0], addons: ['istio'] }] };
    expect(() => parseChartsIndex(JSON.stringify(bad))).toThrow(/apps\[0\]\.addons names unknown add-on "istio"/);
  });

  test.each([
    ['a non-object document', '[]', 'charts-out/index.json: the document is not an object'],
    ['apps that is not an array', '{"version":1,"apps":{}}', 'charts-out/index.json: apps is not an array'],
    ['an app that is not an object', '{"version":1,"apps":[1]}', 'charts-out/index.json: apps[0] is not an object'],
    [
      'an app without digest',
      '{"version":1,"apps":[{"name":"a","file":"a.yaml","namespace":"a"}]}',
      'charts-out/index.json: apps[0].digest is missing',
    ],
    [
      'an app whose secrets are not a list',
      '{"version":1,"apps":[{"name":"a","file":"f","namespace":"a","digest":"d","secrets":{},"addons":[],"stateful":[],"hosts":[]}]}',
      'charts-out/index.json: apps[0].secrets is not an array',
    ],
    [
      'an app without meshed flag',
      '{"version":1,"apps":[{"name":"a","file":"f","namespace":"a","digest":"d","secrets":[],"addons":[],"stateful":[],"hosts":[],"gatewayHttpsHosts":[]}]}',
      'charts-out/index.json: apps[0].meshed is not a boolean',
    ],
    [
      'an app without its gateway HTTPS hosts',
      '{"version":1,"apps":[{"name":"a","file":"f","namespace":"a","digest":"d","secrets":[],"addons":[],"stateful":[],"hosts":[],"meshed":false}]}',
      'charts-out/index.json: apps[0].gatewayHttpsHosts is not an array',
    ],
  ])('an index with %s is refused', (_what, text, message) => {
    expect(() => parseChartsIndex(text)).toThrow(message);
  });

  test('an index listing an app twice is refused', () => {
    const { index } = writeChartsOut();
    const twice = { ...index, apps: [index.apps[0], index.apps[0]] };
    expect(() => parseChartsIndex(JSON.stringify(twice))).toThrow('charts-out/index.json: apps lists "chat" twice');
  });

  test('invalid JSON is refused with a synth hint', () => {
    expect(() => parseChartsIndex('{')).toThrow(/not valid JSON.*npm run synth/);
  });

  test('selecting an unknown app lists the available ones', () => {
    const { index } = writeChartsOut();
    expect(() => selectApps(index, ['chat', 'meetings'])).toThrow(/"meetings" not found.*available: chat, web/);
  });

  test('no selection deploys every app', () => {
    const { index } = writeChartsOut();
    expect(selectApps(index, undefined)).toHaveLength(2);
  });
});

describe('refusing stale manifests', () => {
  test('a file whose digest matches the index is accepted', () => {
    const { dir, index } = writeChartsOut();
    expect(loadAppManifest(dir, index.apps[0])).toContain('kind: StatefulSet');
  });

  test('a file edited after synth is refused with both digests and npm run synth', () => {
    const { dir, index } = writeChartsOut({ tamper: true });
    expect(() => loadAppManifest(dir, index.apps[0])).toThrow(
      /chat\.k8s\.yaml \(app "chat"\) is stale: index\.json records sha256:[0-9a-f]{64} but the file hashes to sha256:[0-9a-f]{64}.*Run `npm run synth` and commit charts-out\//,
    );
  });

  test('a file listed in the index but missing is refused', () => {
    expect(() => verifyManifest(chatEntry('x'), undefined)).toThrow(
      /is missing but listed in index\.json.*npm run synth/,
    );
  });

  test('re-synthesized content with a stale index is refused', () => {
    const { dir, index } = writeChartsOut();
    writeFileSync(join(dir, 'chat.k8s.yaml'), toYaml(chatObjects().slice(0, 2)));
    expect(() => loadAppManifest(dir, index.apps[0])).toThrow(/is stale/);
  });
});

describe('splitting an app manifest', () => {
  const yamlText = toYaml(chatObjects());
  const split = splitManifest(chatEntry(yamlText), yamlText);

  test('the app Namespace object is set aside (Pulumi creates the namespace)', () => {
    expect(split.namespace?.metadata?.name).toBe('chat');
    expect([...split.stateful, ...split.rest].some((o) => o.kind === 'Namespace')).toBe(false);
  });

  test('objects listed as stateful go to the protected group', () => {
    expect(split.stateful.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['StatefulSet/postgres']);
  });

  test('everything else goes to the regular group', () => {
    expect(split.rest.map((o) => o.kind)).toEqual(['Deployment', 'Service', 'ServiceMonitor']);
  });

  test('a StatefulSet that deletes its volumes is refused', () => {
    const deleting = toYaml(chatObjects('Delete'));
    expect(() => splitManifest(chatEntry(deleting), deleting)).toThrow(
      /StatefulSet "postgres" sets persistentVolumeClaimRetentionPolicy whenDeleted: Delete.*must use Retain/,
    );
  });

  test('a stateful object listed in the index but absent from the YAML is refused', () => {
    const entry = chatEntry(yamlText, { stateful: [{ kind: 'PersistentVolumeClaim', name: 'uploads' }] });
    expect(() => splitManifest(entry, yamlText)).toThrow(
      /lists stateful PersistentVolumeClaim "uploads".*no such object/,
    );
  });

  test('a YAML document that is not a Kubernetes object is refused', () => {
    expect(() => splitManifest(chatEntry('- a\n'), '- a\n')).toThrow(/a document is not a Kubernetes object/);
  });

  test('invalid YAML is refused', () => {
    expect(() => splitManifest(chatEntry('a: [\n'), 'a: [\n')).toThrow(/invalid YAML/);
  });
});

describe('planning secrets', () => {
  const app = chatEntry(toYaml(chatObjects()));

  test('generated keys get random values unless config gives one', () => {
    const plans = planSecrets(app, new Set(['chat/smtp/password', 'chat/smtp/user']));
    expect(plans[0]).toMatchObject({ generated: ['password'], fromConfig: [] });
  });

  test('a config value overrides a generated key', () => {
    const plans = planSecrets(
      app,
      new Set(['chat/postgres-credentials/password', 'chat/smtp/password', 'chat/smtp/user']),
    );
    expect(plans[0]).toMatchObject({ generated: [], fromConfig: ['password'] });
  });

  test('a missing non-generated value names app, secret, key and the exact command', () => {
    expect(() => planSecrets(app, new Set(['chat/smtp/user']))).toThrow(
      `app "chat" needs secret values Pulumi cannot generate; set them in the stack config:\n` +
        `  - Secret "smtp" key "password" (SMTP relay for notifications):\n` +
        `      pulumi config set --secret --path 'secrets["chat/smtp/password"]' <value>`,
    );
  });

  test('the config command uses the secrets map path', () => {
    expect(secretConfigCommand('a', 'b', 'c')).toBe(`pulumi config set --secret --path 'secrets["a/b/c"]' <value>`);
  });

  test('config secret keys matching no Secret are reported', () => {
    expect(unusedSecretKeys([app], ['chat/smtp/pasword', 'chat/smtp/user'])).toEqual(['chat/smtp/pasword']);
  });
});
