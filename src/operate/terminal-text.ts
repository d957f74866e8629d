/** Small text helpers for what operator commands print: tables, ages, colour. Pure. */

export type Tone = 'green' | 'yellow' | 'red' | 'bold' | 'dim';

/** Colours a value (or not): the CLI passes ANSI colours on a terminal without NO_COLOR. */
export type Paint = (text: string, tone: Tone | undefined) => string;

export const plainPaint: Paint = (text) => text;

const ANSI: Record<Tone, [number, number]> = { green: [32, 39], yellow: [33, 39], red: [31, 39], bold: [1, 22], dim: [2, 22] };
export const ansiPaint: Paint = (text, tone) => (tone ? `\x1b[${ANSI[tone][0]}m${text}\x1b[${ANSI[tone][1]}m` : text);

/** Columns padded to their widest cell (measured before colouring); `style` may colour a cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], style: (col: number, value: string) => string = (_c, v) => v): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], styled: boolean) =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat(widths[i]! - c.length);
        return (styled ? style(i, c) : c) + (i < cells.length - 1 ? pad : '');
      })
      .join('  ')
      .trimEnd();
  return [line(header, false), ...rows.map((r) => line(r, true))];
}

/** A duration in the largest unit that fits: 45s, 12m, 3h, 5d. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
