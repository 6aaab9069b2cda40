import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { EventTypes, validateCloudEvent } from '@aidwatch/domain';
import { gunzipSync } from 'node:zlib';
import {
  designationStateOf,
  detectSanctionsFormat,
  isOfacAltCsv,
  isShipImo,
  namedShipsInComments,
  planImport,
  readSanctionsFile,
  SanctionsFormatError,
  shipsInComments,
  type ImportPlan,
} from '.';

const fixture = (name: string): Buffer => fs.readFileSync(path.join(__dirname, 'fixtures', name));
const NOW = new Date('2024-12-01T08:30:00.500Z');

/** Applies a plan's events to a log, as the store would (idempotent by id). */
function applied(log: Array<{ id: string; type: string; data: unknown }>, plan: ImportPlan) {
  const ids = new Set(log.map((e) => e.id));
  return [...log, ...plan.events.filter((e) => !ids.has(e.id))];
}

describe('OFAC SDN CSV (as OFAC serves it)', () => {
  const file = readSanctionsFile(fixture('ofac-sdn.csv'));

  it('reads the headerless CRLF file with its trailing 0x1A and keeps only the vessels', () => {
    expect(fixture('ofac-sdn.csv').at(-1)).toBe(0x1a);
    expect(file).toMatchObject({ list: 'OFAC-SDN', format: 'ofac-sdn-csv', entries: 9 });
    expect(file.vessels.map((v) => v.name)).toEqual([
      'YU JONG 2',
      'SAM JONG 2',
      'CHON MA SAN',
      'KUM UN SAN 3',
      'ADRIAN DARYA 1',
      'SONG HAE',
    ]);
  });

  it('reads it whatever trails the 0x1A or sits between records: newlines of either kind, blank lines, spaces', () => {
    const text = fixture('ofac-sdn.csv');
    for (const tail of ['\n', '\r\n', '\r\n\r\n', ' \r\n', '\n\n \n'])
      expect(readSanctionsFile(Buffer.concat([text, Buffer.from(tail)])).vessels).toEqual(file.vessels);
    const blank = Buffer.from(text.toString('latin1').replace('\r\n', '\r\n \r\n\n'), 'latin1');
    expect(readSanctionsFile(blank).vessels).toEqual(file.vessels);
  });

  it('takes the IMO number and MMSI from the remarks, "-0-" as empty, and split programmes', () => {
    expect(file.vessels[2]).toEqual({
      reference: '24336',
      name: 'CHON MA SAN',
      imo: '8660313',
      mmsi: '445602000',
      programs: ['DPRK3', 'DPRK4'],
      aliases: [],
      owner: 'KOREA ACHIM SHIPPING CO',
    });
    expect(file.vessels[3].owner).toBe('Korea Kumunsan Shipping Company');
    expect(file.vessels[5]).toMatchObject({ name: 'SONG HAE', mmsi: '445998000' });
    expect(file.vessels[5].imo).toBeUndefined();
  });

  it('says what a file is when it is not a list: empty, JSON, a web page, XML cut short', () => {
    const refusal = (text: string) => {
      try {
        readSanctionsFile(text);
        return 'read';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(refusal('  \n')).toBe('the file is empty');
    expect(refusal('{"vessels": []}')).toMatch(/^unknown list: JSON/);
    expect(refusal('<!DOCTYPE html><html><body>Not found</body></html>')).toMatch(/a web page, not the list/);
    expect(refusal('<?xml version="1.0"?><sdnList xmlns="x"><sdnEntry><uid>1</uid><lastName>A')).toBe(
      'not OFAC SDN XML: the XML is not well-formed (line 1: the file ends with <sdnList> > <sdnEntry> > <lastName> still open (cut short? download it again))',
    );
  });

  it('tells ALT.CSV from a list by its first records', () => {
    expect(isOfacAltCsv(fixture('ofac-alt.csv'))).toBe(true);
    expect(isOfacAltCsv(fixture('ofac-sdn.csv'))).toBe(false);
    expect(isOfacAltCsv(fixture('ofac-sdn.xml'))).toBe(false);
    expect(isOfacAltCsv('')).toBe(false);
  });

  it("takes the vessels' aliases from ALT.CSV, leaving out an alias equal to the name", () => {
    const withAliases = readSanctionsFile(fixture('ofac-sdn.csv'), undefined, fixture('ofac-alt.csv'));
    expect(withAliases.vessels.find((v) => v.reference === '24336')?.aliases).toEqual(['CHONMASAN']);
    expect(withAliases.vessels.find((v) => v.reference === '22720')?.aliases).toEqual(['KUM UN SAN 2']);
    expect(() => readSanctionsFile(fixture('ofac-sdn.xml'), undefined, fixture('ofac-alt.csv'))).toThrow(
      /ALT.CSV goes with/,
    );
    expect(() => readSanctionsFile(fixture('ofac-sdn.csv'), undefined, fixture('ofac-sdn.csv'))).toThrow(
      /not OFAC ALT CSV/,
    );
  });

  it('refuses a file with a header row or another column count', () => {
    expect(() => readSanctionsFile('ent_num,SDN_Name,SDN_Type\r\n', 'ofac-sdn-csv')).toThrow(
      SanctionsFormatError,
    );
    expect(() =>
      readSanctionsFile(
        'ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,Tonnage,GRT,Vess_flag,Vess_owner,Remarks\r\n',
      ),
    ).toThrow(/entry number/);
    expect(() => readSanctionsFile('')).toThrow(SanctionsFormatError);
  });
});

describe('the text of a list file', () => {
  it('is UTF-8: a Latin-1 byte is refused with where it is, not turned into U+FFFD in a vessel name', () => {
    const csv = fixture('ofac-sdn.csv');
    const at = csv.indexOf('YU JONG 2') + 4;
    const latin1 = Buffer.concat([csv.subarray(0, at), Buffer.from([0xd6]), csv.subarray(at + 1)]);
    expect(() => readSanctionsFile(latin1)).toThrow(SanctionsFormatError);
    expect(() => readSanctionsFile(latin1)).toThrow(/not UTF-8 text \(an invalid byte near byte \d+/);
  });

  it('in UTF-16 (with or without a byte-order mark) is refused as such', () => {
    const xml = fixture('un-consolidated.xml').toString('utf8');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
    expect(() => readSanctionsFile(utf16)).toThrow('UTF-16 or UTF-32 text; convert it to UTF-8');
    expect(() => readSanctionsFile(Buffer.from(xml, 'utf16le'))).toThrow('UTF-16 or UTF-32');
  });

  it('with a UTF-8 byte-order mark reads as without', () => {
    const csv = fixture('ofac-sdn.csv');
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv]);
    expect(readSanctionsFile(withBom).vessels).toEqual(readSanctionsFile(csv).vessels);
  });
});

describe('OFAC SDN XML (2024 namespace)', () => {
  const file = readSanctionsFile(fixture('ofac-sdn.xml'));

  it('reads vessels with ids, aliases, owner and the publish date', () => {
    expect(file).toMatchObject({
      list: 'OFAC-SDN',
      format: 'ofac-sdn-xml',
      publishedAt: '2024-11-26T00:00:00Z',
    });
    expect(file.entries).toBe(5);
    expect(file.vessels).toEqual([
      expect.objectContaining({
        reference: '22720',
        name: 'YU JONG 2',
        imo: '8604917',
        mmsi: '445130000',
        aliases: ['KUM UN SAN 2'],
      }),
      expect.objectContaining({
        reference: '24336',
        programs: ['DPRK3', 'DPRK4'],
        owner: 'KOREA ACHIM SHIPPING CO',
      }),
      expect.objectContaining({
        reference: '22741',
        owner: 'Korea Kumunsan Shipping Company',
        aliases: ['KUMUNSAN 3'],
      }),
    ]);
  });

  it('reads the predefined entities and character references in names', () => {
    const xml =
      '<sdnList xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML">' +
      '<sdnEntry><uid>1</uid><lastName>SEA &amp; STAR &#38; &#x31;</lastName><sdnType>Vessel</sdnType></sdnEntry>' +
      '</sdnList>';
    expect(readSanctionsFile(xml).vessels[0].name).toBe('SEA & STAR & 1');
  });

  it('refuses a document type declaration (entity expansion)', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE sdnList [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' +
      '<sdnList><sdnEntry><lastName>&b;</lastName></sdnEntry></sdnList>';
    expect(() => readSanctionsFile(bomb)).toThrow(/DTD/);
  });

  it('refuses XML nested deeper than any published list (a format error, not a crash)', () => {
    const deep = `<sdnList>${'<a>'.repeat(200_000)}${'</a>'.repeat(200_000)}</sdnList>`;
    expect(() => readSanctionsFile(Buffer.from(deep), 'ofac-sdn-xml')).toThrow(SanctionsFormatError);
  });

  it('refuses another namespace, another root and malformed XML', () => {
    expect(() => readSanctionsFile('<sdnList xmlns="urn:other"><sdnEntry/></sdnList>')).toThrow(/namespace/);
    expect(() => readSanctionsFile('<other/>')).toThrow(/root element other/);
    expect(() => readSanctionsFile('<sdnList><sdnEntry></sdnList>', 'ofac-sdn-xml')).toThrow(/well-formed/);
  });
});

describe('UN Security Council Consolidated List XML', () => {
  const file = readSanctionsFile(fixture('un-consolidated.xml'));

  it('takes ships and their operator from the comments of DPRK entities only', () => {
    expect(file).toMatchObject({
      list: 'UN-SC',
      format: 'un-consolidated-xml',
      publishedAt: '2024-11-27T17:00:06Z',
    });
    expect(file.vessels.map((v) => [v.reference, v.name, v.imo])).toEqual([
      ['KPe.029', 'Chol Ryong', '8606173'],
      ['KPe.029', 'Chong Bong', '8909575'],
      ['KPe.029', 'Chong Rim 2', '8916293'],
      ['KPe.029', 'Grand Karo', '8829593'],
      ['KPe.029', 'Hoe Ryong', '9041552'],
      ['KPe.029', 'Ji Hye San', '8018900'],
      // Named without a number ("the vessel Chong Chon Gang"): a name-only listing.
      ['KPe.029', 'CHONG CHON GANG', undefined],
      ['KPe.060', 'Sam Jong 2', '7408873'],
      ['KPe.060', 'Sam Jong 1', '8405311'],
    ]);
    expect(file.vessels[0].owner).toBe('OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM)');
  });

  it('never takes a company IMO number for a ship, even one that passes the check digit', () => {
    expect(isShipImo('1790183')).toBe(true);
    expect(file.vessels.map((v) => v.imo)).not.toContain('1790183');
    expect(file.vessels.map((v) => v.imo)).not.toContain('5965032');
    expect(file.skipped.map((s) => s.reason)).toEqual([
      expect.stringContaining('company IMO number 1790183'),
      expect.stringContaining('company IMO number 5965032'),
    ]);
    const c = shipsInComments(
      'IMO number: 8606173. Operator of the vessels Chol Ryong (8606173) and Dawn (8909575).',
    );
    expect(c.ships).toEqual([{ name: 'Dawn', imo: '8909575' }]);
  });

  it('reads a published excerpt as generated (offset time, padded reference, empty elements): no ship', () => {
    const excerpt = readSanctionsFile(fixture('un-consolidated-2018-excerpt.xml'));
    expect(excerpt).toEqual({
      list: 'UN-SC',
      format: 'un-consolidated-xml',
      publishedAt: '2018-12-28T00:04:20Z',
      entries: 1,
      vessels: [],
      skipped: [],
    });
  });

  it('refuses a bracketed number that fails the IMO check digit', () => {
    const c = shipsInComments('Operates the vessels Sea Star (1234568) and Chong Bong (8909575).');
    expect(c.ships).toEqual([{ name: 'Chong Bong', imo: '8909575' }]);
    expect(c.refused).toEqual([expect.stringContaining('Sea Star (1234568)')]);
  });

  it('no company number is ever a ship (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000000, max: 9999999 }),
        fc.constantFrom('IMO number:', 'IMO:', 'IMO No.'),
        (n, label) => {
          const imo = String(n);
          const c = shipsInComments(
            `${label} ${imo}. Owner of the vessels Chong Bong (8909575) and Other (${imo}).`,
          );
          return (
            !c.ships.some((s) => s.imo === imo) &&
            c.ships.some((s) => s.imo === '8909575' || imo === '8909575')
          );
        },
      ),
    );
  });
});

