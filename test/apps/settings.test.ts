import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { synthesizeApps } from '../../apps/main';
import { AppSettings, CONTEXT_ENV, contextFromArgs, contextFromEnv } from '../../apps/settings';
import { PlatformChart } from '../../platform';

const chartWith = (context: Record<string, string>) => {
  const app = Testing.app();
  Object.entries(context).forEach(([k, v]) => app.node.setContext(k, v));
  return new AppSettings(new PlatformChart(app, 'chat'));
};

describe('AppSettings', () => {
  test('defaults: example.com, cluster storage class, the app’s own replicas and images', () => {
    const s = chartWith({});
    expect(s.host('chat')).toBe('chat.example.com');
    expect(s.storageClass).toBeUndefined();
    expect(s.replicas('backend', { min: 3, max: 10 })).toEqual({ min: 3, max: 10 });
    expect(s.image('backend', 'a:1')).toBe('a:1');
    expect(s.image('postgres')).toBeUndefined();
  });

  test('context overrides domain, storage class, replicas (count or bounds) and images per workload', () => {
    const s = chartWith({
      domain: 'demo.example.org',
      storageClass: 'premium-rwo',
      'chat/backend/replicas': '2..4',
      'chat/frontend/replicas': '1',
      'chat/backend/image': 'registry.example.org/chat-backend:1.2.3',
    });
    expect(s.host('chat')).toBe('chat.demo.example.org');
    expect(s.storageClass).toBe('premium-rwo');
    expect(s.replicas('backend', { min: 3, max: 10, cpuUtilization: 60 })).toEqual({
      min: 2,
      max: 4,
      cpuUtilization: 60,
    });
    expect(s.replicas('frontend', { min: 3, max: 6 })).toBe(1);
    expect(s.image('backend', 'a:1')).toBe('registry.example.org/chat-backend:1.2.3');
  });

  test('rejects a malformed replica setting with the key and the accepted forms', () => {
    expect(() => chartWith({ 'chat/backend/replicas': 'many' }).replicas('backend', 3)).toThrow(
      'context chat/backend/replicas: "many" is not a replica setting; use "3" or "2..10"',
    );
  });

  test('reads PLATFORM_CONTEXT as a JSON object and rejects anything else', () => {
    expect(contextFromEnv({ [CONTEXT_ENV]: '{"domain":"x.org"}' })).toEqual({ domain: 'x.org' });
    expect(contextFromEnv({})).toEqual({});
    expect(() => contextFromEnv({ [CONTEXT_ENV]: '{domain' })).toThrow('PLATFORM_CONTEXT is not JSON');
    expect(() => contextFromEnv({ [CONTEXT_ENV]: '["x"]' })).toThrow('PLATFORM_CONTEXT is not a JSON object');
  });

  test('reads --context key=value arguments', () => {
    expect(contextFromArgs(['--out', 'x', '--context', 'domain=a.org', '--context', 'chat/db/image=pg:16'])).toEqual({
      domain: 'a.org',
      'chat/db/image': 'pg:16',
    });
    expect(() => contextFromArgs(['--context', 'domain'])).toThrow('use --context key=value');
  });

  test('a synth with a domain setting renames every host without editing the app', () => {
    const out = mkdtempSync(join(tmpdir(), 'settings-'));
    const index = synthesizeApps(out, undefined, { domain: 'demo.example.org' });
    expect(index.apps.flatMap((a) => a.hosts).every((h) => h.endsWith('.demo.example.org'))).toBe(true);
    const objects = parseAllDocuments(readFileSync(join(out, 'chat.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    const routes = objects.filter((o) => o.kind === 'HTTPRoute' && !o.metadata.name.endsWith('-https-redirect'));
    expect(routes.flatMap((r) => r.spec.hostnames)).toEqual(['chat.demo.example.org']);
  });
});
