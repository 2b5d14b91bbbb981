/**
 * A one-dimensional PostgreSQL array in the binary wire format (what `array_send` writes and `array_recv` reads),
 * built column by column for bulk statements. node-postgres sends a Buffer parameter in binary format, so the server
 * reads each element as it is: no quoting or escaping on this side and no array-literal parsing on the server's. For
 * the meter readings' JSON text (about 1.3 KB with a hundred quotes each), escaping into a literal was a quarter of
 * Joule's CPU per stored reading, and the server's parse of it a comparable share of its own.
 *
 * Layout: int32 dimensions (1, or 0 when empty), int32 has-nulls flag, int32 element type OID, then per dimension
 * int32 length and int32 lower bound (1), then per element int32 byte length (-1 for NULL) and the bytes. Integers are
 * big-endian.
 */
const TYPE_OID = { text: 25, int4: 23, int8: 20 } as const;

export type BinaryArrayType = keyof typeof TYPE_OID;

const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;

export class BinaryArray {
  readonly #type: BinaryArrayType;
  readonly #elements: (string | number | null)[] = [];
  /** Bytes of the elements, their length words included. */
  #size = 0;
  #hasNull = false;

  constructor(type: BinaryArrayType) {
    this.#type = type;
  }

  get length(): number {
    return this.#elements.length;
  }

  /** Appends a text element (or NULL). PostgreSQL refuses a NUL character in text; the statement then fails. */
  text(element: string | null): void {
    if (this.#type !== 'text') throw new TypeError(`a ${this.#type}[] array holds no text`);
    this.#push(element, element === null ? 0 : Buffer.byteLength(element, 'utf8'));
  }

  /** Appends an integer element (or NULL); throws a RangeError for a number the element type cannot hold. */
  integer(element: number | null): void {
    if (this.#type === 'text') throw new TypeError('a text[] array holds no integers');
    if (element !== null) {
      const fits = this.#type === 'int4'
        ? Number.isInteger(element) && element >= INT4_MIN && element <= INT4_MAX
        : Number.isSafeInteger(element);
      if (!fits) throw new RangeError(`${element} is not a ${this.#type === 'int4' ? '32-bit' : 'safe 64-bit'} integer`);
    }
    this.#push(element, element === null ? 0 : this.#type === 'int4' ? 4 : 8);
  }

  /** The array, ready to be sent as a binary parameter. */
  toBuffer(): Buffer {
    const count = this.#elements.length;
    const header = count === 0 ? 12 : 20;
    const buffer = Buffer.allocUnsafe(header + this.#size);
    buffer.writeInt32BE(count === 0 ? 0 : 1, 0);
    buffer.writeInt32BE(this.#hasNull ? 1 : 0, 4);
    buffer.writeInt32BE(TYPE_OID[this.#type], 8);
    if (count === 0) return buffer;
    buffer.writeInt32BE(count, 12);
    buffer.writeInt32BE(1, 16);
    let offset = header;
    for (const element of this.#elements) {
      if (element === null) {
        offset = buffer.writeInt32BE(-1, offset);
      } else if (typeof element === 'string') {
        const bytes = buffer.write(element, offset + 4, 'utf8');
        buffer.writeInt32BE(bytes, offset);
        offset += 4 + bytes;
      } else if (this.#type === 'int4') {
        offset = buffer.writeInt32BE(4, offset);
        offset = buffer.writeInt32BE(element, offset);
      } else {
        offset = buffer.writeInt32BE(8, offset);
        offset = buffer.writeBigInt64BE(BigInt(element), offset);
      }
    }
    return buffer;
  }

  #push(element: string | number | null, bytes: number): void {
    this.#elements.push(element);
    this.#size += 4 + bytes;
    if (element === null) this.#hasNull = true;
  }
}
