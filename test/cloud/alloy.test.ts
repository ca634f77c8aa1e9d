import { alloyConfig, alloyValues, ALLOY_NODE_NAME_ENV } from '../../platform/cloud/addons/loki';

/** The `selectors` blocks of the `discovery.kubernetes "pods"` component. */
function podSelectors(config: string): string[] {
  const start = config.indexOf('discovery.kubernetes "pods" {');
  const end = config.indexOf('\n}', start);
  return [...config.slice(start, end).matchAll(/selectors \{([^}]*)\}/g)].map((m) => m[1]);
}

describe('Alloy collects each pod’s logs once', () => {
  test('pod discovery keeps only the pods on Alloy’s own node', () => {
    const selectors = podSelectors(alloyConfig());
    expect(selectors).toHaveLength(1);
    expect(selectors[0]).toContain('role  = "pod"');
    expect(selectors[0]).toContain(`field = "spec.nodeName=" + sys.env("${ALLOY_NODE_NAME_ENV}")`);
  });

  test('the node name comes from the pod’s own spec.nodeName through the downward API', () => {
    expect(alloyValues().alloy.extraEnv).toEqual([
      { name: ALLOY_NODE_NAME_ENV, valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
    ]);
  });

  test('Alloy runs on every node, so that every node’s pods are collected', () => {
    expect(alloyValues().controller.type).toBe('daemonset');
  });

  test('the values carry exactly the generated configuration', () => {
    expect(alloyValues().alloy.configMap).toEqual({ create: true, content: alloyConfig() });
  });
});
