// Writes forms/end-use-verification.xlsx, the XLSForm monitors load into KoboToolbox or ODK Central.
// Its field names are those of docs/contract.md ("Field intake") and of the default field mapping
// (libs/intake/src/field-submission-mapping.ts). Run: node -r @swc-node/register scripts/build-end-use-form.ts
import * as path from 'node:path';
import ExcelJS from 'exceljs';

export const FORM_ID = 'end_use_verification';
export const FORM_VERSION = '2026113001';

const survey: Array<Record<string, string>> = [
  { type: 'start', name: 'start' },
  { type: 'end', name: 'end' },
  { type: 'begin_group', name: 'visit', label: 'Site visit' },
  { type: 'text', name: 'consignment_id', label: 'Consignment id', required: 'yes' },
  { type: 'text', name: 'site_id', label: 'Site id (as in the exemption)', required: 'yes' },
  { type: 'text', name: 'monitor_id', label: 'Your monitor id', required: 'yes' },
  { type: 'select_one outcome', name: 'outcome', label: 'Could you visit the site?', required: 'yes' },
  {
    type: 'text',
    name: 'denial_reason',
    label: 'Why was access denied?',
    required: 'yes',
    relevant: "${outcome} = 'access_denied'",
  },
  {
    type: 'select_one finding',
    name: 'finding',
    label: 'Finding',
    required: 'yes',
    relevant: "${outcome} = 'visited'",
  },
  {
    type: 'integer',
    name: 'beneficiaries',
    label: 'Beneficiaries seen',
    relevant: "${outcome} = 'visited'",
    constraint: '. >= 0',
  },
  { type: 'geopoint', name: 'location', label: 'Location of the visit', required: 'yes' },
  { type: 'dateTime', name: 'visited_at', label: 'Time of the visit', required: 'yes' },
  {
    type: 'begin_repeat',
    name: 'observed',
    label: 'Items observed',
    relevant: "${outcome} = 'visited'",
  },
  { type: 'text', name: 'item_code', label: 'Item code (as in the exemption)', required: 'yes' },
  { type: 'decimal', name: 'quantity', label: 'Quantity observed', required: 'yes', constraint: '. >= 0' },
  { type: 'end_repeat', name: '' },
  { type: 'end_group', name: '' },
];

const choices: Array<Record<string, string>> = [
  { list_name: 'outcome', name: 'visited', label: 'Yes, visited' },
  { list_name: 'outcome', name: 'access_denied', label: 'No, access was denied' },
  { list_name: 'finding', name: 'consistent', label: 'Consistent with the delivery' },
  { list_name: 'finding', name: 'discrepancy', label: 'Discrepancy in quantities' },
  { list_name: 'finding', name: 'not_found', label: 'Goods not found' },
  { list_name: 'finding', name: 'diversion_suspected', label: 'Diversion suspected' },
];

const settings = [
  { form_title: 'AidWatch end-use verification', form_id: FORM_ID, version: FORM_VERSION, style: 'pages' },
];

function sheet(book: ExcelJS.Workbook, name: string, columns: string[], rows: Array<Record<string, string>>) {
  const ws = book.addWorksheet(name);
  ws.columns = columns.map((key) => ({ header: key, key, width: key === 'label' ? 40 : 24 }));
  for (const row of rows) ws.addRow(row);
}

export async function buildEndUseForm(file: string): Promise<void> {
  const book = new ExcelJS.Workbook();
  // Fixed dates keep the file byte-stable between builds.
  book.created = book.modified = new Date('2026-11-30T00:00:00Z');
  book.creator = 'AidWatch';
  sheet(book, 'survey', ['type', 'name', 'label', 'required', 'relevant', 'constraint'], survey);
  sheet(book, 'choices', ['list_name', 'name', 'label'], choices);
  sheet(book, 'settings', ['form_title', 'form_id', 'version', 'style'], settings);
  await book.xlsx.writeFile(file);
}

if (require.main === module) {
  const file = path.resolve(__dirname, '../forms/end-use-verification.xlsx');
  buildEndUseForm(file).then(
    () => console.log(`wrote ${file}`),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
