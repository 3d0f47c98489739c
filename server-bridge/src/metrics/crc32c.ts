// CRC32C (Castagnoli), the checksum TFRecord framing uses. Table-driven, one byte at a time: event-file records
// are mostly tens of bytes, where slicing-by-8 measured no faster, so the simple form stays.

/** Reflected Castagnoli polynomial (0x1EDC6F41 bit-reversed). */
const POLY = 0x82f63b78;

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC32C of `data` as an unsigned 32-bit number. Pass a previous result as `crc` to continue a checksum over
 * data that arrives in pieces: crc32c(b, crc32c(a)) === crc32c(a + b).
 */
export function crc32c(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * TFRecord's masked CRC: rotate right by 15 and add a constant, so that a CRC stored inside checksummed data
 * does not checksum to something trivial. Result is uint32.
 */
export function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** maskCrc(crc32c(data)): the value a TFRecord stores after its length and after its data. */
export function maskedCrc32c(data: Uint8Array): number {
  return maskCrc(crc32c(data));
}
