/** A plain-text table: a header row, then one row per item, columns padded to fit. */
export function table(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [header, ...rows].map((r) => header.map((_, i) => String(r[i] ?? "")));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  // The last column is not padded: no trailing spaces, and a long spec does not widen the others.
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}
