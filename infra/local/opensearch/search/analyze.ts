// The standard analyzer, close enough for log text: Unicode word tokens (UAX#29-like: letters and
// digits, joined across `.`/`'` inside words and `,` inside numbers), lowercased.

const TOKEN = /[\p{L}\p{N}_]+(?:(?:[.'’]|(?<=\p{N}),(?=\p{N}))[\p{L}\p{N}_]+)*/gu;

export function analyze(text: string): string[] {
  // Lowercasing first and String#match is several times faster than matchAll per token.
  return text.toLowerCase().match(TOKEN) ?? [];
}
