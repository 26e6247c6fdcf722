// Schema of the specification (spec section 1), shared by Certificate and HostingPackage.

import type { Product } from './product.ts';
import { domainTypes, grades, validationTypes } from './product.ts';
import type { Schema } from './schema.ts';
import { enumeration, object, required, string } from './schema.ts';

export const productSchema: Schema<Product> = object<Product>(
  {
    description:
      'The specification: brand, validation type, domain type and grade. Two certificates have the same ' +
      'specification only when all four are equal (R-SAME-SPEC); credits are spent per specification.',
    rules: [
      {
        // R-FREE-QUOTA: free certificates are DV single-domain.
        rule: "self.grade != 'free' || (self.type == 'DV' && self.domainType == 'single')",
        message:
          'Grade free exists only for DV single-domain certificates (R-FREE-QUOTA): choose type DV and ' +
          'domainType single, or another grade.',
        fieldPath: '.grade',
      },
    ],
  },
  {
    brand: required(
      string({
        description: 'The brand (CA product line), which selects the issuer profile, e.g. DigiCert.',
        minLength: 1,
        maxLength: 63,
        pattern: '^[A-Za-z0-9]([-A-Za-z0-9 ._]*[A-Za-z0-9])?$',
      }),
    ),
    type: required(enumeration(validationTypes, { description: 'Validation type: DV, OV or EV.' })),
    domainType: required(
      enumeration(domainTypes, {
        description:
          'Domain type: single (one name), multi (several names, no wildcard), wildcard (wildcard names ' +
          'only), mixed (wildcard and normal names). Must agree with spec.domains.',
      }),
    ),
    grade: required(
      enumeration(grades, {
        description:
          'Grade: free (yearly free DV quota, R-FREE-QUOTA), test (personal test certificate, not ' +
          'renewable), standard or premium.',
      }),
    ),
  },
);
