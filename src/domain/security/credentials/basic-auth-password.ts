/**
 * The OCPP 2.x Basic-auth password: `SecurityCtrlr.BasicAuthPassword`, a passwordString of 16 to 40 characters
 * (2.1: up to the variable's maxLimit, 40 to 64), used as is (UTF-8, no hex or base64, A00.FR.205/304). The
 * character set is the one of 2.0.1's passwordString primitive (letters, digits and `*-_=:+|@.`), as recalled from
 * Part 2 and as another CSMS test suite states it; the PDF was not at hand to confirm. Only passwords Joule *sends*
 * are held to it: what a station presents is compared as bytes, whatever it contains.
 */
import { DomainError } from '../../errors.ts';
import { ALPHANUMERIC, randomString } from './random-string.ts';

export const BASIC_AUTH_PASSWORD_MIN_LENGTH = 16;
export const BASIC_AUTH_PASSWORD_MAX_LENGTH = 40;
/** The largest maxLimit 2.1 allows for BasicAuthPassword. */
export const BASIC_AUTH_PASSWORD_MAX_LIMIT_21 = 64;

const PASSWORD_STRING = /^[A-Za-z0-9*\-_=:+|@.]*$/;
/** Generated passwords leave out `:`, the Basic-auth separator, which some station firmwares split on wrongly. */
const GENERATED_ALPHABET = `${ALPHANUMERIC}*-_=+|@.`;

/** Why `password` cannot be set as BasicAuthPassword, or undefined. `maxLength`: the station's maxLimit (2.1). */
export function basicAuthPasswordProblem(password: string, maxLength = BASIC_AUTH_PASSWORD_MAX_LENGTH): string | undefined {
  const length = [...password].length;
  if (length < BASIC_AUTH_PASSWORD_MIN_LENGTH || length > maxLength) {
    return `the BasicAuthPassword must be ${BASIC_AUTH_PASSWORD_MIN_LENGTH} to ${maxLength} characters; this one has ${length}`;
  }
  if (!PASSWORD_STRING.test(password)) {
    return 'the BasicAuthPassword may contain only letters, digits and * - _ = : + | @ . (OCPP passwordString)';
  }
  return undefined;
}

export function checkBasicAuthPassword(password: string, maxLength = BASIC_AUTH_PASSWORD_MAX_LENGTH): void {
  const problem = basicAuthPasswordProblem(password, maxLength);
  if (problem !== undefined) throw new DomainError('invalid', problem);
}

/** A new compliant password; 32 characters over 70 symbols is about 196 bits. */
export function generateBasicAuthPassword(length = 32): string {
  if (!Number.isInteger(length) || length < BASIC_AUTH_PASSWORD_MIN_LENGTH || length > BASIC_AUTH_PASSWORD_MAX_LIMIT_21) {
    throw new DomainError('invalid', `a BasicAuthPassword is ${BASIC_AUTH_PASSWORD_MIN_LENGTH} to ${BASIC_AUTH_PASSWORD_MAX_LIMIT_21} characters`);
  }
  return randomString(length, GENERATED_ALPHABET);
}
