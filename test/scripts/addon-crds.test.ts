import { parse } from 'yaml';
import { stripSchemaDescriptions, withoutDescriptions, yaml11 } from '../../scripts/addon-crds';

describe('stripSchemaDescriptions', () => {
  const schema = {
    description: 'the root',
    type: 'object',
    required: ['description'],
    properties: {
      // A field named `description` is data of the schema, not documentation: it stays, its own doc goes.
      description: { description: 'what the object is for', type: 'string' },
      endpoints: {
        description: 'a list',
        type: 'array',
        items: { description: 'one endpoint', type: 'object', properties: { port: { type: 'integer' } } },
      },
      labels: { type: 'object', additionalProperties: { description: 'a value', type: 'string' } },
      either: { anyOf: [{ description: 'a number', type: 'integer' }, { type: 'string' }] },
      example: { type: 'object', default: { description: 'a default value keeps its keys' } },
    },
  };

  it('removes the description keyword at every level of the schema', () => {
    expect(stripSchemaDescriptions(schema)).toEqual({
      type: 'object',
      required: ['description'],
      properties: {
        description: { type: 'string' },
        endpoints: { type: 'array', items: { type: 'object', properties: { port: { type: 'integer' } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        either: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
        example: { type: 'object', default: { description: 'a default value keeps its keys' } },
      },
    });
  });

  it('leaves the rest of a CRD alone (printer columns keep their descriptions)', () => {
    const crd = {
      kind: 'CustomResourceDefinition',
      metadata: { name: 'things.example.com' },
      spec: {
        group: 'example.com',
        versions: [
          {
            name: 'v1',
            additionalPrinterColumns: [{ name: 'Age', description: 'how old', jsonPath: '.metadata.age' }],
            schema: { openAPIV3Schema: { description: 'a thing', type: 'object' } },
          },
        ],
      },
    };
    const stripped = withoutDescriptions(crd);
    expect(stripped.spec?.versions?.[0]).toEqual({
      ...crd.spec.versions[0],
      schema: { openAPIV3Schema: { type: 'object' } },
    });
    expect(crd.spec.versions[0].schema.openAPIV3Schema.description).toBe('a thing');
  });
});

describe('yaml11', () => {
  it('quotes the strings YAML 1.1 reads as booleans, so Go reads the enum it was given', () => {
    const crd = {
      kind: 'CustomResourceDefinition',
      spec: { group: 'x', versions: [] },
      enum: ['Auto', 'Off', 'yes', 'on'],
    } as const;
    const text = yaml11(crd as unknown as Parameters<typeof yaml11>[0]);
    expect(text).toContain('- "Off"');
    expect(parse(text, { version: '1.1' })).toEqual(crd);
    expect(parse(text, { version: '1.2' })).toEqual(crd);
  });
});
