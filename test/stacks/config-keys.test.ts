import {
  APP_KEYS,
  checkConfigKeys,
  nearestKey,
  PLATFORM_KEYS,
  stackRole,
} from '../../platform/cloud/stack/config-keys';

describe('the k8s-platform config namespace', () => {
  test('the nearest known key of a typo', () => {
    expect(nearestKey('ingresServiceType', PLATFORM_KEYS)).toBe('ingressServiceType');
    expect(nearestKey('platformstack', [...APP_KEYS, ...PLATFORM_KEYS])).toBe('platformStack');
    expect(nearestKey('addon', PLATFORM_KEYS)).toBe('addons');
  });

  test('a stack that names its platform stack is an app stack', () => {
    expect(stackRole(['platformStack', 'app'])).toBe('app');
    expect(stackRole(['cloud'])).toBe('platform');
    expect(stackRole([])).toBe('platform');
  });

  test('known keys of the stack’s kind and other namespaces pass', () => {
    expect(() =>
      checkConfigKeys({ 'k8s-platform:cloud': 'eks', 'aws:region': 'eu-west-1', 'my-app:x': '1' }, 'platform'),
    ).not.toThrow();
    expect(() => checkConfigKeys({ 'k8s-platform:app': 'chat', 'k8s-platform:secrets': '{}' }, 'app')).not.toThrow();
  });

  test('an unknown key names the nearest one and never echoes the value', () => {
    const check = () => checkConfigKeys({ 'k8s-platform:secretz': 'hunter2' }, 'app');
    expect(check).toThrow('k8s-platform:secretz is set; unknown setting; did you mean k8s-platform:secrets?');
    expect(check).not.toThrow(/hunter2/);
  });
});
