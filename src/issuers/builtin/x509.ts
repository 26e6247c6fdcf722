// The one place that loads @peculiar/x509. The library resolves its algorithms through tsyringe, which
// needs the Reflect metadata polyfill loaded first; ES modules evaluate imports in order, so importing
// the polyfill here, before the library, is enough as long as everything else imports x509 from here.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

// Node's WebCrypto, set explicitly rather than relying on the library's global detection.
x509.cryptoProvider.set(webcrypto);

export { x509 };