describe('ships named without a number (the list as published since 2018)', () => {
  it('reads capitalised names and a title-case name after "vessel", never the country, a company or the entity', () => {
    expect(
      namedShipsInComments(
        'Registered owner of DPRK tanker CHON MA SAN. The master suggested that the YU JONG 2 load fuel oil ' +
          'before the CHON MA SAN’s larger size … The ship master was instructed to erase SAMMA SHIPPING. ' +
          'IMO number: 5936312.',
        ['KOREA ACHIM SHIPPING CO'],
      ),
    ).toEqual(['CHON MA SAN', 'YU JONG 2']);
    expect(
      namedShipsInComments('Operator/manager of the vessel Chong Chon Gang. It played a key role.'),
    ).toEqual(['CHONG CHON GANG']);
    expect(
      namedShipsInComments(
        'Ship manager of the Panama-flagged vessel KOTI and the DPRK-flagged KUM UN SAN 3.',
        ['KOTI CORP'],
      ),
    ).toEqual(['KOTI', 'KUM UN SAN 3']);
    // Comments that speak of no ship name none (a bank's SWIFT code is not a ship).
    expect(namedShipsInComments('Affiliated with the DPRK military. SWIFT: ILSIKPPY')).toEqual([]);
    expect(namedShipsInComments('Registered owner of the vessel OCEAN LINE.', ['Ocean Line'])).toEqual([]);
  });
});

