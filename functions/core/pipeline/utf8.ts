// UTF-8 byte limits: OpenSearch counts bytes, JavaScript counts UTF-16 code units.

/** Byte length of a string in UTF-8. */
export function utf8Length(value: string): number {
  // Every UTF-16 code unit takes at most 3 bytes, so short strings skip the count.
  return Buffer.byteLength(value, 'utf8');
}

/** Cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(value: string, maxBytes: number): string {
  if (value.length * 3 <= maxBytes) return value;
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length <= maxBytes) return value;
  let cut = maxBytes;
  // Back off continuation bytes (10xxxxxx) to the start of the character that did not fit.
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return bytes.toString('utf8', 0, cut);
}
