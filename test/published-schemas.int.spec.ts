import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { CatalogueEntries, NOT_BEFORE_KEYWORD, publishedSchemas, type AidEvent } from '@aidwatch/domain';
import { SampleBuilders } from '@aidwatch/domain/testing';
import { demoScenario } from '../apps/aidwatch/src/demo/demo-scenario';
import { shrinkageStory } from './support/stories';

// The published JSON Schemas, read as an outside producer would: a stock Ajv with ajv-formats, nothing of
// AidWatch's code. Every sample event the tests use must pass the schema of its type.

describe('the published JSON Schemas', () => {
  const ajv = new Ajv({ allErrors: true, strictTypes: false }); // Ajv's default strictness otherwise
  addFormats(ajv);
  ajv.addVocabulary([NOT_BEFORE_KEYWORD]);
  const schemas = publishedSchemas();
  const validators = new Map(Object.entries(schemas).map(([name, schema]) => [name, ajv.compile(schema)]));

  const corpora: Array<[string, AidEvent[]]> = [
    ['the domain samples', Object.values(SampleBuilders).map((build) => build())],
    ['the shrinkage story of the end-to-end tests', shrinkageStory('schemas').events],
    ['the demo scenario', demoScenario() as AidEvent[]],
  ];

  it('has one schema per data shape and one per whole event, for every catalogued type', () => {
    expect(Object.keys(schemas).sort()).toEqual(
      CatalogueEntries.flatMap((e) => [e.type, `${e.type}.data`]).sort(),
    );
  });

  it.each(corpora)('accept every event of %s, whole and its data', (_name, events) => {
    expect(events.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const event of events) {
      for (const [name, value] of [
        [event.type, event],
        [`${event.type}.data`, event.data],
      ] as const) {
        const validate = validators.get(name);
        if (!validate) failures.push(`${event.id}: no schema ${name}`);
        else if (!validate(value)) failures.push(`${event.id} (${name}): ${ajv.errorsText(validate.errors)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses what the contract refuses (the schemas are not vacuous)', () => {
    const position = SampleBuilders['aidwatch.vessel.position.v1']();
    const validate = validators.get(position.type)!;
    expect(validate({ ...position, subject: '' })).toBe(false);
    expect(validate({ ...position, MyExtension: 'x' })).toBe(false);
    expect(validate({ ...position, data: { ...position.data, lat: 91 } })).toBe(false);
    expect(validate({ ...position, data_base64: 'e30=' })).toBe(false);
  });
});