describe('published lists as their publishers serve them', () => {
  const published = (name: string): Buffer => gunzipSync(fixture(path.join('published', name)));

  it("OFAC's SDN.CSV with its ALT.CSV: every vessel entry, the DPRK programmes' with their IMO numbers", () => {
    const list = readSanctionsFile(
      published('ofac-sdn-2021-07.csv.gz'),
      undefined,
      published('ofac-alt-2021-07.csv.gz'),
    );
    expect(list).toMatchObject({ list: 'OFAC-SDN', format: 'ofac-sdn-csv', entries: 8976, skipped: [] });
    expect(list.vessels).toHaveLength(406);
    const dprk = list.vessels.filter((v) => v.programs.some((p) => p.startsWith('DPRK')));
    expect(dprk).toHaveLength(106);
    expect(dprk.filter((v) => v.imo !== undefined)).toHaveLength(105);
    expect(dprk.every((v) => v.imo === undefined || isShipImo(v.imo))).toBe(true);
    expect(dprk.find((v) => v.reference === '23157')).toMatchObject({
      name: 'YU SONG 12',
      imo: '9096791',
      programs: ['DPRK4'],
      owner: 'YUSONG SHIPPING CO',
    });
    const earlier = readSanctionsFile(
      published('ofac-sdn-2019-01.csv.gz'),
      undefined,
      published('ofac-alt-2019-01.csv.gz'),
    );
    expect(earlier.vessels).toHaveLength(323);
  });

  it("a later publication's plan designates what it adds, and an earlier one imported after it revokes them", () => {
    const earlier = readSanctionsFile(published('ofac-sdn-2019-01.csv.gz'));
    const later = readSanctionsFile(published('ofac-sdn-2021-07.csv.gz'));
    const first = planImport(earlier, new Map(), NOW);
    expect(first.designated).toBe(323);
    const log = applied([], first);
    const next = planImport(later, designationStateOf(log), NOW);
    // 83 entries added, and ZEUS (23428, LIBYA3) now listed with its IMO number: its name-only listing is
    // revoked and the vessel listed again by number.
    expect({ designated: next.designated, revoked: next.revoked }).toEqual({ designated: 84, revoked: 1 });
    const back = planImport(earlier, designationStateOf(applied(log, next)), NOW);
    expect({ designated: back.designated, revoked: back.revoked }).toEqual({ designated: 1, revoked: 84 });
    expect(planImport(later, designationStateOf(applied(log, next)), NOW).events).toEqual([]);
  });

  it('the UN Consolidated List: ships named in DPRK entities’ comments, every company IMO number refused', () => {
    const list = readSanctionsFile(published('un-consolidated-2026-02-27.xml.gz'));
    expect(list).toMatchObject({ list: 'UN-SC', publishedAt: '2026-02-27T00:00:09Z' });
    expect(list.vessels).toHaveLength(28);
    expect(list.vessels.every((v) => v.imo === undefined && v.programs[0] === 'DPRK')).toBe(true);
    expect(list.vessels.map((v) => `${v.reference} ${v.name}`)).toEqual(
      expect.arrayContaining([
        'KPe.020 CHONG CHON GANG',
        'KPe.057 PAEK MA',
        'KPe.061 CHON MA SAN',
        'KPe.067 KOTI',
      ]),
    );
    // The company numbers the comments print (OMM's 1790183 among them) are reported, never designated.
    const companyNumbers = list.skipped.filter((s) => /company IMO number/.test(s.reason));
    expect(companyNumbers).toHaveLength(16);
    expect(companyNumbers.map((s) => s.reason).join(' ')).toContain('1790183');
  });
});

