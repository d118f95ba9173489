// A Smile (binary JSON, https://github.com/FasterXML/smile-format-specification) decoder for
// `format=smile` answers: JSON-shaped values, including shared key/value back-references.
import { ConformanceError } from './errors.ts';

const MAX_SHARED = 1024;
const SHORT_SHARED_LENGTH = 64;

function defineOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function decodeSmile(data: Uint8Array): unknown {
  if (data.length < 4 || data[0] !== 0x3a || data[1] !== 0x29 || data[2] !== 0x0a) {
    throw new ConformanceError('not Smile: missing the :)\\n header');
  }
  const flags = data[3] ?? 0;
  const shareNames = (flags & 1) !== 0;
  const shareValues = (flags & 2) !== 0;
  const names: string[] = [];
  const values: string[] = [];
  const utf8 = new TextDecoder();
  let pos = 4;

  const byte = (): number => {
    const b = data[pos++];
    if (b === undefined) throw new ConformanceError('truncated Smile');
    return b;
  };
  const text = (length: number): string => {
    if (pos + length > data.length) throw new ConformanceError('truncated Smile');
    pos += length;
    return utf8.decode(data.subarray(pos - length, pos));
  };
  const untilMarker = (): string => {
    const end = data.indexOf(0xfc, pos);
    if (end === -1) throw new ConformanceError('unterminated Smile string');
    const s = utf8.decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const remember = (table: string[], enabled: boolean, s: string): string => {
    if (!enabled || Buffer.byteLength(s) > SHORT_SHARED_LENGTH) return s;
    if (table.length >= MAX_SHARED) table.length = 0;
    table.push(s);
    return s;
  };
  const shared = (table: string[], index: number): string => {
    const s = table[index];
    if (s === undefined) throw new ConformanceError(`bad Smile back-reference ${index}`);
    return s;
  };
  // Variable-length unsigned: 7 bits a byte, the last byte marked by its top bit and holding 6 bits.
  const vint = (): bigint => {
    let v = 0n;
    for (;;) {
      const b = byte();
      if (b & 0x80) return (v << 6n) | BigInt(b & 0x3f);
      v = (v << 7n) | BigInt(b);
    }
  };
  const zigzag = (v: bigint): number => Number((v >> 1n) ^ -(v & 1n));
  const sevenBitBytes = (count: number): bigint => {
    let v = 0n;
    for (let i = 0; i < count; i++) v = (v << 7n) | BigInt(byte() & 0x7f);
    return v;
  };
  const key = (b: number): string => {
    if (b === 0x20) return '';
    if (b >= 0x30 && b <= 0x33) return shared(names, ((b & 3) << 8) | byte());
    if (b === 0x34) return remember(names, shareNames, untilMarker());
    if (b >= 0x40 && b <= 0x7f) return shared(names, b & 0x3f);
    if (b >= 0x80 && b <= 0xbf) return remember(names, shareNames, text((b & 0x3f) + 1));
    if (b >= 0xc0 && b <= 0xf7) return remember(names, shareNames, text((b & 0x3f) + 2));
    throw new ConformanceError(`bad Smile key byte 0x${b.toString(16)}`);
  };

  const value = (b: number): unknown => {
    if (b >= 0x01 && b <= 0x1f) return shared(values, b - 1);
    if (b === 0x20) return '';
    if (b === 0x21) return null;
    if (b === 0x22) return false;
    if (b === 0x23) return true;
    if (b === 0x24 || b === 0x25) return zigzag(vint());
    if (b === 0x28) {
      const buf = new DataView(new ArrayBuffer(4));
      buf.setUint32(0, Number(sevenBitBytes(5) & 0xffffffffn));
      return buf.getFloat32(0);
    }
    if (b === 0x29) {
      const buf = new DataView(new ArrayBuffer(8));
      buf.setBigUint64(0, sevenBitBytes(10) & 0xffffffffffffffffn);
      return buf.getFloat64(0);
    }
    if (b >= 0x40 && b <= 0x5f) return remember(values, shareValues, text((b & 0x1f) + 1));
    if (b >= 0x60 && b <= 0x7f) return remember(values, shareValues, text((b & 0x1f) + 33));
    if (b >= 0x80 && b <= 0x9f) return remember(values, shareValues, text((b & 0x1f) + 2));
    if (b >= 0xa0 && b <= 0xbf) return remember(values, shareValues, text((b & 0x1f) + 34));
    if (b >= 0xc0 && b <= 0xdf) return zigzag(BigInt(b & 0x1f));
    if (b === 0xe0 || b === 0xe4) return untilMarker();
    if (b >= 0xec && b <= 0xef) return shared(values, ((b & 3) << 8) | byte());
    if (b === 0xf8) {
      const list: unknown[] = [];
      for (let next = byte(); next !== 0xf9; next = byte()) list.push(value(next));
      return list;
    }
    if (b === 0xfa) {
      const obj: Record<string, unknown> = {};
      for (let next = byte(); next !== 0xfb; next = byte()) {
        const k = key(next);
        defineOwn(obj, k, value(byte()));
      }
      return obj;
    }
    if (b === 0xfd) return text(Number(vint()));
    // BigInteger, BigDecimal and 7-bit binary never occur in OpenSearch's JSON-shaped answers.
    throw new ConformanceError(`unsupported Smile value byte 0x${b.toString(16)}`);
  };

  return value(byte());
}
