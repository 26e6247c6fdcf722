// PEM (RFC 7468) encoding and a tolerant, linear-time decoder for text that users upload.
// The decoder never throws and its problems never quote the input, so they are safe to put in a
// condition message even when the input holds a private key.

export interface PemBlock {
  /** The label between BEGIN and END, e.g. "CERTIFICATE", "PRIVATE KEY". */
  label: string;
  /** RFC 1421 headers ("Proc-Type", "DEK-Info"), present on legacy encrypted keys. */
  headers: Readonly<Record<string, string>>;
  der: Uint8Array;
}

export type PemDecodeResult = { ok: true; blocks: PemBlock[] } | { ok: false; problem: string };

export interface PemDecodeLimits {
  maxBlocks: number;
}

const defaultLimits: PemDecodeLimits = { maxBlocks: 64 };

const BEGIN = /^-----BEGIN ([A-Z0-9][A-Z0-9 ]{0,62})-----\s*$/;
const END = /^-----END ([A-Z0-9][A-Z0-9 ]{0,62})-----\s*$/;
const HEADER = /^([A-Za-z][A-Za-z0-9-]{0,63}):\s*(.{0,512})$/;
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/** DER bytes as PEM with 64-character lines and a trailing newline. */
export function encodePem(der: ArrayBuffer | Uint8Array, label: string): string {
  const base64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Every PEM block in `text`, in order. Text outside blocks is ignored (openssl writes "Bag Attributes"
 * or a `-text` dump there). A block without END, with mismatched labels or with bytes that are not
 * base64 makes the whole input a problem: half-read input is never used.
 */
export function decodePem(text: string, limits: PemDecodeLimits = defaultLimits): PemDecodeResult {
  const blocks: PemBlock[] = [];
  let current: { label: string; headers: Record<string, string>; body: string[]; inHeaders: boolean } | null = null;
  const lines = text.split(/\r\n|\r|\n/);
  for (const rawLine of lines) {
    const line = rawLine.trim();
    if (current === null) {
      const begin = BEGIN.exec(line);
      if (begin?.[1] === undefined) continue;
      if (blocks.length >= limits.maxBlocks) {
        return { ok: false, problem: `it holds more than ${limits.maxBlocks} PEM blocks` };
      }
      current = { label: begin[1], headers: {}, body: [], inHeaders: true };
      continue;
    }
    const blockNumber = blocks.length + 1;
    if (BEGIN.test(line)) {
      return { ok: false, problem: `PEM block ${blockNumber} (${current.label}) has no END line before the next BEGIN line` };
    }
    const end = END.exec(line);
    if (end?.[1] !== undefined) {
      if (end[1] !== current.label) {
        return { ok: false, problem: `PEM block ${blockNumber} begins as ${current.label} but ends as ${end[1]}` };
      }
      const body = current.body.join('');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 === 1) {
        return { ok: false, problem: `PEM block ${blockNumber} (${current.label}) is not valid base64` };
      }
      const der = new Uint8Array(Buffer.from(body, 'base64'));
      if (der.length === 0) return { ok: false, problem: `PEM block ${blockNumber} (${current.label}) is empty` };
      blocks.push({ label: current.label, headers: current.headers, der });
      current = null;
      continue;
    }
    if (current.inHeaders) {
      const header = HEADER.exec(line);
      if (header?.[1] !== undefined && header[2] !== undefined) {
        current.headers[header[1]] = header[2];
        continue;
      }
      if (line === '') continue;
      current.inHeaders = false;
    }
    if (line === '') continue;
    if (!BASE64_LINE.test(line)) {
      return { ok: false, problem: `PEM block ${blockNumber} (${current.label}) has a line that is not base64` };
    }
    current.body.push(line);
  }
  if (current !== null) {
    return { ok: false, problem: `PEM block ${blocks.length + 1} (${current.label}) has no END line` };
  }
  return { ok: true, blocks };
}