describe('format detection', () => {
  it('tells the three formats apart by content', () => {
    expect(detectSanctionsFormat(fixture('ofac-sdn.csv').toString())).toBe('ofac-sdn-csv');
    expect(detectSanctionsFormat(fixture('ofac-sdn.xml').toString())).toBe('ofac-sdn-xml');
    expect(detectSanctionsFormat(fixture('un-consolidated.xml').toString())).toBe('un-consolidated-xml');
    expect(() => readSanctionsFile('x', 'pdf')).toThrow(/unknown format/);
  });
});

describe('planImport', () => {
  const first = readSanctionsFile(fixture('ofac-sdn.csv'));
  const later = readSanctionsFile(fixture('ofac-sdn-later.csv'));

  it('designates every listed vessel with list, reference, programme, IMO, name and owner; all valid events', () => {
    const plan = planImport(first, new Map(), NOW);
    expect(plan).toMatchObject({ listed: 6, designated: 6, changed: 0, revoked: 0, unchanged: 0 });
    const chonMaSan = plan.events.find((e) => e.data.name === 'CHON MA SAN');
    expect(chonMaSan).toMatchObject({
      type: EventTypes.VesselDesignated,
      source: '/sanctions/ofac-sdn',
      time: '2024-12-01T08:30:00Z',
      data: {
        listRef: 'OFAC-SDN 24336',
        list: 'OFAC-SDN',
        reference: '24336',
        program: 'DPRK3, DPRK4',
        imo: '8660313',
        mmsi: '445602000',
        owner: 'KOREA ACHIM SHIPPING CO',
      },
    });
    for (const event of plan.events) expect(validateCloudEvent(event)).toMatchObject({ ok: true });
  });

  it('appends nothing when the same list is imported again', () => {
    const log = applied([], planImport(first, new Map(), NOW));
    const again = planImport(first, designationStateOf(log), new Date('2025-01-01T00:00:00Z'));
    expect(again).toMatchObject({ events: [], unchanged: 6 });
  });

  it('revokes what a later list leaves out and re-designates what changed', () => {
    const log = applied([], planImport(first, new Map(), NOW));
    const plan = planImport(later, designationStateOf(log), NOW);
    expect(plan).toMatchObject({ listed: 5, designated: 0, changed: 1, revoked: 1, unchanged: 4 });
    expect(plan.events.map((e) => [e.type, e.data.name])).toEqual([
      [EventTypes.VesselDesignated, 'CHON MA SAN'],
      [EventTypes.VesselDesignationRevoked, 'YU JONG 2'],
    ]);
    expect(plan.events[1].data).toMatchObject({
      listRef: 'OFAC-SDN 22720',
      imo: '8604917',
      reference: '22720',
    });
    // Listed again after a delisting: new ids, so the relisting is not taken for a repeat.
    const log2 = applied(log, plan);
    const back = planImport(first, designationStateOf(log2), NOW);
    expect(back).toMatchObject({ designated: 1, changed: 1, revoked: 0 });
    const relisted = back.events.find((e) => e.data.name === 'YU JONG 2')!;
    expect(log.map((e) => e.id)).not.toContain(relisted.id);
  });

  it('gives a new id to a listing changed back to earlier details (A, then B, then A again)', () => {
    const log = applied([], planImport(first, new Map(), NOW));
    const log2 = applied(log, planImport(later, designationStateOf(log), new Date('2025-01-01T00:00:00Z')));
    const back = planImport(first, designationStateOf(log2), new Date('2025-02-01T00:00:00Z'));
    expect(back).toMatchObject({ designated: 1, changed: 1, revoked: 0 });
    // Every event is new to the store: none would collide with a stored id of other content.
    const stored = new Set(log2.map((e) => e.id));
    for (const event of back.events) expect(stored.has(event.id)).toBe(false);
    // And once applied, importing A again appends nothing.
    const log3 = applied(log2, back);
    expect(planImport(first, designationStateOf(log3), new Date('2025-03-01T00:00:00Z'))).toMatchObject({
      events: [],
      unchanged: 6,
    });
  });

  it('leaves designations of another list and hand-made ones alone', () => {
    const un = readSanctionsFile(fixture('un-consolidated.xml'));
    const log = applied(applied([], planImport(first, new Map(), NOW)), planImport(un, new Map(), NOW));
    const handMade = {
      id: 'h',
      type: EventTypes.VesselDesignated,
      data: { listRef: 'X', name: 'Y', imo: '8606173', at: 'z' },
    };
    const plan = planImport({ ...un, vessels: [] }, designationStateOf([...log, handMade]), NOW);
    expect(plan.revoked).toBe(9);
    expect(plan.events.every((e) => e.data.list === 'UN-SC')).toBe(true);
  });

  it('gives the same ids whatever the order of the file (property)', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(first.vessels, { minLength: first.vessels.length }), (vessels) => {
        const a = planImport(first, new Map(), NOW).events.map((e) => e.id);
        const b = planImport({ ...first, vessels }, new Map(), NOW).events.map((e) => e.id);
        return JSON.stringify(a) === JSON.stringify(b);
      }),
    );
  });
});
