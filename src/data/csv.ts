/**
 * A small RFC 4180 CSV reader/writer: enough for the competition's index files (`train.csv`, `test.csv`), with
 * errors that name the source and the line.
 */

/** Parses CSV text into rows of fields. Quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string, source = 'CSV'): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 byte-order mark is not part of the first field
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"') {
      if (field !== '') throw new Error(`${source}:${line}: a quote inside an unquoted field`);
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      line++;
    } else field += ch;
  }
  if (quoted) throw new Error(`${source}:${line}: unterminated quoted field`);
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Formats rows as CSV with `\n` line ends and a final newline. */
export function formatCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(quote).join(',')).join('\n') + '\n';
}

/**
 * Parses a CSV whose first row is a header into records, checking that the header holds `required` columns and
 * every row has as many fields as the header. Errors name the source and the line.
 */
export function parseCsvRecords(
  text: string,
  required: readonly string[],
  source = 'CSV',
): Record<string, string>[] {
  const rows = parseCsv(text, source);
  if (rows.length === 0)
    throw new Error(`${source}: empty file, expected a header with ${required.join(', ')}`);
  const header = rows[0].map((h) => h.trim());
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0)
    throw new Error(`${source}:1: header lacks column(s) ${missing.join(', ')}; found ${header.join(', ')}`);
  return rows.slice(1).map((r, k) => {
    if (r.length !== header.length)
      throw new Error(`${source}:${k + 2}: expected ${header.length} fields, got ${r.length}`);
    const rec: Record<string, string> = {};
    header.forEach((h, j) => (rec[h] = r[j]));
    return rec;
  });
}
