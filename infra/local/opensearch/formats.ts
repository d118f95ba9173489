// Response encodings besides JSON that OpenSearch offers through `format=`: YAML, CBOR and Smile.
import { stringify } from 'yaml';

export const MEDIA_TYPES = {
  json: 'application/json; charset=UTF-8',
  yaml: 'application/yaml',
  cbor: 'application/cbor',
  smile: 'application/smile',
} as const;

export type Format = keyof typeof MEDIA_TYPES;

export function isFormat(value: string): value is Format {
  return Object.hasOwn(MEDIA_TYPES, value);
}

export function encode(value: unknown, format: Format, pretty = false): Buffer {
  switch (format) {
    case 'json':
      return Buffer.from(pretty ? `${JSON.stringify(value, null, 2)}\n` : JSON.stringify(value));
    case 'yaml':
      return Buffer.from(`---\n${stringify(value)}`);
    case 'cbor':
      return encodeCbor(value);
    case 'smile':
      return encodeSmile(value);
  }
}

/** RFC 8949 CBOR for JSON-shaped values. */
export function encodeCbor(value: unknown): Buffer {
  const out: number[] = [];
  const head = (major: number, n: number) => {
    if (n < 24) out.push((major << 5) | n);
    else if (n < 0x100) out.push((major << 5) | 24, n);
    else if (n < 0x10000) out.push((major << 5) | 25, n >> 8, n & 0xff);
    else if (n < 0x100000000)
      out.push((major << 5) | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    else {
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(BigInt(n));
      out.push((major << 5) | 27, ...b);
    }
  };
  const write = (v: unknown) => {
    if (v === null || v === undefined) out.push(0xf6);
    else if (v === false) out.push(0xf4);
    else if (v === true) out.push(0xf5);
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) head(v < 0 ? 1 : 0, v < 0 ? -1 - v : v);
      else {
        const b = Buffer.alloc(8);
        b.writeDoubleBE(v);
        out.push(0xfb, ...b);
      }
    } else if (typeof v === 'string') {
      const bytes = Buffer.from(v, 'utf8');
      head(3, bytes.length);
      out.push(...bytes);
    } else if (Array.isArray(v)) {
      head(4, v.length);
      for (const item of v) write(item);
    } else if (typeof v === 'object') {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      head(5, entries.length);
      for (const [k, x] of entries) {
        write(k);
        write(x);
      }
    } else write(String(v));
  };
  write(value);
  return Buffer.from(out);
}

/** Jackson Smile (the binary JSON OpenSearch speaks), without back-references. */
export function encodeSmile(value: unknown): Buffer {
  const out: number[] = [0x3a, 0x29, 0x0a, 0x00];
  const vint = (n: bigint) => {
    // Big-endian 7-bit groups; the last byte holds 6 bits and has its high bit set.
    const last = Number(n & 0x3fn) | 0x80;
    let rest = n >> 6n;
    const groups: number[] = [];
    while (rest > 0n) {
      groups.unshift(Number(rest & 0x7fn));
      rest >>= 7n;
    }
    out.push(...groups, last);
  };
  const zigzag = (n: bigint) => (n << 1n) ^ (n >> 63n);
  const key = (k: string) => {
    const bytes = Buffer.from(k, 'utf8');
    const ascii = bytes.length === k.length;
    if (bytes.length === 0) out.push(0x20);
    else if (ascii && bytes.length <= 64) out.push(0x80 + bytes.length - 1, ...bytes);
    else if (!ascii && bytes.length >= 2 && bytes.length <= 57) out.push(0xc0 + bytes.length - 2, ...bytes);
    else out.push(0x34, ...bytes, 0xfc);
  };
  const write = (v: unknown) => {
    if (v === null || v === undefined) out.push(0x21);
    else if (v === false) out.push(0x22);
    else if (v === true) out.push(0x23);
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) {
        if (v >= -16 && v <= 15) out.push(0xc0 + Number(zigzag(BigInt(v)) & 0x1fn));
        else {
          out.push(v >= -(2 ** 31) && v < 2 ** 31 ? 0x24 : 0x25);
          vint(zigzag(BigInt(v)) & 0xffffffffffffffffn);
        }
      } else {
        const b = Buffer.alloc(8);
        b.writeDoubleBE(v);
        let bits = b.readBigUInt64BE();
        const groups: number[] = [];
        for (let i = 0; i < 10; i++) {
          groups.unshift(Number(bits & 0x7fn));
          bits >>= 7n;
        }
        out.push(0x29, ...groups);
      }
    } else if (typeof v === 'string') {
      const bytes = Buffer.from(v, 'utf8');
      const ascii = bytes.length === v.length;
      if (bytes.length === 0) out.push(0x20);
      else if (ascii && bytes.length <= 32) out.push(0x40 + bytes.length - 1, ...bytes);
      else if (!ascii && bytes.length >= 2 && bytes.length <= 33) out.push(0x80 + bytes.length - 2, ...bytes);
      else out.push(ascii ? 0xe0 : 0xe4, ...bytes, 0xfc);
    } else if (Array.isArray(v)) {
      out.push(0xf8);
      for (const item of v) write(item);
      out.push(0xf9);
    } else if (typeof v === 'object') {
      out.push(0xfa);
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined) continue;
        key(k);
        write(x);
      }
      out.push(0xfb);
    } else write(String(v));
  };
  write(value);
  return Buffer.from(out);
}
