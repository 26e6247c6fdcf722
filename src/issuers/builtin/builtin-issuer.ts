// The built-in CA behind the Issuer interface (architecture section 4).
import type { CertificateApplication, Issuer, IssueResult } from '../issuer.ts';
import type { CaHierarchy } from './ca-hierarchy.ts';
import { issueLeaf, type LeafRequest } from './issue-leaf.ts';

export interface BuiltinIssuerOptions {
  /**
   * The current hierarchy; read on every issuance so a rotated intermediate (R-CAP) is used at once.
   * The operator keeps it in sync with the CA Secret.
   */
  hierarchy: () => CaHierarchy;
  /** R-VALIDITY / R-PROFILE: maximum validity (seconds) of a certificate of `brand` issued at `notBefore`. */
  maxValiditySeconds?: (brand: string, notBefore: Date) => number;
}

export function createBuiltinIssuer(options: BuiltinIssuerOptions): Issuer {
  return {
    name: 'builtin',
    issue(application: CertificateApplication): Promise<IssueResult> {
      const brand = application.product.brand;
      const request: LeafRequest = {
        brand,
        domains: application.domains,
        key: application.key,
        notBefore: application.notBefore,
        notAfter: application.notAfter,
      };
      if (options.maxValiditySeconds !== undefined) request.maxValiditySeconds = options.maxValiditySeconds(brand, application.notBefore);
      return issueLeaf(options.hierarchy(), request);
    },
  };
}
