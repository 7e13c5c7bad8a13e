/**
 * Terraform's encoding functions, evaluated on known values: `base64encode`, `base64gzip`, `base64decode`, and the
 * file readers' results (`file`, `filebase64`). cloud-init `write_files` entries usually get their content from them
 * (`content: ${base64gzip(file(…))}` with `encoding: gz+b64`), so the agent config they write can be reviewed.
 */
import { gzipSync } from 'node:zlib';
import type { ChainStep, ResolvedValue } from '../types';
import { DEFAULT_MAX_FILE_BYTES } from '../text/decode';
import { known, notNull, unknown } from './values';

export const ENCODING_FUNCTIONS: ReadonlySet<string> = new Set(['base64encode', 'base64gzip', 'base64decode']);

/** Bytes no encoding function makes or takes: the file cap of the whole tool. */
const MAX_BYTES = DEFAULT_MAX_FILE_BYTES;

const FATAL_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `name(a)` for one of ENCODING_FUNCTIONS. The value keeps its chain and secrecy: an encoded gossip key is still the
 * key.
 */
export function applyEncodingFunction(name: string, a: ResolvedValue): ResolvedValue {
  if (a.kind !== 'known') return notNull(a);
  const bytes = Buffer.from(a.text, 'utf8');
  if (bytes.length > MAX_BYTES) return unknown(`${name}() of more than ${MAX_BYTES} bytes is not evaluated`, a.chain);
  switch (name) {
    // Terraform's strings are Unicode text: base64encode encodes their UTF-8 bytes with the standard alphabet
    // (RFC 4648 §4), as Go's base64.StdEncoding (Terraform docs, functions/base64encode).
    case 'base64encode':
      return { ...a, text: bytes.toString('base64') };
    // "compresses a string with gzip and then encodes the result in Base64 encoding … first encode the characters
    // from the string as UTF-8, then apply gzip compression, and then finally apply Base64 encoding" (Terraform docs,
    // functions/base64gzip; its Base64GzipFunc writes the bytes through Go's gzip.NewWriter, default compression).
    // The gzip bytes need not equal Go's: cloud-init only gunzips them, and findings map to the content as a whole.
    case 'base64gzip':
      return { ...a, text: gzipSync(bytes).toString('base64') };
    case 'base64decode': {
      // Terraform fails on anything that is not strict standard base64 or whose bytes are not UTF-8.
      const b64 = a.text;
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return unknown('base64decode() of a value that is not base64', a.chain);
      try {
        return { ...a, text: FATAL_UTF8.decode(Buffer.from(b64, 'base64')) };
      } catch {
        return unknown('base64decode() of bytes that are not UTF-8 text', a.chain);
      }
    }
    default:
      return unknown(`${name}() is not evaluated`, a.chain);
  }
}

/**
 * What `file()` or `filebase64()` gives for a file of the tree whose text is `text`. The tree holds files as decoded
 * text, so filebase64 encodes the UTF-8 bytes of that text (a file in another encoding would differ: it is read as
 * text by the rest of the tool too).
 */
export function fileContentValue(fn: string, text: string, chain: readonly ChainStep[]): ResolvedValue {
  if (fn === 'filebase64') return applyEncodingFunction('base64encode', known(text, chain));
  return known(text, chain);
}
