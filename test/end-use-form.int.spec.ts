import * as os from 'node:os';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { defaultFieldFormMapping } from '@aidwatch/intake';
import { buildEndUseForm } from '../scripts/build-end-use-form';

// forms/end-use-verification.xlsx is the form monitors load into KoboToolbox or ODK Central; its names
// must be the ones the default field mapping reads (docs/contract.md, "Field intake").

type Rows = Array<Record<string, string>>;

async function sheets(file: string): Promise<Record<string, Rows>> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const out: Record<string, Rows> = {};
  book.eachSheet((ws) => {
    const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
    const rows: Rows = [];
    ws.eachRow((row, n) => {
      if (n === 1) return;
      const values = (row.values as unknown[]).slice(1);
      rows.push(Object.fromEntries(header.map((h, i) => [h, values[i] == null ? '' : String(values[i])])));
    });
    out[ws.name] = rows;
  });
  return out;
}

/** Each survey field's XLSForm path (`visit/site_id`), from the begin/end group and repeat rows. */
function paths(survey: Rows): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const stack: string[] = [];
  for (const row of survey) {
    if (row.type === 'begin_group' || row.type === 'begin_repeat') {
      out.set([...stack, row.name].join('/'), row);
      stack.push(row.name);
    } else if (row.type === 'end_group' || row.type === 'end_repeat') stack.pop();
    else out.set([...stack, row.name].join('/'), row);
  }
  return out;
}

describe('the end-use verification XLSForm', () => {
  const shipped = path.resolve(__dirname, '../forms/end-use-verification.xlsx');
  let form: Record<string, Rows>;

  beforeAll(async () => {
    form = await sheets(shipped);
  });

  it('is what scripts/build-end-use-form.ts writes (npm run form:build)', async () => {
    const rebuilt = path.join(os.tmpdir(), `end-use-${process.pid}.xlsx`);
    await buildEndUseForm(rebuilt);
    expect(await sheets(rebuilt)).toEqual(form);
  });

  it('has the sheets both tools import: survey, choices, settings with a form id and version', () => {
    expect(Object.keys(form)).toEqual(['survey', 'choices', 'settings']);
    expect(form.settings[0]).toMatchObject({ form_id: 'end_use_verification', version: expect.any(String) });
  });

  it('names every field the default mapping reads, with the types the mapping expects', () => {
    const fields = paths(form.survey);
    const f = defaultFieldFormMapping.fields;
    const typeOf = (p: string) => fields.get(p)?.type;
    expect(typeOf(f.consignmentId)).toBe('text');
    expect(typeOf(f.siteId)).toBe('text');
    expect(typeOf(f.monitorId)).toBe('text');
    expect(typeOf(f.outcome)).toBe('select_one outcome');
    expect(typeOf(f.denialReason)).toBe('text');
    expect(typeOf(f.finding)).toBe('select_one finding');
    expect(typeOf(f.beneficiaries)).toBe('integer');
    expect(typeOf(f.location)).toBe('geopoint');
    expect(typeOf(f.visitedAt)).toBe('dateTime');
    expect(typeOf(f.observed)).toBe('begin_repeat');
    expect(typeOf(`${f.observed}/${f.itemCode}`)).toBe('text');
    expect(typeOf(`${f.observed}/${f.quantity}`)).toBe('decimal');
  });

  it('offers exactly the choice codes the mapping knows', () => {
    const codes = (list: string) => form.choices.filter((c) => c.list_name === list).map((c) => c.name);
    const { visited, accessDenied } = defaultFieldFormMapping.outcomes;
    expect(codes('outcome')).toEqual([visited, accessDenied]);
    expect(codes('finding')).toEqual(Object.keys(defaultFieldFormMapping.findings));
  });
});
