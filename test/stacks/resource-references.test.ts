/**
 * The whole programs turn the SDK's resource references off unless the user's environment chose, and say so when
 * an SDK has no such flag.
 */
import * as pulumi from '@pulumi/pulumi';
import { disableResourceReferences, RESOURCE_REFERENCES_ENV } from '../../platform/cloud/stack/resource-references';

describe('disableResourceReferences', () => {
  test('turns the flag on when the environment does not set it', () => {
    const sdk = { disableResourceReferences: false };
    expect(disableResourceReferences({}, sdk)).toBe(true);
    expect(sdk.disableResourceReferences).toBe(true);
  });

  test.each([
    ['false', false],
    ['true', true],
  ])('leaves the SDK as %s in the environment set it', (value, applied) => {
    const sdk = { disableResourceReferences: applied };
    expect(disableResourceReferences({ [RESOURCE_REFERENCES_ENV]: value }, sdk)).toBe(applied);
    expect(sdk.disableResourceReferences).toBe(applied);
  });

  test('warns and changes nothing on an SDK without the flag', () => {
    const warn = jest.spyOn(pulumi.log, 'warn').mockResolvedValue(undefined);
    const sdk = {};
    expect(disableResourceReferences({}, sdk)).toBe(false);
    expect(sdk).toEqual({});
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`${RESOURCE_REFERENCES_ENV}=true`));
    warn.mockRestore();
  });

  test('the pinned @pulumi/pulumi has the flag its runtime reads', () => {
    // An SDK upgrade that drops or renames it fails here instead of silently costing the speed-up.
    expect(typeof (pulumi.utils as unknown as Record<string, unknown>).disableResourceReferences).toBe('boolean');
  });
});
