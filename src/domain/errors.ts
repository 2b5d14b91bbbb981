/** A domain failure with a stable code that the API turns into an HTTP status. */
export type DomainErrorCode = 'not_found' | 'invalid' | 'conflict' | 'forbidden';

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  constructor(code: DomainErrorCode, message: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
  }
}
