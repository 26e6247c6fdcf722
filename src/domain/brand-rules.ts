// The rules of one brand as the domain layer sees them (R-PROFILE plus how validation and credits work
// for it), resolved by the controller from the operator's config file.
import type { IssuerProfile } from './issuer-profile.ts';
import type { Duration } from './time.ts';

export interface BrandRules {
  profile: IssuerProfile;
  /** none: a private CA issues at once; check: DNS/HTTP validation under review (R-REVIEW). */
  validation: 'none' | 'check';
  creditsRequired: boolean;
  reviewTimeout: Duration;
}
