/**
 * The one place that loads the X.509 library. @peculiar/x509 resolves its algorithm providers through tsyringe, which
 * needs the Reflect metadata API before the library is evaluated (its README requires the polyfill); ES modules are
 * evaluated in import order, so importing `reflect-metadata` first is enough. The library works on WebCrypto, which
 * Node has as globalThis.crypto. Every PKI module imports the library from here, never directly.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
