// Vipps posts `application/json; charset=utf-8` (vipps-protocol.md §1.1). JSON is UTF-8 (RFC 8259 §8.1), so
// the only parameter accepted is a UTF-8 charset; anything else is not a Vipps delivery.
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [mediaType, ...params] = header.split(';').map((p) => p.trim());
  if (mediaType?.toLowerCase() !== 'application/json') return false;
  return params.every((p) => {
    if (p === '') return true;
    const eq = p.indexOf('=');
    const name = p.slice(0, eq).trim().toLowerCase();
    const value = p
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    return eq > 0 && name === 'charset' && (value === 'utf-8' || value === 'utf8');
  });
}
