import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdRootSchema } from '../../scripts/lib/peer-schemas';
import {
  PEER_TOOLS,
  PeerConfigError,
  checkovFindings,
  kubeconformFindings,
  kubeScoreFindings,
  parsePeerConfig,
} from '../../scripts/lib/peers';

describe('peer checker configurations', () => {
  test.each(PEER_TOOLS)('the committed %s configuration gives every skip a reason', (tool) => {
    const file = join(__dirname, '../../scripts/checkers', `${tool}.yaml`);
    for (const skip of parsePeerConfig(readFileSync(file, 'utf8'), file))
      expect(skip.reason.length).toBeGreaterThan(20);
  });

  test('a skip without a reason is refused', () => {
    expect(() => parsePeerConfig('skip:\n  - id: CKV_K8S_15\n', 'checkov.yaml')).toThrow(
      new PeerConfigError('checkov.yaml: skip[0] (CKV_K8S_15) needs a one-line reason'),
    );
  });
});

describe('peer checker reports', () => {
  test('kube-score: critical and warning comments of checks that ran', () => {
    const report = JSON.stringify([
      {
        object_name: 'web',
        file_name: 'shop.k8s.yaml',
        type_meta: { kind: 'Deployment' },
        object_meta: { name: 'web', namespace: 'shop' },
        checks: [
          { check: { id: 'a', name: 'A' }, grade: 1, skipped: false, comments: [{ path: 'web', summary: 'bad' }] },
          { check: { id: 'b', name: 'B' }, grade: 10, skipped: false, comments: null },
          { check: { id: 'c', name: 'C' }, grade: 1, skipped: true, comments: null },
        ],
      },
    ]);
    expect(kubeScoreFindings(report)).toEqual([
      { tool: 'kube-score', file: 'shop.k8s.yaml', object: 'Deployment/shop/web', check: 'a', message: '(web) bad' },
    ]);
  });

  test('kubeconform: invalid objects and objects without a schema', () => {
    const report = JSON.stringify({
      resources: [
        { filename: 'a.yaml', kind: 'Foo', name: 'x', status: 'statusError', msg: 'could not find schema for Foo' },
        { filename: 'a.yaml', kind: 'Service', name: 'y', status: 'statusValid', msg: '' },
      ],
    });
    expect(kubeconformFindings(report)).toEqual([
      {
        tool: 'kubeconform',
        file: 'a.yaml',
        object: 'Foo/x',
        check: 'error',
        message: 'could not find schema for Foo',
      },
    ]);
  });

  test('checkov: failed checks, with the object read from the resource id', () => {
    const report = JSON.stringify({
      results: {
        failed_checks: [
          { check_id: 'CKV_K8S_8', check_name: 'Liveness', file_path: '/a.yaml', resource: 'Deployment.shop.web' },
        ],
      },
    });
    expect(checkovFindings(report)).toEqual([
      { tool: 'checkov', file: 'a.yaml', object: 'Deployment/shop/web', check: 'CKV_K8S_8', message: 'Liveness' },
    ]);
  });
});

describe('CRD schemas for kubeconform', () => {
  test('objects are strict, nullable admits null, int-or-string takes either, the root allows apiVersion/kind/metadata', () => {
    const schema = crdRootSchema({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { port: { 'x-kubernetes-int-or-string': true }, note: { type: 'string', nullable: true } },
        },
        status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
      },
    });
    expect(schema).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: {
            port: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
            note: { type: ['string', 'null'] },
          },
        },
        status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
      },
    });
  });
});
